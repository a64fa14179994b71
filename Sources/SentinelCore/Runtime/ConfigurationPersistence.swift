import RESP

extension Sentinel {
    /// The configuration as it must be written now: the loaded generic directives plus the
    /// live sentinel state and users (§12.2). During a failover past promotion the master is
    /// written at the promoted replica's address, and the old master as a known replica.
    public func currentConfiguration() -> SentinelConfiguration {
        var result = configuration
        // Not while learning the epochs: a restart meanwhile must again start without state.
        result.myID = isLearningEpochs ? nil : myID
        result.currentEpoch = currentEpoch
        // The users as they are now (`ACL SETUSER`/`DELUSER` included), passwords as hashes.
        result.aclUsers = userDirectory.configurationLines
        result.masters = masterOrder.compactMap { masterID in
            guard let master = instances[masterID], let state = masters[masterID] else { return nil }
            let address = currentAddress(ofMaster: masterID)
            var entry = MasterConfiguration(name: master.name, host: address.host, port: address.port, quorum: state.quorum)
            entry.downAfterMilliseconds = master.downAfterMilliseconds
            entry.failoverTimeout = state.failoverTimeout
            entry.parallelSyncs = state.parallelSyncs
            entry.notificationScript = state.notificationScript
            entry.clientReconfigScript = state.clientReconfigScript
            entry.authPass = state.authPass
            entry.authUser = state.authUser
            entry.masterRebootDownAfterPeriod = state.masterRebootDownAfterPeriod
            entry.configEpoch = state.configEpoch
            entry.leaderEpoch = state.votedLeaderEpoch
            entry.renamedCommands = state.renamedCommandOrder
            if configuration.container.forgetAfterMilliseconds > 0 { entry.votersSeen = state.votersSeen }
            // The promoted replica is the master now; the old master takes its place, unless
            // it is listed as a replica already (a second line for one address would not
            // load; Redis writes it).
            let oldMasterListed = !sameAddress(address, master.address) && state.replicas.contains { replicaID in
                instances.field(replicaID, \.address).map { sameAddress($0, master.address) } ?? false
            }
            for replicaID in state.replicas {
                guard let replicaAddress = instances.field(replicaID, \.address) else { continue }
                if sameAddress(replicaAddress, address) {
                    if !oldMasterListed { entry.knownReplicas.append(master.address) }
                } else {
                    entry.knownReplicas.append(replicaAddress)
                }
            }
            for sentinelID in state.sentinels {
                guard let peer = instances[sentinelID], let runID = peer.runID else { continue }
                entry.knownSentinels.append(KnownSentinel(address: peer.address, runID: runID))
            }
            return entry
        }
        return result
    }

    /// Asks for the configuration file to be rewritten with the current state. With
    /// `replyTo`, that client gets `reply` (`+OK` unless given) or the save error once the
    /// shell reports the result, and only then are the `closing` clients closed.
    ///
    /// The text is not rendered here: the shell takes it with `configurationFileToWrite()`
    /// when it writes, once for every request made since its last write (fifty votes handled
    /// in one read cost one rendering and one write, not fifty).
    mutating func persistConfiguration(replyTo client: ClientID? = nil, reply: RESPValue = .ok, closing: [ClientID] = [],
                                       turn: inout Turn) {
        configurationChangedSinceWrite = false
        let ticket = nextPersistTicket
        nextPersistTicket += 1
        if let client { repliesAwaitingPersistence[ticket] = AwaitingReply(client: client, reply: reply, closing: closing) }
        turn.append(.persistConfiguration(ticket: ticket))
    }

    /// The least time between two writes of discoveries (`persistDiscovery`).
    static let discoveryPersistPeriod: Milliseconds = 1000

    /// Records a change that must reach the file but that nothing said depends on: a peer or
    /// a replica discovered. Redis rewrites the whole file for each, which with thousands of
    /// names makes start-up quadratic (every name's peers and replicas are found one hello or
    /// INFO at a time); here the tick writes them together, at most once per
    /// `discoveryPersistPeriod` (any other write takes them along sooner). A crash in between
    /// loses only what the next hellos and INFO find again.
    mutating func persistDiscovery() {
        configurationChangedSinceWrite = true
    }

    /// The tick's share of `persistDiscovery`.
    mutating func writeDiscoveriesIfDue(now: Milliseconds, turn: inout Turn) {
        guard configurationChangedSinceWrite, now - lastDiscoveryWriteTime >= Sentinel.discoveryPersistPeriod else { return }
        lastDiscoveryWriteTime = now
        persistConfiguration(turn: &turn)
    }

    /// The configuration file's new content (§12.2), rendered from the state as it is now
    /// over the file last written, which it becomes. The shell calls it when it executes
    /// `persistConfiguration` effects — once for all those it writes together, since the
    /// content always holds every change made so far.
    public mutating func configurationFileToWrite() -> [UInt8] {
        let updated = currentConfiguration()
        let file = ConfigurationRenderer.render(updated, over: configurationText)
        configurationText = file
        configuration = updated
        return file
    }

    /// What a configuration write writes now, and where: with `sentinel state-config-file`, the
    /// state file (`StateFileRenderer`) and never the main file; else the main file
    /// (`configurationFileToWrite()`).
    public mutating func configurationWrite() -> (destination: ConfigurationDestination, file: [UInt8]) {
        guard let path = configuration.container.stateConfigFile else { return (.configurationFile, configurationFileToWrite()) }
        let updated = currentConfiguration()
        configuration = updated
        let baseline = configuration.stateFileBaseline ?? StateFileBaseline(updated)
        return (.stateFile(path: path), StateFileRenderer.render(updated, baseline: baseline, mainFilePath: environment.configurationFilePath))
    }

    /// `configurationFileToWrite()` as text (for tests and the simulator, whose files are UTF-8).
    public mutating func configurationTextToWrite() -> String {
        String(decoding: configurationFileToWrite(), as: UTF8.self)
    }

    /// The shell finished writing the file (§12.2): log the outcome and answer a waiting client.
    mutating func handleConfigurationPersisted(ticket: UInt64, error: String?, turn: inout Turn) {
        if let error {
            log(.warning, "WARNING: Sentinel was not able to save the new configuration on disk!!!: \(error)", turn: &turn)
        } else {
            log(.notice, "Sentinel new configuration saved on disk", turn: &turn)
        }
        guard let awaiting = repliesAwaitingPersistence.removeValue(forKey: ticket) else { return }
        if error != nil {
            reply(to: awaiting.client, .errorText("ERR Failed to save config file. Check server logs."), turn: &turn)
        } else {
            reply(to: awaiting.client, awaiting.reply, turn: &turn)
        }
        for client in awaiting.closing { closeClient(client, turn: &turn) }
    }
}

/// A client's reply held until the configuration write it depends on is done.
struct AwaitingReply {
    var client: ClientID
    /// The reply if the write succeeds.
    var reply: RESPValue
    /// Clients to close after the reply (an `ACL DELUSER`'s users).
    var closing: [ClientID]
}
