extension Sentinel {
    /// One timer run (§2): TILT check, then per master — the master, its replicas and its
    /// sentinels (reconnect → periodic commands → unless TILT: SDOWN; masters also ODOWN,
    /// failover start, state machine, IS-MASTER-DOWN round; then, with forget-after, the
    /// unreachable peers are forgotten) — then scripts. Only what is due is visited
    /// (`DueSchedule`, `visitMasters`), in that order.
    mutating func runPeriodicWork(at time: Timestamp, turn: inout Turn) {
        let now = time.monotonic
        checkTilt(now: now, turn: &turn)
        visitMasters(now: now, turn: &turn)
        runDueScripts(now: now, turn: &turn)
        killOverdueScripts(now: now, turn: &turn)
    }

    /// TILT (§15): a gap between ticks above the trigger means the process was stalled (or the
    /// clock jumped), so the timing facts are unreliable for a while.
    mutating func checkTilt(now: Milliseconds, turn: inout Turn) {
        defer { lastTickTime = now }
        guard lastTickTime != 0 else { return }
        let delta = now - lastTickTime
        if delta < 0 || delta > timings.tiltTrigger {
            tilt = true
            tiltStartTime = now
            tiltCount += 1
            emitEvent(.tilt, message: "#tilt mode entered", turn: &turn)
        }
    }

    /// Reconnects, sends due periodic commands and (unless in TILT) checks SDOWN for one instance.
    mutating func handleInstance(_ instanceID: InstanceID, now: Milliseconds, turn: inout Turn) {
        reconnect(instanceID, now: now, turn: &turn)
        sendPeriodicCommands(instanceID, now: now, turn: &turn)
        if tilt {
            if now - tiltStartTime < timings.tiltPeriod { return }
            tilt = false
            emitEvent(.tiltExit, message: "#tilt mode exited", turn: &turn)
        }
        checkSubjectivelyDown(instanceID, now: now, turn: &turn)
    }

    /// INFO, PING and hello on a fully connected link under the pending limit (§2). Unlike
    /// Redis, an INFO or hello is not re-sent while one is still unanswered, so a stalled link
    /// does not pile up commands and replay them in a burst (§16.2).
    ///
    /// Runs for every due instance (`DueSchedule`), so it reads single fields rather than
    /// copying whole records.
    mutating func sendPeriodicCommands(_ instanceID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let linkID = instances.field(instanceID, \.link), links.field(linkID, \.isDisconnected) == false,
              let pendingCommands = links.field(linkID, \.pendingCommands), let referenceCount = links.field(linkID, \.referenceCount),
              pendingCommands < 100 * referenceCount,
              let kind = instances.field(instanceID, \.kind), let lastInfoTime = instances.field(instanceID, \.lastInfoTime)
        else { return }
        if kind != .sentinel && (lastInfoTime == 0 || now - lastInfoTime > infoPeriod(for: instanceID)),
           !awaitsReply(.info, for: instanceID, on: linkID) {
            sendCommand(["INFO"], to: instanceID, expecting: .info, turn: &turn)
        }
        // Half of down-after at most (Redis: down-after), so that a PING has waited half of it
        // by the time down-after has passed since the last reply (see `checkSubjectivelyDown`).
        let pingPeriod = min((instances.field(instanceID, \.downAfterMilliseconds) ?? 0) / 2, timings.pingPeriod)
        if let lastPongTime = links.field(linkID, \.lastPongTime), let lastPingTime = links.field(linkID, \.lastPingTime),
           now - lastPongTime > pingPeriod && now - lastPingTime > pingPeriod / 2 {
            sendPing(instanceID, now: now, turn: &turn)
        }
        if let lastPublishTime = instances.field(instanceID, \.lastPublishTime), now - lastPublishTime > timings.publishPeriod,
           !awaitsReply(.hello, for: instanceID, on: linkID) {
            sendHello(to: instanceID, turn: &turn)
        }
    }

    /// INFO every 10 s; every second for a replica whose master is ODOWN or failing over, or
    /// which reports its replication link down (§2), or — unlike Redis — which claims to be a
    /// master, so that a returning old master is converted promptly (§16.1). A replica being
    /// reconfigured by our failover is polled every tick.
    func infoPeriod(for instanceID: InstanceID) -> Milliseconds {
        guard let flags = instances.field(instanceID, \.flags) else { return timings.infoPeriod }
        if isAwaitingCoordinatedSwitch(instanceID) { return 100 }
        if flags.contains(.reconfigurationSent) || flags.contains(.reconfigurationInProgress) { return 100 }
        if instances.field(instanceID, \.kind) == .replica, let masterID = instances.field(instanceID, \.master), let masterFlags = instances.field(masterID, \.flags) {
            if masterFlags.contains(.objectivelyDown) || masterFlags.contains(.failoverInProgress)
                || instances.field(instanceID, \.masterLinkDownTime) != 0 || instances.field(instanceID, \.roleReported) == .master {
                return 1000
            }
        }
        return timings.infoPeriod
    }

    /// SDOWN (§5.1) and the link health checks: a command link with a ping outstanding for
    /// more than half of down-after and no reply at all for as long is closed; so is a silent
    /// pub/sub link.
    mutating func checkSubjectivelyDown(_ instanceID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let linkID = instances.field(instanceID, \.link), let link = links.field(linkID, \.health) else { return }
        // Unlike Redis, only a missing *command* connection counts as unreachable here: a
        // pub/sub connection dropped by the promotion's `CLIENT KILL TYPE pubsub` does not make
        // an instance that answers every PING look down.
        guard let kind = instances.field(instanceID, \.kind), let flags = instances.field(instanceID, \.flags),
              let downAfter = instances.field(instanceID, \.downAfterMilliseconds) else { return }
        // Unlike Redis, which counts from when the oldest unanswered PING was sent (so a hang
        // is found anywhere up to a ping period after down-after), the count starts at the
        // last valid reply, once the instance has had a fair chance to answer since: a PING
        // that waited half of down-after, a connection attempt pending as long, or one that
        // failed (refused, timed out). A PING written while connecting waits from the end of
        // the handshake (the network's time to connect is not the server's to answer in); one
        // left from a connection we closed as stuck keeps its age; one on a connection the
        // server ended counts for nothing. An instance that answered within down-after is
        // still never down.
        if kind == .master && now - link.lastAvailableTime > downAfter / 2 {
            restoreReplicasDroppedByReset(instanceID, now: now, turn: &turn)
        }
        var unanswered = false
        if now - link.lastAvailableTime > downAfter {
            var pingWait: Milliseconds = 0
            if link.activePingTime != 0 {
                if link.activePingTime < link.commandConnectedTime || link.commandConnection == nil {
                    pingWait = now - link.activePingTime
                } else if link.commandConnected {
                    pingWait = now - max(link.activePingTime, link.commandEstablishedTime)
                }
            }
            if pingWait > downAfter / 2 {
                unanswered = true
            } else if link.commandConnection != nil && !link.commandConnected {
                unanswered = now - link.commandConnectedTime > downAfter / 2
            } else if link.commandConnection == nil {
                unanswered = link.commandConnectFailureTime > link.lastAvailableTime
            }
        }
        if link.commandConnection != nil && now - link.commandConnectedTime > timings.minimumLinkReconnectPeriod
            && link.activePingTime != 0 && now - link.activePingTime > downAfter / 2 && now - link.lastPongTime > downAfter / 2 {
            closeConnection(link.commandConnection, turn: &turn)
        }
        if link.pubSubConnection != nil && now - link.pubSubConnectedTime > timings.minimumLinkReconnectPeriod
            && now - link.pubSubLastActivity > timings.publishPeriod * 3 {
            closeConnection(link.pubSubConnection, turn: &turn)
        }
        let masterRebootPeriod = kind == .master ? (masters.field(instanceID, \.masterRebootDownAfterPeriod) ?? 0) : 0
        let isDown = unanswered
            || (kind == .master && instances.field(instanceID, \.roleReported) == .replica
                && now - (instances.field(instanceID, \.roleReportedTime) ?? now) > downAfter + timings.infoPeriod * 2)
            || (flags.contains(.masterReboot) && now - (instances.field(instanceID, \.masterRebootSince) ?? now) > masterRebootPeriod)
        if isDown {
            if !flags.contains(.subjectivelyDown), let instance = instances[instanceID] {
                instances[instanceID]?.subjectivelyDownSince = now
                instances[instanceID]?.flags.insert(.subjectivelyDown)
                emitEvent(.subjectivelyDown, about: instance, turn: &turn)
            }
        } else if flags.contains(.subjectivelyDown), link.lastAvailableTime >= (instances.field(instanceID, \.subjectivelyDownSince) ?? 0),
                  let instance = instances[instanceID] {
            // Only a reply ends SDOWN: a new connection that has had no fair chance yet to
            // be answered makes an instance not down yet, not up again.
            instances[instanceID]?.flags.remove([.subjectivelyDown, .scriptKillSent])
            emitEvent(.subjectivelyUp, about: instance, turn: &turn)
        }
    }
}
