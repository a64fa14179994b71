extension Sentinel {
    /// One tick's visits (§2) in the reference order — per master in `masterOrder`: the
    /// master, its agreement/failover step, its replicas, its sentinels, forgetting — but only
    /// of what `DueSchedule` says is due. Everything is visited while `visitsEveryInstance` is
    /// set, in TILT, while learning the epochs, and when an input woke everything.
    mutating func visitMasters(now: Milliseconds, turn: inout Turn) {
        if visitsEveryInstance || schedule.everythingDue || tilt || isLearningEpochs {
            if !visitsEveryInstance { schedule.clearMasters() }
            for masterID in masterOrder where masters.field(masterID, \.id) != nil {
                visitMaster(masterID, whole: true, now: now, turn: &turn)
            }
            return
        }
        visitDueMasters(now: now, turn: &turn)
    }

    /// The due masters in `masterOrder` order. Master ids grow in the order masters are added
    /// (`masterOrder` only appends new ids and removes), so that order is the ids' order. A
    /// master woken during the tick is visited in it when it comes after the one being visited
    /// (as the reference would reach it later in the same tick), else at the next tick.
    mutating func visitDueMasters(now: Milliseconds, turn: inout Turn) {
        var queue = schedule.popDueMasters(upTo: now).sorted { $0.rawValue < $1.rawValue }
        var index = 0
        var lastVisited: UInt64 = 0
        var deferred: [InstanceID] = []
        while index < queue.count {
            let masterID = queue[index]
            index += 1
            lastVisited = masterID.rawValue
            if masters.field(masterID, \.id) != nil {
                visitMaster(masterID, whole: false, now: now, turn: &turn)
            }
            for woken in schedule.popDueMasters(upTo: now) {
                if woken.rawValue > lastVisited {
                    let position = queue[index...].firstIndex { $0.rawValue >= woken.rawValue } ?? queue.endIndex
                    if position == queue.endIndex || queue[position] != woken { queue.insert(woken, at: position) }
                } else {
                    deferred.append(woken)
                }
            }
        }
        for masterID in deferred { schedule.schedule(masterID, at: now) }
    }

    /// Visits one master: everything when `whole` (or it was woken whole), else what is due;
    /// an active master (`isActive`) has its step and all its instances visited. Then the
    /// master's place in the heap: the earliest due time of its instances and its step, not
    /// before the next tick. A visited instance's due time is computed again right after its
    /// visit, and every instance's when the step ran (a failover's states and a reset change
    /// facts of instances visited before it or not at all); computing one from the facts as
    /// they are now is always right, woken or not.
    mutating func visitMaster(_ masterID: InstanceID, whole: Bool, now: Milliseconds, turn: inout Turn) {
        let whole = whole || schedule.takeWholeMasterWake(masterID)
        let masterDue = whole || schedule.isInstanceDue(masterID, now: now)
        if masterDue { visitInstance(masterID, now: now, turn: &turn) }
        let stepDue = whole || schedule.isStepDue(masterID, now: now) || isActive(masterID)
        if stepDue { handleMasterAgreementAndFailover(masterID, now: now, turn: &turn) }
        // Without the step nothing made the master active (it was not before).
        let all = whole || (stepDue && isActive(masterID))
        let reschedules = !visitsEveryInstance
        let nextTick = Sentinel.later(now, 1)
        var earliest = Milliseconds.max
        if reschedules && (masterDue || stepDue) { schedule.setInstanceDue(masterID, max(nextVisitTime(of: masterID, now: now), nextTick)) }
        if reschedules { earliest = schedule.instanceDueTime(masterID) }
        for replica in masters.field(masterID, \.replicas) ?? [] {
            let due = all || schedule.isInstanceDue(replica, now: now)
            if due { visitInstance(replica, now: now, turn: &turn) }
            guard reschedules else { continue }
            if due || stepDue { schedule.setInstanceDue(replica, max(nextVisitTime(of: replica, now: now), nextTick)) }
            earliest = min(earliest, schedule.instanceDueTime(replica))
        }
        for peer in masters.field(masterID, \.sentinels) ?? [] {
            let due = all || schedule.isInstanceDue(peer, now: now)
            if due { visitInstance(peer, now: now, turn: &turn) }
            guard reschedules else { continue }
            if due || stepDue { schedule.setInstanceDue(peer, max(nextVisitTime(of: peer, now: now), nextTick)) }
            earliest = min(earliest, schedule.instanceDueTime(peer))
        }
        if stepDue { forgetUnreachableInstances(masterID, now: now, turn: &turn) }
        guard reschedules, masters.field(masterID, \.id) != nil else { return }
        if stepDue { schedule.setStepDue(masterID, max(nextStepTime(of: masterID, now: now), nextTick)) }
        earliest = min(earliest, schedule.stepDueTime(masterID))
        if earliest < .max { schedule.schedule(masterID, at: max(earliest, nextTick)) }
    }

    mutating func visitInstance(_ instanceID: InstanceID, now: Milliseconds, turn: inout Turn) {
        schedule.countVisit()
        handleInstance(instanceID, now: now, turn: &turn)
    }

    /// A master whose agreement and failover act on time alone, so its step and all its
    /// instances are visited at every tick: SDOWN, ODOWN, failing over (or a failover state
    /// left, a coordinated failover), or peers' down reports and votes held (they expire after
    /// five ask periods: `peerOpinionsHeld`).
    func isActive(_ masterID: InstanceID) -> Bool {
        guard let flags = instances.field(masterID, \.flags) else { return false }
        if !flags.isDisjoint(with: [.subjectivelyDown, .objectivelyDown, .failoverInProgress]) { return true }
        if masters.field(masterID, \.failoverState) != FailoverState.none || masters.field(masterID, \.coordinatedFailover) != nil { return true }
        return masters.field(masterID, \.peerOpinionsHeld) == true
    }

    /// The earliest time at which visiting an instance (`handleInstance`) could do anything,
    /// from the facts it reads: reconnecting once a ping period after the last attempt; INFO,
    /// PING and hello by their periods on a connected link (a pending INFO or hello is ended
    /// by its reply, which wakes the instance); SDOWN and the link health checks by their
    /// thresholds; a master holding the replicas a reset dropped by half of down-after
    /// without a reply (`restoreReplicasDroppedByReset`). An SDOWN instance, a link at its pending limit and TILT are due at the next
    /// tick. Where SDOWN's rule is intricate the bound is its first gate (no valid reply for
    /// down-after), then every tick until it is decided.
    func nextVisitTime(of instanceID: InstanceID, now: Milliseconds) -> Milliseconds {
        let nextTick = Sentinel.later(now, 1)
        guard !tilt, let instance = instances.field(instanceID, \.scheduleFacts),
              let link = links.field(instance.link, \.scheduleFacts) else { return nextTick }
        if instance.flags.contains(.subjectivelyDown) { return nextTick }
        let downAfter = instance.downAfter
        var due = Milliseconds.max
        if link.isDisconnected && instance.port != 0 {
            if !link.hasCommandConnection { due = min(due, Sentinel.later(link.lastCommandReconnectTime, timings.pingPeriod)) }
            if link.needsPubSub && !link.hasPubSubConnection { due = min(due, Sentinel.later(link.lastPubSubReconnectTime, timings.pingPeriod)) }
        }
        if !link.isDisconnected {
            if link.pendingCommands >= 100 * link.referenceCount { return nextTick }
            if instance.kind != .sentinel && links.field(instance.link, \.pendingReplies)?.contains(.info, for: instanceID) == false {
                due = min(due, instance.lastInfoTime == 0 ? nextTick : Sentinel.later(instance.lastInfoTime, infoPeriod(for: instanceID), 1))
            }
            let pingPeriod = min(downAfter / 2, timings.pingPeriod)
            due = min(due, max(Sentinel.later(link.lastPongTime, pingPeriod, 1), Sentinel.later(link.lastPingTime, pingPeriod / 2, 1)))
            if links.field(instance.link, \.pendingReplies)?.contains(.hello, for: instanceID) == false {
                due = min(due, Sentinel.later(instance.lastPublishTime, timings.publishPeriod, 1))
            }
        }
        due = min(due, Sentinel.later(link.lastAvailableTime, downAfter, 1))
        if instance.kind == .master && masters.field(instanceID, \.replicasBeforeReset.isEmpty) == false {
            due = min(due, Sentinel.later(link.lastAvailableTime, downAfter / 2, 1))
        }
        if link.hasCommandConnection && link.activePingTime != 0 {
            due = min(due, max(Sentinel.later(link.commandConnectedTime, timings.minimumLinkReconnectPeriod, 1),
                               Sentinel.later(link.activePingTime, downAfter / 2, 1), Sentinel.later(link.lastPongTime, downAfter / 2, 1)))
        }
        if link.hasPubSubConnection {
            due = min(due, max(Sentinel.later(link.pubSubConnectedTime, timings.minimumLinkReconnectPeriod, 1),
                               Sentinel.later(link.pubSubLastActivity, Sentinel.later(timings.publishPeriod, timings.publishPeriod, timings.publishPeriod), 1)))
        }
        if instance.kind == .master && instance.roleReported == .replica {
            due = min(due, Sentinel.later(instance.roleReportedTime, Sentinel.later(downAfter, timings.infoPeriod, timings.infoPeriod), 1))
        }
        if instance.flags.contains(.masterReboot) {
            let period = instance.kind == .master ? (masters.field(instanceID, \.masterRebootDownAfterPeriod) ?? 0) : 0
            due = min(due, Sentinel.later(instance.masterRebootSince, period, 1))
        }
        return due
    }

    /// The earliest time at which a master's step (agreement, failover, forgetting) could do
    /// anything: the next tick while active, in TILT or learning the epochs; else, when peers
    /// are forgotten, when the first one has been unreachable for forget-after (the most
    /// sentinels seen alive rises only with a reply or a connection, which wake the master).
    func nextStepTime(of masterID: InstanceID, now: Milliseconds) -> Milliseconds {
        let nextTick = Sentinel.later(now, 1)
        if tilt || isLearningEpochs || isActive(masterID) { return nextTick }
        guard forgetsUnreachable else { return .max }
        let forgetAfter = configuration.container.forgetAfterMilliseconds
        var due = Milliseconds.max
        for peer in masters.field(masterID, \.sentinels) ?? [] {
            guard let lastHello = instances.field(peer, \.lastHelloTime), let linkID = instances.field(peer, \.link),
                  let lastAnswer = links.field(linkID, \.lastAvailableTime) else { return nextTick }
            due = min(due, Sentinel.later(max(lastHello, lastAnswer), forgetAfter))
        }
        return due
    }

    /// `time` plus `delay`, saturating at the extreme times (a due time never traps).
    static func later(_ time: Milliseconds, _ delay: Milliseconds) -> Milliseconds {
        let (sum, overflow) = time.addingReportingOverflow(delay)
        return overflow ? (delay > 0 ? .max : .min) : sum
    }

    /// `time` plus both delays, saturating.
    static func later(_ time: Milliseconds, _ delay: Milliseconds, _ other: Milliseconds) -> Milliseconds {
        later(later(time, delay), other)
    }
}

/// What `Sentinel.nextVisitTime(of:now:)` reads of an instance, without its references (read
/// in place with `KeyedTable.field`: copying the whole record costs more than the visit).
struct InstanceScheduleFacts {
    var kind: InstanceKind
    var flags: InstanceFlags
    var link: LinkID
    var port: Int
    var downAfter: Milliseconds
    var lastInfoTime: Milliseconds
    var lastPublishTime: Milliseconds
    var roleReported: ReportedRole
    var roleReportedTime: Milliseconds
    var masterRebootSince: Milliseconds
}

extension MonitoredInstance {
    var scheduleFacts: InstanceScheduleFacts {
        InstanceScheduleFacts(kind: kind, flags: flags, link: link, port: address.port, downAfter: downAfterMilliseconds,
                              lastInfoTime: lastInfoTime, lastPublishTime: lastPublishTime, roleReported: roleReported,
                              roleReportedTime: roleReportedTime, masterRebootSince: masterRebootSince)
    }
}

/// What `Sentinel.nextVisitTime(of:now:)` reads of a link, without its references.
struct LinkScheduleFacts {
    var isDisconnected: Bool
    var needsPubSub: Bool
    var hasCommandConnection: Bool
    var hasPubSubConnection: Bool
    var pendingCommands: Int
    var referenceCount: Int
    var lastCommandReconnectTime: Milliseconds
    var lastPubSubReconnectTime: Milliseconds
    var commandConnectedTime: Milliseconds
    var pubSubConnectedTime: Milliseconds
    var pubSubLastActivity: Milliseconds
    var lastAvailableTime: Milliseconds
    var activePingTime: Milliseconds
    var lastPingTime: Milliseconds
    var lastPongTime: Milliseconds
}

extension InstanceLink {
    var scheduleFacts: LinkScheduleFacts {
        LinkScheduleFacts(isDisconnected: isDisconnected, needsPubSub: needsPubSub, hasCommandConnection: commandConnection != nil,
                          hasPubSubConnection: pubSubConnection != nil, pendingCommands: pendingCommands, referenceCount: referenceCount,
                          lastCommandReconnectTime: lastCommandReconnectTime, lastPubSubReconnectTime: lastPubSubReconnectTime,
                          commandConnectedTime: commandConnectedTime, pubSubConnectedTime: pubSubConnectedTime,
                          pubSubLastActivity: pubSubLastActivity, lastAvailableTime: lastAvailableTime,
                          activePingTime: activePingTime, lastPingTime: lastPingTime, lastPongTime: lastPongTime)
    }
}
