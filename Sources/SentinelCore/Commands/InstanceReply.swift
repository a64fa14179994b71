import RESP

extension Sentinel {
    /// One value of an instance map: text or a number, both sent as bulk strings.
    enum InstanceField {
        case text(String)
        case number(Int64)
    }

    /// The fields of the instance map of `SENTINEL MASTER(S)/REPLICAS/SENTINELS` (§10.3), in
    /// Redis's fixed order, conditional fields only when they apply.
    func instanceFields(_ instance: MonitoredInstance, now: Milliseconds) -> [(key: StaticString, value: InstanceField)] {
        let link = links[instance.link]
        var fields: [(key: StaticString, value: InstanceField)] = []
        fields.reserveCapacity(26)
        let state = instance.kind == .master ? masters[instance.id] : nil

        fields.append(("name", .text(instance.name)))
        fields.append(("ip", .text(announcedHost(instance.address))))
        fields.append(("port", .number(Int64(instance.address.port))))
        fields.append(("runid", .text(instance.runID ?? "")))
        fields.append(("flags", .text(flagsText(instance, link: link))))
        fields.append(("link-pending-commands", .number(Int64(link?.pendingCommands ?? 0))))
        fields.append(("link-refcount", .number(Int64(link?.referenceCount ?? 1))))
        if instance.flags.contains(.failoverInProgress), let state {
            fields.append(("failover-state", .text(state.failoverState.rawValue)))
        }
        let activePing = link?.activePingTime ?? 0
        fields.append(("last-ping-sent", .number(activePing != 0 ? now - activePing : 0)))
        fields.append(("last-ok-ping-reply", .number(now - (link?.lastAvailableTime ?? now))))
        fields.append(("last-ping-reply", .number(now - (link?.lastPongTime ?? now))))
        if instance.flags.contains(.subjectivelyDown) { fields.append(("s-down-time", .number(now - instance.subjectivelyDownSince))) }
        if instance.flags.contains(.objectivelyDown) { fields.append(("o-down-time", .number(now - instance.objectivelyDownSince))) }
        fields.append(("down-after-milliseconds", .number(instance.downAfterMilliseconds)))
        if instance.kind != .sentinel {
            fields.append(("info-refresh", .number(instance.infoRefresh != 0 ? now - instance.infoRefresh : 0)))
            fields.append(("role-reported", .text(instance.roleReported.word)))
            fields.append(("role-reported-time", .number(now - instance.roleReportedTime)))
        }
        if let state {
            fields.append(("config-epoch", .number(Int64(state.configEpoch))))
            fields.append(("num-slaves", .number(Int64(state.replicas.count))))
            fields.append(("num-other-sentinels", .number(Int64(state.sentinels.count))))
            fields.append(("quorum", .number(Int64(state.quorum))))
            fields.append(("failover-timeout", .number(state.failoverTimeout)))
            fields.append(("parallel-syncs", .number(Int64(state.parallelSyncs))))
            if let script = state.notificationScript { fields.append(("notification-script", .text(script))) }
            if let script = state.clientReconfigScript { fields.append(("client-reconfig-script", .text(script))) }
        }
        if instance.kind == .replica {
            fields.append(("master-link-down-time", .number(instance.masterLinkDownTime)))
            fields.append(("master-link-status", .text(instance.replicaMasterLinkUp ? "ok" : "err")))
            fields.append(("master-host", .text(instance.replicaMasterHost ?? "?")))
            fields.append(("master-port", .number(Int64(instance.replicaMasterPort))))
            fields.append(("slave-priority", .number(Int64(instance.replicaPriority))))
            fields.append(("slave-repl-offset", .number(instance.replicaReplicationOffset)))
            fields.append(("replica-announced", .number(instance.replicaAnnounced ? 1 : 0)))
        }
        if instance.kind == .sentinel {
            fields.append(("last-hello-message", .number(now - instance.lastHelloTime)))
            fields.append(("voted-leader", .text(instance.leader ?? "?")))
            fields.append(("voted-leader-epoch", .number(Int64(instance.leaderEpoch))))
        }
        return fields
    }

    /// Writes the instance map straight into `buffer` (a RESP3 map, or a flat RESP2 array),
    /// every value a bulk string.
    func appendInstanceReply(_ instance: MonitoredInstance, now: Milliseconds, as version: RESPVersion, into buffer: inout [UInt8]) {
        let fields = instanceFields(instance, now: now)
        RESPEncoder.appendMapHeader(fields.count, as: version, into: &buffer)
        for (key, value) in fields {
            RESPEncoder.appendBulk(key, into: &buffer)
            switch value {
            case .text(let text): RESPEncoder.appendBulk(text, into: &buffer)
            case .number(let number): RESPEncoder.appendBulk(number, into: &buffer)
            }
        }
    }

    /// Replies one instance map, or an array of them, to a client.
    mutating func replyInstances(to client: ClientID, _ selected: [MonitoredInstance], asArray: Bool, now: Milliseconds, effects: inout [SentinelEffect]) {
        guard let session = clients[client] else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(asArray ? 700 * selected.count + 8 : 700)
        if asArray { RESPEncoder.appendArrayHeader(selected.count, into: &bytes) }
        for instance in selected {
            appendInstanceReply(instance, now: now, as: session.protocolVersion, into: &bytes)
        }
        replyEncoded(to: client, bytes, effects: &effects)
    }

    /// The `flags` field: set flags comma-separated, always in Redis's order (§1.2).
    func flagsText(_ instance: MonitoredInstance, link: InstanceLink?) -> String {
        var names: [String] = []
        let flags = instance.flags
        if flags.contains(.subjectivelyDown) { names.append("s_down") }
        if flags.contains(.objectivelyDown) { names.append("o_down") }
        names.append(instance.kind.word)
        if link?.isDisconnected ?? true { names.append("disconnected") }
        if flags.contains(.masterDown) { names.append("master_down") }
        if flags.contains(.failoverInProgress) { names.append("failover_in_progress") }
        if flags.contains(.promoted) { names.append("promoted") }
        if flags.contains(.reconfigurationSent) { names.append("reconf_sent") }
        if flags.contains(.reconfigurationInProgress) { names.append("reconf_inprog") }
        if flags.contains(.reconfigurationDone) { names.append("reconf_done") }
        if flags.contains(.forceFailover) { names.append("force_failover") }
        if flags.contains(.scriptKillSent) { names.append("script_kill_sent") }
        return names.count == 1 ? names[0] : names.joined(separator: ",")
    }
}
