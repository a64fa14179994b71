import RESP

/// What made a master's failover advance now (§8): the timer, an INFO reply from one of its
/// replicas (a promotion, a reconfiguration's progress), or a peer's answer to a vote request.
/// Each state acts on the triggers it waits for and ignores the others.
enum FailoverTrigger: Equatable {
    case timer
    case info(from: InstanceID)
    case peerAnswer
}

/// The failover of one master, top to bottom (§7, §8, like `sentinel.c`'s
/// `sentinelFailover*`): how it starts, then one function per state, all driven by
/// `advanceFailover`. The election itself is in `Election.swift`.
extension Sentinel {
    // MARK: Start
    /// Starts a failover when the master is ODOWN, none is in progress, and the last attempt
    /// (ours, or a vote we gave) is older than 2 × failover-timeout (§7). With no attempt yet
    /// there is nothing to wait for (the monotonic clock starts at boot, so "older than" would
    /// otherwise hold back the first failover of a freshly booted machine).
    mutating func startFailoverIfNeeded(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) -> Bool {
        guard let master = instances[masterID], let state = masters[masterID] else { return false }
        guard master.flags.contains(.objectivelyDown), !master.flags.contains(.failoverInProgress) else { return false }
        // Started without its state: no election before the epochs are learned (`EpochLearning`).
        if isLearningEpochs { return false }
        if state.failoverStartTime != 0 && now - state.failoverStartTime < state.failoverTimeout * 2 {
            if state.failoverDelayLogged != state.failoverStartTime {
                masters[masterID]?.failoverDelayLogged = state.failoverStartTime
                let wallClock = state.failoverStartTime + state.failoverTimeout * 2 - now + lastWallClock
                log(.warning, "Next failover delay: I will not start a failover before \(CalendarTime(unixMilliseconds: wallClock).ctimeText)", turn: &turn)
            }
            return false
        }
        return startFailover(masterID, now: now, turn: &turn)
    }

    /// Enters `wait_start` with a new epoch (§7): `+new-epoch`, `+try-failover`, and a start
    /// time desynchronised by up to one second. False when no new epoch is left (the current
    /// one is `InputLimits.maximumEpoch`): the attempt then counts as made, so the next one
    /// waits 2 × failover-timeout like after any failed attempt.
    @discardableResult
    mutating func startFailover(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) -> Bool {
        guard let master = instances[masterID] else { return false }
        guard currentEpoch < InputLimits.maximumEpoch else {
            masters[masterID]?.failoverStartTime = now
            log(.warning, "Failover of \(master.name) not started: the current epoch \(currentEpoch) is the largest possible", turn: &turn)
            return false
        }
        masters[masterID]?.failoverState = .waitStart
        masters[masterID]?.splitElectionRestarts = 0
        masters[masterID]?.failoverStartTime = now + Milliseconds(random.next() % 1000)
        instances[masterID]?.flags.insert(.failoverInProgress)
        beginElection(masterID, now: now, turn: &turn)
        refreshReplicaInfo(masterID, turn: &turn)
        return true
    }

    /// Asks the master's connected replicas for INFO at once (unless one is in flight): from
    /// now on replicas are polled every second (§2), and the selection needs INFO younger
    /// than 5 s while the master is SDOWN (§8.2) — the regular 10 s poll is usually older.
    mutating func refreshReplicaInfo(_ masterID: InstanceID, turn: inout Turn) {
        for replicaID in masters[masterID]?.replicas ?? [] {
            guard let linkID = instances.field(replicaID, \.link), links.field(linkID, \.isDisconnected) == false,
                  !awaitsReply(.info, for: replicaID, on: linkID) else { continue }
            sendCommand(["INFO"], to: replicaID, expecting: .info, turn: &turn)
        }
    }

    /// Whether an INFO request to one of the master's replicas is still unanswered.
    func replicaInfoInFlight(_ masterID: InstanceID) -> Bool {
        (masters[masterID]?.replicas ?? []).contains { replicaID in
            guard let linkID = instances.field(replicaID, \.link) else { return false }
            return awaitsReply(.info, for: replicaID, on: linkID)
        }
    }

    // MARK: Advancing

    /// The one entry point of the state machine, from the tick, the INFO handler and the
    /// vote replies: runs the current state; when it moves on, the next state runs at once
    /// (with what is already known, as after a tick), so a failover advances the moment its
    /// input arrives instead of on the next tick. It stops at a state that waits, after an
    /// abort, or when the process is to exit.
    mutating func advanceFailover(_ masterID: InstanceID, after trigger: FailoverTrigger, now: Milliseconds, turn: inout Turn) {
        guard instances.field(masterID, \.flags)?.contains(.failoverInProgress) == true else {
            if masters.field(masterID, \.failoverState) == .updateConfig { failoverUpdateConfig(masterID, now: now, turn: &turn) }
            return
        }
        var trigger = trigger
        while !isExiting, let state = masters.field(masterID, \.failoverState) {
            switch state {
            case .waitStart: failoverWaitStart(masterID, after: trigger, now: now, turn: &turn)
            case .selectReplica: failoverSelectReplica(masterID, now: now, turn: &turn)
            case .sendReplicaOfNoOne: failoverSendReplicaOfNoOne(masterID, now: now, turn: &turn)
            case .waitPromotion: failoverWaitPromotion(masterID, after: trigger, now: now, turn: &turn)
            case .reconfigureReplicas: failoverReconfigureReplicas(masterID, after: trigger, now: now, turn: &turn)
            case .updateConfig: failoverUpdateConfig(masterID, now: now, turn: &turn)
            case .none: return
            }
            // States only move forward, and `update_config` ends with a reset to `none`, so
            // this loop runs each state at most once.
            guard masters.field(masterID, \.failoverState) != state else { return }
            trigger = .timer
        }
    }

    /// `wait_start` (§7, §8.1), on the timer and on peers' answers: without a majority and
    /// quorum of votes at our failover's epoch, give up after min(election timeout,
    /// failover-timeout); a forced failover needs no votes.
    mutating func failoverWaitStart(_ masterID: InstanceID, after trigger: FailoverTrigger, now: Milliseconds, turn: inout Turn) {
        if case .info = trigger { return }
        guard let state = masters[masterID], let master = instances[masterID] else { return }
        // Unlike Redis, an election stops when the master is no longer objectively down (it
        // came back, or the peers stopped agreeing): nothing is left to fail over.
        if !master.flags.contains(.forceFailover) && !master.flags.contains(.objectivelyDown) {
            emitEvent(.failoverAbortMasterUp, about: master, turn: &turn)
            abortFailover(masterID, now: now)
            // Nothing was done against the master, so a new attempt need not wait for the
            // 2 × failover-timeout that protects a peer's attempt.
            masters[masterID]?.failoverStartTime = 0
            return
        }
        castOwnVote(masterID, epoch: state.failoverEpoch, now: now, turn: &turn)
        let leader = electionWinner(masterID, epoch: state.failoverEpoch)
        let isLeader = leader?.lowercased() == myID.lowercased()
        if leader == nil && !master.flags.contains(.forceFailover)
            && now - state.failoverStateChangeTime >= Sentinel.splitElectionRestartDelay
            && state.splitElectionRestarts < Sentinel.maximumSplitElectionRestarts
            && currentEpoch < InputLimits.maximumEpoch
            && shouldRestartSplitElection(masterID, epoch: state.failoverEpoch) {
            log(.warning, "Split vote for \(master.name) at epoch \(state.failoverEpoch): starting a new election", turn: &turn)
            masters[masterID]?.splitElectionRestarts += 1
            beginElection(masterID, now: now, turn: &turn)
            askOtherSentinels(about: masterID, forced: true, now: now, turn: &turn)
            return
        }
        if !isLeader && !master.flags.contains(.forceFailover) {
            if now - state.failoverStartTime > min(timings.electionTimeout, state.failoverTimeout) {
                emitEvent(.failoverAbortNotElected, about: master, turn: &turn)
                abortFailover(masterID, now: now)
            }
            return
        }
        emitEvent(.electedLeader, about: master, turn: &turn)
        if simulateFailureFlags.contains(.crashAfterElection) {
            log(.warning, "Sentinel CRASH because of SENTINEL simulate-failure", turn: &turn)
            exitProcess(code: 99, turn: &turn)
            return
        }
        setFailoverState(masterID, .selectReplica, now: now)
        emitEvent(.failoverStateSelectReplica, about: master, turn: &turn)
    }

    /// `select_slave` (§8.2).
    mutating func failoverSelectReplica(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let master = instances[masterID] else { return }
        guard let replicaID = selectReplicaForPromotion(masterID, now: now), let replica = instances[replicaID] else {
            // Redis selects a tick or two after the election, when the INFO asked for at the
            // failover start has arrived; an election won at once must wait for it too (up to
            // one ping period) instead of judging the replicas by their 10 s old INFO.
            if replicaInfoInFlight(masterID), let state = masters[masterID], now - state.failoverStateChangeTime < timings.pingPeriod {
                return
            }
            emitEvent(.failoverAbortNoGoodReplica, about: master, turn: &turn)
            abortFailover(masterID, now: now)
            return
        }
        emitEvent(.selectedReplica, about: replica, turn: &turn)
        instances[replicaID]?.flags.insert(.promoted)
        masters[masterID]?.promotedReplica = replicaID
        setFailoverState(masterID, .sendReplicaOfNoOne, now: now)
        emitEvent(.failoverStateSendReplicaOfNoOne, about: replica, turn: &turn)
    }

    /// The replica to promote (§8.2): not SDOWN/ODOWN or disconnected, a valid PING reply
    /// within 5 ping periods, priority > 0, INFO younger than 5 ping periods (master SDOWN)
    /// or 3 INFO periods, and a replication link not down for longer than the master has been
    /// down plus 10 × down-after. Best first: lower priority, higher offset, smaller run id.
    func selectReplicaForPromotion(_ masterID: InstanceID, now: Milliseconds) -> InstanceID? {
        guard let master = instances[masterID], let state = masters[masterID] else { return nil }
        var maximumMasterDownTime: Milliseconds = 0
        if master.flags.contains(.subjectivelyDown) { maximumMasterDownTime += now - master.subjectivelyDownSince }
        maximumMasterDownTime += master.downAfterMilliseconds * 10
        let infoValidity = master.flags.contains(.subjectivelyDown) ? timings.pingPeriod * 5 : timings.infoPeriod * 3
        let candidates = state.replicas.compactMap { instances[$0] }.filter { replica in
            guard let link = links[replica.link] else { return false }
            return !replica.flags.contains(.subjectivelyDown) && !replica.flags.contains(.objectivelyDown)
                && !link.isDisconnected
                && now - link.lastAvailableTime <= timings.pingPeriod * 5
                && replica.replicaPriority != 0
                && now - replica.lastInfoTime <= infoValidity
                && replica.masterLinkDownTime <= maximumMasterDownTime
        }
        return candidates.min(by: Sentinel.isBetterPromotionCandidate)?.id
    }

    /// Promotion order (§8.2): lower `slave-priority`, then higher replication offset, then
    /// smaller run id (case-insensitive; unknown run ids last).
    static func isBetterPromotionCandidate(_ a: MonitoredInstance, _ b: MonitoredInstance) -> Bool {
        if a.replicaPriority != b.replicaPriority { return a.replicaPriority < b.replicaPriority }
        if a.replicaReplicationOffset != b.replicaReplicationOffset { return a.replicaReplicationOffset > b.replicaReplicationOffset }
        switch (a.runID, b.runID) {
        case (nil, nil): return false
        case (nil, _): return false
        case (_, nil): return true
        case (let x?, let y?): return x.lowercased() < y.lowercased()
        }
    }

    /// `send_slaveof_noone` (§8.3): waits for the promoted replica's link, then sends the
    /// promotion transaction followed at once by an INFO, whose reply shows the new role
    /// without waiting for the next poll.
    mutating func failoverSendReplicaOfNoOne(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let state = masters[masterID], let replicaID = state.promotedReplica,
              let replica = instances[replicaID], let link = links[replica.link] else { return }
        if state.coordinatedFailover?.phase == .requested && sendServerFailover(masterID, now: now, turn: &turn) {
            return
        }
        if link.isDisconnected {
            if now - state.failoverStateChangeTime > state.failoverTimeout, let master = instances[masterID] {
                emitEvent(.failoverAbortReplicaTimeout, about: master, turn: &turn)
                abortFailover(masterID, now: now)
            }
            return
        }
        guard sendReplicaOf(replicaID, target: nil, turn: &turn) else { return }
        sendCommand(["INFO"], to: replicaID, expecting: .info, turn: &turn)
        emitEvent(.failoverStateWaitPromotion, about: replica, turn: &turn)
        setFailoverState(masterID, .waitPromotion, now: now)
    }

    /// `wait_promotion` (§8.4): an INFO from the promoted replica reporting `role:master`
    /// ends it (§8.5); on the timer, a coordinated failover is watched and, after
    /// failover-timeout, the failover is aborted.
    mutating func failoverWaitPromotion(_ masterID: InstanceID, after trigger: FailoverTrigger, now: Milliseconds, turn: inout Turn) {
        guard let state = masters[masterID], let promotedID = state.promotedReplica else { return }
        switch trigger {
        case .info(let from):
            if from == promotedID, instances.field(promotedID, \.roleReported) == .master {
                promotionObserved(masterID: masterID, replicaID: promotedID, now: now, turn: &turn)
            }
        case .timer:
            checkCoordinatedFailover(masterID, now: now, turn: &turn)
            if masters.field(masterID, \.failoverState) == .waitPromotion,
               let changed = masters.field(masterID, \.failoverStateChangeTime), now - changed > state.failoverTimeout,
               let master = instances[masterID] {
                emitEvent(.failoverAbortReplicaTimeout, about: master, turn: &turn)
                abortFailover(masterID, now: now)
            }
        case .peerAnswer:
            break
        }
    }

    /// §8.5: the promoted replica reports `role:master`. From here the failover cannot be
    /// aborted: the config epoch becomes the failover epoch, the state is persisted before
    /// anyone hears of it, and hellos go out at once.
    mutating func promotionObserved(masterID: InstanceID, replicaID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let state = masters[masterID], let master = instances[masterID], let replica = instances[replicaID] else { return }
        masters[masterID]?.configEpoch = state.failoverEpoch
        setFailoverState(masterID, .reconfigureReplicas, now: now)
        persistConfiguration(turn: &turn)
        emitEvent(.promotedReplica, about: replica, turn: &turn)
        if simulateFailureFlags.contains(.crashAfterPromotion) {
            log(.warning, "Sentinel CRASH because of SENTINEL simulate-failure", turn: &turn)
            exitProcess(code: 99, turn: &turn)
            return
        }
        emitEvent(.failoverStateReconfigureReplicas, about: master, turn: &turn)
        runClientReconfigScript(masterID, role: "leader", from: master.address, to: replica.address, turn: &turn)
        announceConfiguration(ofMaster: masterID, now: now, turn: &turn)
    }

    /// `reconf_slaves` (§8.7): a replica's INFO shows its progress (`reconf_inprog` once it
    /// names the promoted replica as its master, `reconf_done` once that link is up); a
    /// replica done, or the timer, moves the reconfiguration on.
    mutating func failoverReconfigureReplicas(_ masterID: InstanceID, after trigger: FailoverTrigger, now: Milliseconds, turn: inout Turn) {
        switch trigger {
        case .info(let replicaID):
            guard noteReconfigurationProgress(of: replicaID, in: masterID, turn: &turn) else { return }
        case .timer:
            break
        case .peerAnswer:
            return
        }
        reconfigureNextReplicas(masterID, now: now, turn: &turn)
    }

    /// A reconfigured replica's INFO (§8.7): `+slave-reconf-inprog` when it replicates from
    /// the promoted replica, `+slave-reconf-done` when that link is up. True when it is done.
    mutating func noteReconfigurationProgress(of replicaID: InstanceID, in masterID: InstanceID, turn: inout Turn) -> Bool {
        guard let replica = instances[replicaID], replica.roleReported == .replica,
              replica.flags.contains(.reconfigurationSent) || replica.flags.contains(.reconfigurationInProgress),
              let promotedID = masters[masterID]?.promotedReplica, let promoted = instances[promotedID] else { return false }
        if replica.flags.contains(.reconfigurationSent), let host = replica.replicaMasterHost,
           sameHost(host, promoted.address.host), replica.replicaMasterPort == promoted.address.port {
            instances[replicaID]?.flags.remove(.reconfigurationSent)
            instances[replicaID]?.flags.insert(.reconfigurationInProgress)
            emitEvent(.replicaReconfigurationInProgress, about: instances[replicaID]!, turn: &turn)
        }
        guard instances[replicaID]!.flags.contains(.reconfigurationInProgress) && replica.replicaMasterLinkUp else { return false }
        instances[replicaID]?.flags.remove(.reconfigurationInProgress)
        instances[replicaID]?.flags.insert(.reconfigurationDone)
        emitEvent(.replicaReconfigurationDone, about: instances[replicaID]!, turn: &turn)
        return true
    }

    /// SLAVEOF the promoted replica to up to `parallel-syncs` replicas at a time (each
    /// followed by an INFO to see progress sooner); a `reconf_sent` older than the reconf
    /// timeout counts as done; then the end check.
    mutating func reconfigureNextReplicas(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let state = masters[masterID], let promotedID = state.promotedReplica, let promoted = instances[promotedID] else { return }
        var inProgress = state.replicas.filter { id in
            instances[id].map { $0.flags.contains(.reconfigurationSent) || $0.flags.contains(.reconfigurationInProgress) } ?? false
        }.count
        for replicaID in state.replicas where inProgress < state.parallelSyncs {
            guard let replica = instances[replicaID] else { continue }
            if replica.flags.contains(.promoted) || replica.flags.contains(.reconfigurationDone) { continue }
            if replica.flags.contains(.reconfigurationSent) && now - replica.reconfigurationSentTime > timings.replicaReconfigurationTimeout {
                instances[replicaID]?.flags.remove(.reconfigurationSent)
                instances[replicaID]?.flags.insert(.reconfigurationDone)
                emitEvent(.replicaReconfigurationSentTimeout, about: replica, turn: &turn)
            }
            guard let current = instances[replicaID] else { continue }
            if current.flags.contains(.reconfigurationSent) || current.flags.contains(.reconfigurationInProgress) { continue }
            if links[current.link]?.isDisconnected ?? true { continue }
            if current.flags.contains(.reconfigurationDone) { continue }
            if sendReplicaOf(replicaID, target: promoted.address, turn: &turn) {
                sendCommand(["INFO"], to: replicaID, expecting: .info, turn: &turn)
                instances[replicaID]?.flags.insert(.reconfigurationSent)
                instances[replicaID]?.reconfigurationSentTime = now
                emitEvent(.replicaReconfigurationSent, about: current, turn: &turn)
                inProgress += 1
            }
        }
        detectFailoverEnd(masterID, now: now, turn: &turn)
    }

    /// End check (§8.7): done when every replica is promoted, reconfigured or SDOWN (and the
    /// promoted one is up), or when the state is older than failover-timeout — then a
    /// best-effort SLAVEOF goes to the replicas not yet told.
    mutating func detectFailoverEnd(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let state = masters[masterID], let master = instances[masterID],
              let promotedID = state.promotedReplica, let promoted = instances[promotedID],
              !promoted.flags.contains(.subjectivelyDown) else { return }
        var notReconfigured = state.replicas.compactMap { instances[$0] }.filter { replica in
            !replica.flags.contains(.promoted) && !replica.flags.contains(.reconfigurationDone) && !replica.flags.contains(.subjectivelyDown)
        }.count
        var timedOut = false
        if now - state.failoverStateChangeTime > state.failoverTimeout {
            notReconfigured = 0
            timedOut = true
            emitEvent(.failoverEndForTimeout, about: master, turn: &turn)
        }
        if notReconfigured == 0 {
            emitEvent(.failoverEnd, about: master, turn: &turn)
            setFailoverState(masterID, .updateConfig, now: now)
        }
        if timedOut {
            for replicaID in state.replicas {
                guard let replica = instances[replicaID] else { continue }
                if replica.flags.contains(.promoted) || replica.flags.contains(.reconfigurationDone) || replica.flags.contains(.reconfigurationSent) { continue }
                if links[replica.link]?.isDisconnected ?? true { continue }
                if sendReplicaOf(replicaID, target: promoted.address, turn: &turn) {
                    emitEvent(.replicaReconfigurationSentBestEffort, about: replica, turn: &turn)
                    instances[replicaID]?.flags.insert(.reconfigurationSent)
                }
            }
        }
    }

    /// `update_config` (§9.1): `+switch-master`, then the master is reset onto the promoted
    /// replica's address.
    mutating func failoverUpdateConfig(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let state = masters[masterID], let master = instances[masterID] else { return }
        let target = state.promotedReplica.flatMap { instances[$0]?.address } ?? master.address
        emitEvent(.switchMaster, message: "\(master.name) \(announcedHost(master.address)) \(master.address.port) \(announcedHost(target)) \(target.port)", notifying: masterID, turn: &turn)
        resetMasterAndChangeAddress(masterID, to: target, now: now, turn: &turn)
    }

    /// Aborts a failover that has not reached promotion (§8.8). The start time stays, so the
    /// next attempt waits 2 × failover-timeout.
    mutating func abortFailover(_ masterID: InstanceID, now: Milliseconds) {
        instances[masterID]?.flags.remove([.failoverInProgress, .forceFailover])
        masters[masterID]?.failoverState = .none
        masters[masterID]?.failoverStateChangeTime = now
        masters[masterID]?.coordinatedFailover = nil
        if let promoted = masters[masterID]?.promotedReplica {
            instances[promoted]?.flags.remove(.promoted)
            masters[masterID]?.promotedReplica = nil
        }
    }

    /// A config epoch adopted from a peer at or above the epoch of our own failover, before
    /// the promotion, outdates that failover: the promotion would give the master the failover
    /// epoch, lower than one the fleet already knows, and the views would split. Redis 7.0
    /// promotes anyway; here the failover is aborted and the newer configuration stands.
    mutating func abortFailoverOutdated(byConfigEpoch configEpoch: UInt64, of masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let state = masters[masterID], state.failoverEpoch <= configEpoch, let master = instances[masterID] else { return }
        switch state.failoverState {
        case .waitStart, .selectReplica, .sendReplicaOfNoOne, .waitPromotion:
            emitEvent(.failoverAbortNewerConfiguration, about: master, turn: &turn)
            abortFailover(masterID, now: now)
        case .none, .reconfigureReplicas, .updateConfig:
            break
        }
    }

    mutating func setFailoverState(_ masterID: InstanceID, _ state: FailoverState, now: Milliseconds) {
        masters[masterID]?.failoverState = state
        masters[masterID]?.failoverStateChangeTime = now
    }
}
