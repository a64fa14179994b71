import RESP

extension Sentinel {
    /// Writes the instance map of `SENTINEL MASTER(S)/REPLICAS/SENTINELS` (§10.3) straight into
    /// `buffer`: a RESP3 map or a flat RESP2 array, every value a bulk string, the fields in
    /// Redis's fixed order and the conditional ones only when they apply.
    func appendInstanceReply(_ instance: MonitoredInstance, now: Milliseconds, as version: RESPVersion, into buffer: inout [UInt8]) {
        var map = InstanceMapWriter(buffer: buffer, version: version)
        buffer = []
        let link = links[instance.link]
        let state = instance.kind == .master ? masters[instance.id] : nil

        map.field("name", instance.name)
        map.field("ip", announcedHost(instance.address))
        map.field("port", Int64(instance.address.port))
        map.field("runid", instance.runID ?? "")
        map.flags(instance, isDisconnected: link?.isDisconnected ?? true,
                  coordinatedOnly: state?.coordinatedFailover?.allowsFallback == false,
                  showsMasterReboot: configuration.redisCompatibility == .redis72)
        map.field("link-pending-commands", Int64(link?.pendingCommands ?? 0))
        map.field("link-refcount", Int64(link?.referenceCount ?? 1))
        if instance.flags.contains(.failoverInProgress), let state {
            map.field("failover-state", state.failoverState.rawValue)
        }
        let activePing = link?.activePingTime ?? 0
        map.field("last-ping-sent", activePing != 0 ? now - activePing : 0)
        map.field("last-ok-ping-reply", now - (link?.lastAvailableTime ?? now))
        map.field("last-ping-reply", now - (link?.lastPongTime ?? now))
        if instance.flags.contains(.subjectivelyDown) { map.field("s-down-time", now - instance.subjectivelyDownSince) }
        if instance.flags.contains(.objectivelyDown) { map.field("o-down-time", now - instance.objectivelyDownSince) }
        map.field("down-after-milliseconds", instance.downAfterMilliseconds)
        if instance.kind != .sentinel {
            map.field("info-refresh", instance.lastInfoTime != 0 ? now - instance.lastInfoTime : 0)
            map.field("role-reported", instance.roleReported.word)
            map.field("role-reported-time", now - instance.roleReportedTime)
        }
        if let state {
            map.field("config-epoch", Int64(state.configEpoch))
            map.field("num-slaves", Int64(state.replicas.count))
            map.field("num-other-sentinels", Int64(state.sentinels.count))
            map.field("quorum", Int64(state.quorum))
            map.field("failover-timeout", state.failoverTimeout)
            map.field("parallel-syncs", Int64(state.parallelSyncs))
            if let script = state.notificationScript { map.field("notification-script", script) }
            if let script = state.clientReconfigScript { map.field("client-reconfig-script", script) }
        }
        if instance.kind == .replica {
            map.field("master-link-down-time", instance.masterLinkDownTime)
            map.field("master-link-status", instance.replicaMasterLinkUp ? "ok" : "err")
            map.field("master-host", instance.replicaMasterHost ?? "?")
            map.field("master-port", Int64(instance.replicaMasterPort))
            map.field("slave-priority", Int64(instance.replicaPriority))
            map.field("slave-repl-offset", instance.replicaReplicationOffset)
            map.field("replica-announced", instance.replicaAnnounced ? 1 : 0)
        }
        if instance.kind == .sentinel {
            map.field("last-hello-message", now - instance.lastHelloTime)
            map.field("voted-leader", instance.votedLeader ?? "?")
            map.field("voted-leader-epoch", Int64(instance.votedLeaderEpoch))
        }
        buffer = map.finish()
    }

    /// One instance map (`SENTINEL MASTER`).
    func encodeInstance(_ id: InstanceID, now: Milliseconds, as version: RESPVersion) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(768)
        if let instance = instances[id] { appendInstanceReply(instance, now: now, as: version, into: &bytes) }
        return bytes
    }

    /// An array of instance maps (`SENTINEL MASTERS/REPLICAS/SENTINELS`); ids without an entry
    /// are left out.
    func encodeInstances(_ ids: [InstanceID], now: Milliseconds, as version: RESPVersion) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(768 * ids.count + 8)
        var count = 0
        for id in ids where instances[id] != nil { count += 1 }
        RESPEncoder.appendArrayHeader(count, into: &bytes)
        for id in ids {
            guard let instance = instances[id] else { continue }
            appendInstanceReply(instance, now: now, as: version, into: &bytes)
        }
        return bytes
    }
}

/// Appends the fields of one instance map to a reply buffer and writes the map header (whose
/// size is known only at the end) in front of them.
struct InstanceMapWriter {
    private var buffer: [UInt8]
    private let version: RESPVersion
    private let headerStart: Int
    private var count = 0
    /// Room left for the header: every instance map has 10 to 49 fields, so a RESP2 or RESP3
    /// header is 5 bytes (`*46\r\n`, `%23\r\n`); `finish` adjusts if it is not.
    private static let headerRoom = 5

    init(buffer: [UInt8], version: RESPVersion) {
        self.buffer = buffer
        self.version = version
        self.headerStart = buffer.count
        self.buffer.append(contentsOf: repeatElement(0, count: InstanceMapWriter.headerRoom))
    }

    mutating func field(_ key: StaticString, _ value: String) {
        RESPEncoder.appendBulk(key, into: &buffer)
        RESPEncoder.appendBulk(value, into: &buffer)
        count += 1
    }

    mutating func field(_ key: StaticString, _ value: Int64) {
        RESPEncoder.appendBulk(key, into: &buffer)
        RESPEncoder.appendBulk(value, into: &buffer)
        count += 1
    }

    /// The `flags` field: set flags comma-separated, always in Redis's order (§1.2), with
    /// Valkey's `coordinated_failover` during a `SENTINEL FAILOVER … COORDINATED` and Redis
    /// 7.2's `master_reboot` when the presented release shows it.
    mutating func flags(_ instance: MonitoredInstance, isDisconnected: Bool, coordinatedOnly: Bool, showsMasterReboot: Bool) {
        var text: [UInt8] = []
        text.reserveCapacity(64)
        func add(_ name: String) {
            if !text.isEmpty { text.append(UInt8(ascii: ",")) }
            text.append(contentsOf: name.utf8)
        }
        let flags = instance.flags
        if flags.contains(.subjectivelyDown) { add("s_down") }
        if flags.contains(.objectivelyDown) { add("o_down") }
        add(instance.kind.word)
        if isDisconnected { add("disconnected") }
        if flags.contains(.masterDown) { add("master_down") }
        if flags.contains(.failoverInProgress) { add("failover_in_progress") }
        if flags.contains(.promoted) { add("promoted") }
        if flags.contains(.reconfigurationSent) { add("reconf_sent") }
        if flags.contains(.reconfigurationInProgress) { add("reconf_inprog") }
        if flags.contains(.reconfigurationDone) { add("reconf_done") }
        if flags.contains(.forceFailover) { add("force_failover") }
        if coordinatedOnly { add("coordinated_failover") }
        if flags.contains(.scriptKillSent) { add("script_kill_sent") }
        if showsMasterReboot && flags.contains(.masterReboot) { add("master_reboot") }
        RESPEncoder.appendBulk("flags", into: &buffer)
        RESPEncoder.appendBulk(bytes: text, into: &buffer)
        count += 1
    }

    /// The buffer with the map header in place.
    mutating func finish() -> [UInt8] {
        var header: [UInt8] = []
        RESPEncoder.appendMapHeader(count, as: version, into: &header)
        let room = headerStart..<(headerStart + InstanceMapWriter.headerRoom)
        if header.count == InstanceMapWriter.headerRoom {
            buffer.withUnsafeMutableBufferPointer { target in
                for (offset, byte) in header.enumerated() { target[headerStart + offset] = byte }
            }
        } else {
            buffer.replaceSubrange(room, with: header)
        }
        return buffer
    }
}
