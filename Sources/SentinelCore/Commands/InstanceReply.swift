import RESP

extension Sentinel {
    /// The instance map of `SENTINEL MASTER(S)/REPLICAS/SENTINELS` (§10.3): every value a bulk
    /// string, fields in Redis's fixed order, conditional fields only when they apply.
    func instanceReply(_ instance: MonitoredInstance, now: Milliseconds) -> RESPValue {
        let link = links[instance.link]
        var entries: [RESPMapEntry] = []
        entries.reserveCapacity(24)
        func field(_ key: String, _ value: String) {
            entries.append(RESPMapEntry(.bulk(key), .bulk(value)))
        }
        func field(_ key: String, _ value: Int64) { field(key, String(value)) }
        let state = instance.kind == .master ? masters[instance.id] : nil

        field("name", instance.name)
        field("ip", announcedHost(instance.address))
        field("port", Int64(instance.address.port))
        field("runid", instance.runID ?? "")
        field("flags", flagsText(instance, link: link))
        field("link-pending-commands", Int64(link?.pendingCommands ?? 0))
        field("link-refcount", Int64(link?.referenceCount ?? 1))
        if instance.flags.contains(.failoverInProgress), let state {
            field("failover-state", state.failoverState.rawValue)
        }
        let activePing = link?.activePingTime ?? 0
        field("last-ping-sent", activePing != 0 ? now - activePing : 0)
        field("last-ok-ping-reply", now - (link?.lastAvailableTime ?? now))
        field("last-ping-reply", now - (link?.lastPongTime ?? now))
        if instance.flags.contains(.subjectivelyDown) { field("s-down-time", now - instance.subjectivelyDownSince) }
        if instance.flags.contains(.objectivelyDown) { field("o-down-time", now - instance.objectivelyDownSince) }
        field("down-after-milliseconds", instance.downAfterMilliseconds)
        if instance.kind != .sentinel {
            field("info-refresh", instance.infoRefresh != 0 ? now - instance.infoRefresh : 0)
            field("role-reported", instance.roleReported.word)
            field("role-reported-time", now - instance.roleReportedTime)
        }
        if let state {
            field("config-epoch", Int64(state.configEpoch))
            field("num-slaves", Int64(state.replicas.count))
            field("num-other-sentinels", Int64(state.sentinels.count))
            field("quorum", Int64(state.quorum))
            field("failover-timeout", state.failoverTimeout)
            field("parallel-syncs", Int64(state.parallelSyncs))
            if let script = state.notificationScript { field("notification-script", script) }
            if let script = state.clientReconfigScript { field("client-reconfig-script", script) }
        }
        if instance.kind == .replica {
            field("master-link-down-time", instance.masterLinkDownTime)
            field("master-link-status", instance.replicaMasterLinkUp ? "ok" : "err")
            field("master-host", instance.replicaMasterHost ?? "?")
            field("master-port", Int64(instance.replicaMasterPort))
            field("slave-priority", Int64(instance.replicaPriority))
            field("slave-repl-offset", instance.replicaReplicationOffset)
            field("replica-announced", instance.replicaAnnounced ? "1" : "0")
        }
        if instance.kind == .sentinel {
            field("last-hello-message", now - instance.lastHelloTime)
            field("voted-leader", instance.leader ?? "?")
            field("voted-leader-epoch", Int64(instance.leaderEpoch))
        }
        return .map(entries)
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
        return names.joined(separator: ",")
    }
}
