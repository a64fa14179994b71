import RESP
import SentinelCore

extension SentinelWorld {
    /// The most commands a command connection may have unanswered: the periodic commands stop
    /// at 100 per instance using the link (Redis's `SENTINEL_MAX_PENDING_COMMANDS`), and one
    /// input adds at most a handful of others (greeting, failover commands, a vote request).
    static let unansweredSlack = 20

    /// Effects one input may cause: a few per instance (commands, events, log lines), each
    /// event once per client (published to subscribers), plus a constant. More means work
    /// that grows faster than the state it is about.
    func checkWorkBound(_ effectCount: Int, inputs: Int) throws(FuzzFailure) {
        let bound = 32 * inputs * (sentinel.instances.count + 2) * (clients.count + 2)
        try require(effectCount <= bound, "\(inputs) input(s) caused \(effectCount) effects (\(sentinel.instances.count) instances, \(clients.count) clients)")
    }

    /// What must hold after every turn: growth follows the inputs, every connection the world
    /// holds is owned by a link, epochs only grow and stay within what travels as a signed
    /// 64-bit integer, and every stored address is one a reply, a log line and the file can
    /// carry.
    mutating func checkInvariants(after inputs: [SentinelInput]) throws(FuzzFailure) {
        for input in inputs {
            if case .connectionReply(_, .bulkString(let bytes)) = input {
                instanceAllowance += 2 + bytes.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            } else {
                instanceAllowance += 2
            }
        }
        let instanceCount = sentinel.instances.count
        try require(instanceCount <= instanceAllowance, "\(instanceCount) instances, more than the inputs could add (\(instanceAllowance))")
        try require(sentinel.links.count <= instanceCount, "\(sentinel.links.count) links for \(instanceCount) instances")
        try require(connections.count <= 2 * sentinel.links.count,
                    "\(connections.count) connections open for \(sentinel.links.count) links: connections leak")
        for connection in connections where connection.unanswered.count > 100 + SentinelWorld.unansweredSlack {
            let link = sentinel.links.values.first { $0.commandConnection == connection.id }
            let allowed = 100 * (link?.referenceCount ?? 0) + SentinelWorld.unansweredSlack
            try require(connection.unanswered.count <= allowed,
                        "\(connection.unanswered.count) commands unanswered on \(connection.id) to \(connection.server) (allowed \(allowed))")
        }
        try require(sentinel.currentEpoch >= lastEpoch, "the current epoch went back from \(lastEpoch) to \(sentinel.currentEpoch)")
        try require(sentinel.currentEpoch <= UInt64(Int64.max), "the current epoch \(sentinel.currentEpoch) does not fit a signed 64-bit integer")
        lastEpoch = sentinel.currentEpoch
        try checkVotesAndConfigEpochs()
        if instanceCount != checkedInstanceCount || stepsSinceAddressCheck >= 256 {
            try checkStoredAddresses()
            checkedInstanceCount = instanceCount
            stepsSinceAddressCheck = 0
        }
        stepsSinceAddressCheck += 1
    }

    /// Per master: the vote (`votedLeader` at `votedLeaderEpoch`) is cast once per epoch —
    /// the epoch never goes back and a vote never changes within it — and the config epoch
    /// never goes back (§6, §7).
    mutating func checkVotesAndConfigEpochs() throws(FuzzFailure) {
        for masterID in sentinel.masterOrder {
            guard let master = sentinel.instances[masterID], let state = sentinel.masters[masterID] else { continue }
            let epoch = state.votedLeaderEpoch
            if let earlier = votes[masterID] {
                try require(epoch >= earlier.epoch, "\(master.name)'s vote epoch went back from \(earlier.epoch) to \(epoch)")
                if let leader = state.votedLeader, epoch == earlier.epoch, let earlierLeader = earlier.leader {
                    try require(leader == earlierLeader, "\(master.name): voted for \(earlierLeader) and then \(leader) in epoch \(epoch)")
                }
            }
            // A reset forgets the leader but not the vote: the epoch's vote stays remembered.
            var leader = state.votedLeader
            if leader == nil, let earlier = votes[masterID], earlier.epoch == epoch { leader = earlier.leader }
            votes[masterID] = (epoch, leader)
            let earlierConfigEpoch = configEpochs[masterID] ?? 0
            try require(state.configEpoch >= earlierConfigEpoch, "\(master.name)'s config epoch went back from \(earlierConfigEpoch) to \(state.configEpoch)")
            configEpochs[masterID] = state.configEpoch
        }
    }

    /// Every instance's host is non-empty text without spaces, quotes or control characters
    /// (`InstanceAddress`'s promise), its port within 0…65535, and every master's config epoch
    /// within the signed 64-bit range.
    func checkStoredAddresses() throws(FuzzFailure) {
        for instance in sentinel.instances.values {
            let host = instance.address.host
            try require(!host.isEmpty && host.utf8.allSatisfy { $0 > 32 && $0 != 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'") },
                        "\(instance.kind) \(instance.name) has the host '\(describe(host.utf8))'")
            try require((0...65535).contains(instance.address.port), "\(instance.kind) \(instance.name) has the port \(instance.address.port)")
        }
        for state in sentinel.masters.values {
            try require(state.configEpoch <= UInt64(Int64.max), "a config epoch of \(state.configEpoch)")
        }
    }

    /// What must hold at the end of an input: every command was answered; the configuration,
    /// written now, loads; a sentinel restarted from it writes the same file (nothing persisted
    /// is lost or altered by a restart); and once every client is gone no client state is left.
    mutating func checkFinalState() throws(FuzzFailure) {
        guard !exited else {
            try SentinelWorld.requireLoads(writtenConfiguration, what: "the configuration written before exiting")
            return
        }
        try checkEveryCommandAnswered()
        try checkStoredAddresses()
        // What the next write writes (changes may be waiting for it: `persistDiscovery`), and
        // that rendered once more: a rewrite that appended lines gains a trailing blank line
        // on the next one, as in Redis, and is a fixed point from then on.
        let written = sentinel.configurationFileToWrite()
        try SentinelWorld.requireLoadsOnce(written, what: "the configuration written now")
        let file = sentinel.configurationFileToWrite()
        var hasher = Hasher()
        hasher.combine(file)
        for path in aclFiles.keys.sorted() { hasher.combine(aclFiles[path]) }
        let key = hasher.finalize()
        if !VerifiedFiles.restartStable.contains(key) {
            let configuration = try SentinelWorld.configurationAtStartup(file, aclFiles: aclFiles, what: "the final configuration")
            var restarted = Sentinel(configuration: configuration, configurationFile: file, environment: sentinel.environment,
                                     randomSeed: 2, now: time)
            var turn = Turn()
            restarted.start(into: &turn)
            let rewritten = restarted.configurationFileToWrite()
            try require(rewritten == file, "a restart changes the configuration:\n--- before:\n\(printable(file))\n--- after:\n\(printable(rewritten))")
            VerifiedFiles.remember(key, in: &VerifiedFiles.restartStable)
        }
        try checkNoClientStateLeft()
    }

    /// Every command got its reply (once the writes and file operations it waits for are done):
    /// a client left waiting is a wedged client. Pushed messages count too, so this only
    /// catches replies that never come; clients that used `CLIENT REPLY` are left out.
    func checkEveryCommandAnswered() throws(FuzzFailure) {
        for client in clients where !client.mayTurnRepliesOff {
            try require(client.valuesReceived >= client.commandsSent,
                        "client \(client.id) sent \(client.commandsSent) commands and got \(client.valuesReceived) replies")
        }
    }

    /// Disconnects every client, then asks INFO as a new one: one client connected, no channel
    /// or pattern subscribed; and at most 16 running and 256 queued scripts (Redis's bounds).
    mutating func checkNoClientStateLeft() throws(FuzzFailure) {
        while !clients.isEmpty && !exited { try disconnectClient(0) }
        guard !exited else { return }
        var probe = sentinel
        let id = ClientID(nextClient)
        var io = WorldIO(aclFiles: aclFiles, writesFail: false, nextProcessID: nextProcessID)
        var turn = Turn()
        probe.handle(.clientConnected(id, remoteAddress: "127.0.0.1:1", localAddress: "127.0.0.1:26379"), at: time, into: &turn)
        for password in ["secret", "adminpass"] {
            probe.handle(.clientCommand(id, ["AUTH", RequestArgument(Array(password.utf8))]), at: time, into: &turn)
        }
        TurnExecutor.run(&turn, core: &probe, io: &io, at: time)
        var fields: [String: String] = [:]
        var pendingScripts: Int?
        for command in [["INFO", "clients"], ["INFO", "stats"], ["SENTINEL", "PENDING-SCRIPTS"]] {
            io.carriedOut = []
            probe.handle(.clientCommand(id, command.map { RequestArgument(Array($0.utf8)) }), at: time, into: &turn)
            TurnExecutor.run(&turn, core: &probe, io: &io, at: time)
            for effect in io.carriedOut {
                guard case .sendToClient(_, let bytes) = effect else { continue }
                var parser = RESPReplyParser()
                parser.append(bytes)
                let reply = try? parser.next()
                if command[0] == "SENTINEL", case .array(let scripts)? = reply { pendingScripts = scripts.count }
                guard case .bulkString(let text)? = reply else { continue }
                for line in String(decoding: text, as: UTF8.self).split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
                }
            }
        }
        guard !fields.isEmpty else { return }  // The probe could not authenticate.
        try require(fields["connected_clients"] == "1", "after every client left, INFO says connected_clients:\(fields["connected_clients"] ?? "?")")
        try require(fields["pubsub_channels"] == "0", "after every client left, INFO says pubsub_channels:\(fields["pubsub_channels"] ?? "?")")
        try require(fields["pubsub_patterns"] == "0", "after every client left, INFO says pubsub_patterns:\(fields["pubsub_patterns"] ?? "?")")
        try require((pendingScripts ?? 0) <= 16 + 256, "\(pendingScripts ?? 0) scripts pending")
    }

    /// Loads a configuration file the sentinel wrote; it must load.
    @discardableResult
    static func requireLoads(_ file: [UInt8], what: String) throws(FuzzFailure) -> SentinelConfiguration {
        do throws(ConfigurationError) {
            return try ConfigurationParser.parse(bytes: file, fileName: "sentinel.conf") { path in
                throw FuzzFailure("no include \(path)")
            }
        } catch {
            throw FuzzFailure("\(what) does not load: \(error)\n--- file:\n\(printable(file))")
        }
    }

    /// The configuration a daemon started from `file` runs with: the file's, with the users
    /// of its `aclfile` read from `aclFiles` (as `swift-sentinel` loads them at start-up). The
    /// ACL file the sentinel saved must load.
    static func configurationAtStartup(_ file: [UInt8], aclFiles: [String: [UInt8]], what: String) throws(FuzzFailure) -> SentinelConfiguration {
        var configuration = try requireLoads(file, what: what)
        guard let path = configuration.aclFile else { return configuration }
        try require(configuration.aclUsers.isEmpty, "\(what) has user lines and an aclfile")
        guard let contents = aclFiles[path] else { throw FuzzFailure("\(what) names the ACL file \(path), which does not exist") }
        switch ACLFile.parse(contents, fileName: path, compatibility: configuration.redisCompatibility) {
        case .success(let users):
            configuration.aclUsers = users
        case .failure(let failure):
            throw FuzzFailure("the ACL file \(path) does not load at start-up: \(failure.message)\n--- file:\n\(printable(contents))")
        }
        return configuration
    }

    /// `requireLoads` for files that are only checked, remembering those that loaded.
    static func requireLoadsOnce(_ file: [UInt8], what: String) throws(FuzzFailure) {
        guard !VerifiedFiles.loaded.contains(file.hashValue) else { return }
        try requireLoads(file, what: what)
        VerifiedFiles.remember(file.hashValue, in: &VerifiedFiles.loaded)
    }
}

/// A configuration file's bytes as text for failure messages (bytes that are not UTF-8 show
/// as U+FFFD).
func printable(_ file: [UInt8]) -> String {
    String(decoding: file, as: UTF8.self)
}

/// Configuration files already checked, by hash. The checks are pure functions of the text,
/// and most inputs end in one of a few configurations: checking each once keeps the targets
/// fast. The sets never allocate after their first use: an input that allocates memory it
/// keeps makes libFuzzer run it twice more looking for a leak.
enum VerifiedFiles {
    static let capacity = 8192
    /// Files that load.
    nonisolated(unsafe) static var loaded = Set<Int>(minimumCapacity: capacity)
    /// Files that load, and that a sentinel started from them writes unchanged.
    nonisolated(unsafe) static var restartStable = Set<Int>(minimumCapacity: capacity)

    /// Adds `hash`, forgetting every hash once the set is full.
    static func remember(_ hash: Int, in set: inout Set<Int>) {
        if set.count >= capacity { set.removeAll(keepingCapacity: true) }
        set.insert(hash)
    }
}
