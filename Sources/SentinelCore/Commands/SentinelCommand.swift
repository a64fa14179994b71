import RESP

extension Sentinel {
    /// `SENTINEL <subcommand>` (§10.2). Arity was checked by the dispatcher. The commands
    /// clients poll (the address and instance queries) read the master name straight from
    /// the argument bytes; the others take their arguments as text.
    mutating func sentinelCommand(_ client: ClientID, _ subcommand: CommandDescription, _ arguments: [RequestArgument], at time: Timestamp, turn: inout Turn) {
        let now = time.monotonic
        switch subcommand.route {
        case .sentinelMasters:
            replyCached(to: client, .masters, now: now, turn: &turn) { sentinel, version in
                sentinel.encodeInstances(sentinel.masterOrder, now: now, as: version)
            }
        case .sentinelMaster:
            guard let masterID = masterOrReplyError(client, arguments[2], turn: &turn) else { return }
            replyCached(to: client, .instance(masterID), now: now, turn: &turn) { sentinel, version in
                sentinel.encodeInstance(masterID, now: now, as: version)
            }
        case .sentinelReplicas:
            guard let masterID = masterOrReplyError(client, arguments[2], turn: &turn) else { return }
            let replicas = (masters[masterID]?.replicas ?? []).filter { instances[$0]?.replicaAnnounced ?? false }
            replyEncoded(to: client, encodeInstances(replicas, now: now, as: protocolVersion(of: client)), turn: &turn)
        case .sentinelSentinels:
            guard let masterID = masterOrReplyError(client, arguments[2], turn: &turn) else { return }
            replyEncoded(to: client, encodeInstances(masters[masterID]?.sentinels ?? [], now: now, as: protocolVersion(of: client)), turn: &turn)
        case .sentinelGetMasterAddress:
            replyMasterAddress(to: client, named: arguments[2], now: now, turn: &turn)
        case .sentinelSet:
            setCommand(client, arguments, now: now, turn: &turn)
        case .sentinelConfig:
            configCommand(client, arguments, turn: &turn)
        default:
            sentinelAdministrativeCommand(client, subcommand, arguments.map { String(decoding: $0, as: UTF8.self) }, now: now, turn: &turn)
        }
    }

    /// `SENTINEL GET-MASTER-ADDR-BY-NAME <name>`: the address clients must use now (§10.2),
    /// or a null array for an unknown name.
    mutating func replyMasterAddress(to client: ClientID, named name: RequestArgument, now: Milliseconds, turn: inout Turn) {
        guard let masterID = masterID(named: String(decoding: name, as: UTF8.self)) else {
            return reply(to: client, .nullArray, turn: &turn)
        }
        replyCached(to: client, .masterAddress(masterID), now: now, turn: &turn) { sentinel, _ in
            let address = sentinel.currentAddress(ofMaster: masterID)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(64)
            RESPEncoder.appendArrayHeader(2, into: &bytes)
            RESPEncoder.appendBulk(sentinel.announcedHost(address), into: &bytes)
            RESPEncoder.appendBulk(Int64(address.port), into: &bytes)
            return bytes
        }
    }

    /// The RESP version `client` speaks (RESP2 for an unknown client).
    func protocolVersion(of client: ClientID) -> RESPVersion {
        clients[client]?.protocolVersion ?? .resp2
    }

    /// The other `SENTINEL` subcommands: configuration, state changes and diagnostics.
    mutating func sentinelAdministrativeCommand(_ client: ClientID, _ subcommand: CommandDescription, _ arguments: [String], now: Milliseconds, turn: inout Turn) {
        switch subcommand.route {
        case .sentinelMyID:
            reply(to: client, .bulk(myID), turn: &turn)
        case .sentinelFlushConfig:
            persistConfiguration(replyTo: client, turn: &turn)
        case .sentinelMonitor:
            monitorCommand(client, arguments, now: now, turn: &turn)
        case .sentinelRemove:
            guard let masterID = masterOrReplyError(client, arguments[2], turn: &turn), let master = instances[masterID] else { return }
            emitEvent(.monitorRemoved, about: master, turn: &turn)
            removeInstance(masterID, turn: &turn)
            persistConfiguration(replyTo: client, turn: &turn)
        case .sentinelReset:
            let matching = masterOrder.filter { GlobPattern.matches(arguments[2], instances[$0]?.name ?? "") }
            for masterID in matching {
                resetByCommand(masterID, now: now, turn: &turn)
                if let master = instances[masterID] { emitEvent(.resetMaster, about: master, turn: &turn) }
            }
            reply(to: client, .integer(Int64(matching.count)), turn: &turn)
        case .sentinelCheckQuorum:
            guard let masterID = masterOrReplyError(client, arguments[2], turn: &turn) else { return }
            reply(to: client, quorumCheck(masterID), turn: &turn)
        case .sentinelInfoCache:
            infoCacheCommand(client, arguments, now: now, turn: &turn)
        case .sentinelPendingScripts:
            pendingScriptsCommand(client, now: now, turn: &turn)
        case .sentinelSimulateFailure:
            simulateFailureCommand(client, arguments, turn: &turn)
        case .sentinelDebug:
            debugCommand(client, arguments, turn: &turn)
        case .sentinelIsMasterDownByAddress:
            isMasterDownByAddressCommand(client, arguments, now: now, turn: &turn)
        case .sentinelFailover:
            failoverCommand(client, arguments, now: now, turn: &turn)
        default:
            reply(to: client, helpReply(for: "SENTINEL", sentinelHelpLines), turn: &turn)
        }
    }

    /// Looks a master up by name, replying `-ERR No such master with that name` if absent.
    mutating func masterOrReplyError(_ client: ClientID, _ name: RequestArgument, turn: inout Turn) -> InstanceID? {
        masterOrReplyError(client, String(decoding: name, as: UTF8.self), turn: &turn)
    }

    /// Looks a master up by name, replying `-ERR No such master with that name` if absent.
    mutating func masterOrReplyError(_ client: ClientID, _ name: String, turn: inout Turn) -> InstanceID? {
        guard let masterID = masterID(named: name) else {
            replyError(to: client, "ERR No such master with that name", turn: &turn)
            return nil
        }
        return masterID
    }

    /// `SENTINEL MONITOR <name> <ip> <port> <quorum>` with Redis's validation order. Unlike
    /// Redis, a name already monitored at the same address with the same quorum answers `+OK`
    /// and changes nothing, so reconcile loops are idempotent (any other difference is still
    /// `Duplicate master name.`).
    mutating func monitorCommand(_ client: ClientID, _ arguments: [String], now: Milliseconds, turn: inout Turn) {
        guard let quorum = Int64(arguments[5]) else { return replyError(to: client, "ERR Invalid quorum", turn: &turn) }
        guard let port = Int64(arguments[4]) else { return replyError(to: client, "ERR Invalid port", turn: &turn) }
        guard quorum > 0 else { return replyError(to: client, "ERR Quorum must be 1 or greater.", turn: &turn) }
        guard let host = InstanceAddress.acceptedHost(arguments[3], resolveHostnames: configuration.resolveHostnames,
                                                      announceHostnames: configuration.announceHostnames) else {
            return replyError(to: client, "ERR Invalid IP address or hostname specified", turn: &turn)
        }
        let name = arguments[2]
        guard !name.isEmpty, !name.utf8.contains(where: { $0 <= 32 || $0 == UInt8(ascii: ",") || $0 == 127 }) else {
            return replyError(to: client, "ERR Invalid master name: spaces, commas and control characters are not allowed", turn: &turn)
        }
        if let existing = masterID(named: name) {
            // The same master again (a reconcile loop's MONITOR): nothing to change.
            if let master = instances[existing], master.address.port == Int(port), sameHost(master.address.host, host),
               masters.field(existing, \.quorum) == InputLimits.count(quorum) {
                return reply(to: client, .ok, turn: &turn)
            }
            return replyError(to: client, "ERR Duplicate master name.", turn: &turn)
        }
        guard port > 0 && port <= 65535 else { return replyError(to: client, "ERR Invalid port number.", turn: &turn) }
        var master = MasterConfiguration(name: name, host: host, port: Int(port), quorum: InputLimits.count(quorum))
        master.downAfterMilliseconds = timings.defaultDownAfter
        master.failoverTimeout = timings.defaultFailoverTimeout
        let masterID = addMaster(master, now: now)
        persistConfiguration(replyTo: client, turn: &turn)
        if let instance = instances[masterID] {
            emitEvent(.monitor, about: instance, "quorum \(InputLimits.count(quorum))", turn: &turn)
        }
    }

    /// `SENTINEL SET <name> <option> <value> …` (§12.3): every pair is validated first (see
    /// `MasterSettingChange`); then they apply left to right, one `+set` each, and the reply
    /// waits for the configuration write.
    mutating func setCommand(_ client: ClientID, _ arguments: [RequestArgument], now: Milliseconds, turn: inout Turn) {
        guard let masterID = masterOrReplyError(client, arguments[2], turn: &turn) else { return }
        let context = MasterSettingChange.Context(scriptsReconfigurationDenied: configuration.denyScriptsReconfig,
                                                  isExecutable: environment.isExecutable)
        switch MasterSettingChange.parse(arguments[3...].map(\.bytes)[...], context: context) {
        case .failure(let error):
            replyError(to: client, error.reply, turn: &turn)
        case .success(let changes):
            for parsed in changes {
                apply(parsed.change, to: masterID, turn: &turn)
                if let master = instances[masterID] { emitEvent(.set, about: master, parsed.eventText, turn: &turn) }
            }
            persistConfiguration(replyTo: client, turn: &turn)
        }
    }

    /// Applies one validated `SENTINEL SET` option to a master.
    mutating func apply(_ change: MasterSettingChange, to masterID: InstanceID, turn: inout Turn) {
        switch change {
        case .downAfter(let milliseconds):
            instances[masterID]?.downAfterMilliseconds = milliseconds
            for child in (masters[masterID]?.replicas ?? []) + (masters[masterID]?.sentinels ?? []) {
                instances[child]?.downAfterMilliseconds = milliseconds
            }
        case .failoverTimeout(let milliseconds):
            masters[masterID]?.failoverTimeout = milliseconds
        case .parallelSyncs(let count):
            masters[masterID]?.parallelSyncs = count
        case .quorum(let quorum):
            masters[masterID]?.quorum = quorum
        case .notificationScript(let path):
            masters[masterID]?.notificationScript = path
        case .clientReconfigScript(let path):
            masters[masterID]?.clientReconfigScript = path
        case .authPass(let password):
            masters[masterID]?.authPass = password
            rehomeLinks(ofMasterAndReplicas: masterID, reconnecting: true, turn: &turn)
        case .authUser(let user):
            masters[masterID]?.authUser = user
            rehomeLinks(ofMasterAndReplicas: masterID, reconnecting: true, turn: &turn)
        case .renameCommand(let original, let renamed):
            masters[masterID]?.renamedCommands[original.lowercased()] = nil
            masters[masterID]?.renamedCommandOrder.removeAll { $0.command.lowercased() == original.lowercased() }
            if original.lowercased() != renamed.lowercased() {
                masters[masterID]?.renamedCommands[original.lowercased()] = renamed
                masters[masterID]?.renamedCommandOrder.append(RenamedCommand(command: original, renamed: renamed))
            }
            rehomeLinks(ofMasterAndReplicas: masterID, reconnecting: false, turn: &turn)
        case .masterRebootDownAfterPeriod(let milliseconds):
            masters[masterID]?.masterRebootDownAfterPeriod = milliseconds
        }
    }

    /// `SENTINEL CKQUORUM`: usable sentinels (us plus peers not SDOWN/ODOWN) against the
    /// quorum and the majority an election needs (of all known sentinels; with forgetting, of
    /// at least the most seen alive at once).
    func quorumCheck(_ masterID: InstanceID) -> RESPValue {
        guard let state = masters[masterID] else { return .ok }
        let peers = state.sentinels.compactMap { instances[$0] }
        let usable = 1 + peers.filter { !$0.flags.contains(.subjectivelyDown) && !$0.flags.contains(.objectivelyDown) }.count
        var problems: [String] = []
        if usable < state.quorum { problems.append("Not enough available Sentinels to reach the specified quorum for this master") }
        if usable < electionVoters(masterID) / 2 + 1 { problems.append("Not enough available Sentinels to reach the majority and authorize a failover") }
        if problems.isEmpty {
            return .status("OK \(usable) usable Sentinels. Quorum and failover authorization can be reached")
        }
        return .errorText("NOQUORUM \(usable) usable Sentinels. " + problems.joined(separator: ". "))
    }

    /// `SENTINEL INFO-CACHE <name> …`: for each master, `[age ms, INFO or null]` pairs for the
    /// master and then its replicas.
    mutating func infoCacheCommand(_ client: ClientID, _ arguments: [String], now: Milliseconds, turn: inout Turn) {
        var selected: [InstanceID] = []
        for name in arguments.dropFirst(2) {
            guard let masterID = masterOrReplyError(client, name, turn: &turn) else { return }
            selected.append(masterID)
        }
        var items: [RESPValue] = []
        for masterID in selected {
            guard let master = instances[masterID] else { continue }
            let members = [master] + (masters[masterID]?.replicas ?? []).compactMap { instances[$0] }
            items.append(.bulk(master.name))
            items.append(.array(members.map { member in
                .array([.integer(member.lastInfoTime != 0 ? now - member.lastInfoTime : 0), member.info.map { .bulkString($0) } ?? .nullBulkString])
            }))
        }
        reply(to: client, .array(items), turn: &turn)
    }

    /// `SENTINEL PENDING-SCRIPTS`: one map per queued or running script.
    mutating func pendingScriptsCommand(_ client: ClientID, now: Milliseconds, turn: inout Turn) {
        let entries = scriptQueue.jobs.map { job -> RESPValue in
            .map([
                RESPMapEntry(.bulk("argv"), .array(job.arguments.map { .bulk($0) })),
                RESPMapEntry(.bulk("flags"), .bulk(job.isRunning ? "running" : "scheduled")),
                RESPMapEntry(.bulk("pid"), .bulk(String(job.pid))),
                job.isRunning
                    ? RESPMapEntry(.bulk("run-time"), .bulk(String(now - job.startTime)))
                    : RESPMapEntry(.bulk("run-delay"), .bulk(String(max(0, job.notBefore - now)))),
                // Redis counts runs started: 1 during the first run, 1 while its retry waits.
                RESPMapEntry(.bulk("retry-num"), .bulk(String(job.retryCount + (job.isRunning ? 1 : 0)))),
            ])
        }
        reply(to: client, .array(entries), turn: &turn)
    }

    /// `SENTINEL SIMULATE-FAILURE <flag> …` (exit 99 after election or promotion).
    mutating func simulateFailureCommand(_ client: ClientID, _ arguments: [String], turn: inout Turn) {
        var flags: SimulatedFailure = []
        for argument in arguments.dropFirst(2) {
            switch argument.lowercased() {
            case "crash-after-election": flags.insert(.crashAfterElection)
            case "crash-after-promotion": flags.insert(.crashAfterPromotion)
            case "help":
                return reply(to: client, .array([.bulk("crash-after-election"), .bulk("crash-after-promotion")]), turn: &turn)
            default:
                return replyError(to: client, "ERR Unknown failure simulation specified", turn: &turn)
            }
        }
        simulateFailureFlags = flags
        reply(to: client, .ok, turn: &turn)
    }

    /// `SENTINEL DEBUG` lists the 13 timing parameters; `SENTINEL DEBUG <param> <ms> …` sets them.
    mutating func debugCommand(_ client: ClientID, _ arguments: [String], turn: inout Turn) {
        if arguments.count == 2 {
            return reply(to: client, .map(SentinelTimings.debugParameters.map {
                RESPMapEntry(.bulk($0.name), .bulk(String(timings[keyPath: $0.keyPath])))
            }), turn: &turn)
        }
        var updated = timings
        var index = 2
        while index < arguments.count {
            guard let parameter = SentinelTimings.debugParameters.first(where: { $0.name.lowercased() == arguments[index].lowercased() }),
                  index + 1 < arguments.count else {
                return replyError(to: client, "ERR Unknown option or number of arguments for SENTINEL DEBUG '\(arguments[index])'", turn: &turn)
            }
            guard let value = Int64(arguments[index + 1]), value > 0 else {
                return replyError(to: client, "ERR Invalid argument '\(arguments[index + 1])' for SENTINEL DEBUG '\(arguments[index])'", turn: &turn)
            }
            updated[keyPath: parameter.keyPath] = InputLimits.duration(value)
            index += 2
        }
        timings = updated
        reply(to: client, .ok, turn: &turn)
    }
}
