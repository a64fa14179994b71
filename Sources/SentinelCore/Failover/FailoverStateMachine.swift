import RESP

extension Sentinel {
    /// Starts a failover when the master is ODOWN, none is in progress, and the last attempt
    /// (ours, or a vote we gave) is older than 2 × failover-timeout (§7). With no attempt yet
    /// there is nothing to wait for (the monotonic clock starts at boot, so "older than" would
    /// otherwise hold back the first failover of a freshly booted machine).
    mutating func startFailoverIfNeeded(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) -> Bool {
        guard let master = instances[masterID], let state = masters[masterID] else { return false }
        guard master.flags.contains(.objectivelyDown), !master.flags.contains(.failoverInProgress) else { return false }
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

    /// A new election in `wait_start`: the next epoch (made durable before anyone hears of
    /// it), `+new-epoch` and `+try-failover`. Callers make sure the current epoch is below
    /// `InputLimits.maximumEpoch`.
    mutating func beginElection(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let master = instances[masterID] else { return }
        currentEpoch += 1
        persistConfiguration(turn: &turn)
        masters[masterID]?.failoverEpoch = currentEpoch
        masters[masterID]?.failoverStateChangeTime = now
        emitEvent(.newEpoch, message: String(currentEpoch), notifying: masterID, turn: &turn)
        emitEvent(.tryFailover, about: master, turn: &turn)
    }

    /// Asks the master's connected replicas for INFO at once (unless one is in flight): from
    /// now on replicas are polled every second (§2), and the selection needs INFO younger
    /// than 5 s while the master is SDOWN (§8.2) — the regular 10 s poll is usually older.
    mutating func refreshReplicaInfo(_ masterID: InstanceID, turn: inout Turn) {
        for replicaID in masters[masterID]?.replicas ?? [] {
            guard let replica = instances[replicaID], let link = links[replica.link], !link.isDisconnected,
                  !link.pendingReplies.contains(where: { $0.kind == .info && $0.instance == replicaID }) else { continue }
            sendCommand(["INFO"], to: replicaID, expecting: .info, turn: &turn)
        }
    }

    /// Whether an INFO request to one of the master's replicas is still unanswered.
    func replicaInfoInFlight(_ masterID: InstanceID) -> Bool {
        (masters[masterID]?.replicas ?? []).contains { replicaID in
            guard let replica = instances[replicaID], let link = links[replica.link] else { return false }
            return link.pendingReplies.contains { $0.kind == .info && $0.instance == replicaID }
        }
    }

    /// One step of the failover state machine (§8). Each state either waits for its input
    /// or moves on; transitions triggered by replies run at once from the reply handlers.
    mutating func runFailoverStateMachine(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard instances.field(masterID, \.flags)?.contains(.failoverInProgress) == true, let state = masters[masterID] else {
            if masters.field(masterID, \.failoverState) == .updateConfig { switchToPromotedReplica(masterID, now: now, turn: &turn) }
            return
        }
        switch state.failoverState {
        case .waitStart:
            failoverWaitStart(masterID, now: now, turn: &turn)
        case .selectSlave:
            failoverSelectReplica(masterID, now: now, turn: &turn)
        case .sendSlaveofNoOne:
            failoverSendReplicaOfNoOne(masterID, now: now, turn: &turn)
        case .waitPromotion:
            checkCoordinatedFailover(masterID, now: now, turn: &turn)
            if now - state.failoverStateChangeTime > state.failoverTimeout, let master = instances[masterID] {
                emitEvent(.failoverAbortReplicaTimeout, about: master, turn: &turn)
                abortFailover(masterID, now: now)
            }
        case .reconfSlaves:
            reconfigureNextReplicas(masterID, now: now, turn: &turn)
        case .updateConfig:
            switchToPromotedReplica(masterID, now: now, turn: &turn)
        case .none:
            break
        }
    }

    /// `wait_start` (§7, §8.1): without a majority and quorum of votes at our failover's
    /// epoch, give up after min(election timeout, failover-timeout); a forced failover needs
    /// no votes.
    mutating func failoverWaitStart(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
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
        let leader = electedLeader(masterID, epoch: state.failoverEpoch, now: now, turn: &turn)
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
            turn.append(.exit(code: 99))
            return
        }
        setFailoverState(masterID, .selectSlave, now: now)
        emitEvent(.failoverStateSelectReplica, about: master, turn: &turn)
        failoverSelectReplica(masterID, now: now, turn: &turn)
    }

    /// The leader of the election for master M at `epoch` (§7), or nil. Peer votes count when
    /// cast for M at this failover's epoch (each voter votes at most once per master and epoch,
    /// so counting them is as safe as Redis's "current epoch" rule, and several elections can
    /// run at once). We vote for the most-voted candidate, or for ourselves; the winner needs
    /// ≥ voters/2 + 1 and ≥ quorum votes, where voters are all known sentinels plus us.
    mutating func electedLeader(_ masterID: InstanceID, epoch: UInt64, now: Milliseconds, turn: inout Turn) -> String? {
        guard let state = masters[masterID] else { return nil }
        var voters = state.sentinels.count + 1
        if deliberateDefects.contains(.majorityIgnoresDeadPeers) {
            voters = state.sentinels.filter { instances[$0]?.flags.contains(.subjectivelyDown) == false }.count + 1
        }
        var counts: [String: Int] = [:]
        var order: [String] = []
        for sentinelID in state.sentinels {
            guard let peer = instances[sentinelID], let leader = peer.leader, peer.leaderEpoch == epoch else { continue }
            if counts[leader] == nil { order.append(leader) }
            counts[leader, default: 0] += 1
        }
        var winner: String?
        var maximum = 0
        for candidate in order where counts[candidate]! > maximum {
            maximum = counts[candidate]!
            winner = candidate
        }
        let ourVote = voteLeader(masterID, epoch: epoch, candidate: winner ?? myID, now: now, turn: &turn)
        if let ourVote, instances[masterID]?.leaderEpoch == epoch {
            let votes = counts[ourVote, default: 0] + 1
            counts[ourVote] = votes
            if votes > maximum {
                maximum = votes
                winner = ourVote
            }
        }
        if let found = winner, maximum >= voters / 2 + 1 && maximum >= state.quorum {
            return found
        }
        return nil
    }

    /// How long an election runs before a split vote may restart it (the votes of one round
    /// trip), and how many restarts one failover attempt makes at most: peers that vote for
    /// themselves in every epoch cannot make the epoch climb (the election timeout still
    /// counts from the failover's start, and then the attempt waits 2 × failover-timeout).
    static let splitElectionRestartDelay: Milliseconds = 50
    static let maximumSplitElectionRestarts = 3

    /// Whether the election for master M at `epoch` is split and we are the candidate that
    /// starts the next one at once, instead of every candidate waiting 2 × failover-timeout.
    ///
    /// When several sentinels reach ODOWN in the same instant, each starts an election and
    /// votes for itself before any request arrives; with many masters failing together they
    /// even pick the same epochs. A vote is final for its epoch, so once the known votes leave
    /// no candidate a way to the majority (or the quorum), nobody can win this epoch. Of the
    /// candidates that voted for themselves, the one with the lowest run id starts a new epoch;
    /// the others keep their (dead) elections and vote for it, as for any higher epoch. Safety
    /// is the same as for any new epoch: one vote per master and epoch.
    func shouldRestartSplitElection(_ masterID: InstanceID, epoch: UInt64) -> Bool {
        guard let sentinels = masters.field(masterID, \.sentinels), let quorum = masters.field(masterID, \.quorum),
              instances.field(masterID, \.leaderEpoch) == epoch,
              let ourVote = instances.field(masterID, \.leader) ?? nil, ourVote.lowercased() == myID.lowercased() else { return false }
        let needed = max((sentinels.count + 1) / 2 + 1, quorum)
        var counts: [String: Int] = [ourVote.lowercased(): 1]
        var unknown = 0
        var selfVoters: [String] = [myID.lowercased()]
        for sentinelID in sentinels {
            guard let leader = instances.field(sentinelID, \.leader) ?? nil, instances.field(sentinelID, \.leaderEpoch) == epoch else {
                unknown += 1
                continue
            }
            counts[leader.lowercased(), default: 0] += 1
            if let runID = instances.field(sentinelID, \.runID) ?? nil, runID.lowercased() == leader.lowercased() {
                selfVoters.append(leader.lowercased())
            }
        }
        // Split: the votes together could have elected someone, but no candidate can now.
        let total = counts.values.reduce(0, +)
        guard selfVoters.count >= 2, total + unknown >= needed, (counts.values.max() ?? 0) + unknown < needed else { return false }
        return selfVoters.min() == myID.lowercased()
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
        setFailoverState(masterID, .sendSlaveofNoOne, now: now)
        emitEvent(.failoverStateSendReplicaOfNoOne, about: replica, turn: &turn)
        failoverSendReplicaOfNoOne(masterID, now: now, turn: &turn)
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
                && now - replica.infoRefresh <= infoValidity
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

    /// §8.5: the promoted replica reports `role:master`. From here the failover cannot be
    /// aborted: the config epoch becomes the failover epoch, the state is persisted before
    /// anyone hears of it, and hellos go out at once.
    mutating func promotionObserved(masterID: InstanceID, replicaID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let state = masters[masterID], let master = instances[masterID], let replica = instances[replicaID] else { return }
        masters[masterID]?.configEpoch = state.failoverEpoch
        setFailoverState(masterID, .reconfSlaves, now: now)
        persistConfiguration(turn: &turn)
        emitEvent(.promotedReplica, about: replica, turn: &turn)
        if simulateFailureFlags.contains(.crashAfterPromotion) {
            log(.warning, "Sentinel CRASH because of SENTINEL simulate-failure", turn: &turn)
            turn.append(.exit(code: 99))
            return
        }
        emitEvent(.failoverStateReconfigureReplicas, about: master, turn: &turn)
        runClientReconfigScript(masterID, role: "leader", from: master.address, to: replica.address, turn: &turn)
        forceHelloUpdate(forMaster: masterID)
        for id in [masterID] + (masters[masterID]?.replicas ?? []) + (masters[masterID]?.sentinels ?? []) {
            sendHello(to: id, turn: &turn)
            instances[id]?.lastPublishTime = now
        }
        reconfigureNextReplicas(masterID, now: now, turn: &turn)
    }

    /// `reconf_slaves` (§8.7): SLAVEOF the promoted replica to up to `parallel-syncs` replicas
    /// at a time (each followed by an INFO to see progress sooner); a `reconf_sent` older than
    /// the reconf timeout counts as done; then the end check.
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
        if notReconfigured == 0 {
            switchToPromotedReplica(masterID, now: now, turn: &turn)
        }
    }

    /// `update_config` (§9.1): `+switch-master`, then the master is reset onto the promoted
    /// replica's address.
    mutating func switchToPromotedReplica(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
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

    mutating func setFailoverState(_ masterID: InstanceID, _ state: FailoverState, now: Milliseconds) {
        masters[masterID]?.failoverState = state
        masters[masterID]?.failoverStateChangeTime = now
    }

    /// `SENTINEL FAILOVER <name> [COORDINATED|FORCE]` (§8.9): a failover with no agreement
    /// needed. The default hands over through the master's `FAILOVER` so that no acknowledged
    /// write is lost, and falls back to the classic path when it cannot; COORDINATED (Valkey's)
    /// never falls back (see `CoordinatedFailover`); FORCE is Redis's classic behaviour.
    mutating func failoverCommand(_ client: ClientID, _ arguments: [String], now: Milliseconds, turn: inout Turn) {
        guard arguments.count == 3 || arguments.count == 4 else {
            return replyError(to: client, "ERR wrong number of arguments for 'sentinel|failover' command", turn: &turn)
        }
        var mode = ManualFailoverMode.coordinated
        if arguments.count == 4 {
            switch arguments[3].lowercased() {
            case "coordinated": mode = .coordinatedOnly
            case "force": mode = .force
            default: return replyError(to: client, "ERR syntax error: SENTINEL FAILOVER <master-name> [COORDINATED|FORCE]", turn: &turn)
            }
        }
        guard let masterID = masterOrReplyError(client, arguments[2], turn: &turn), let master = instances[masterID] else { return }
        if mode == .coordinatedOnly && master.serverFailoverState == nil
            && !CoordinatedFailover.supportsServerFailover(version: master.redisVersion) {
            return replyError(to: client, "NOGOODPRIMARY Primary does not support FAILOVER command", turn: &turn)
        }
        if master.flags.contains(.failoverInProgress) {
            return replyError(to: client, "INPROG Failover already in progress", turn: &turn)
        }
        guard currentEpoch < InputLimits.maximumEpoch else {
            return replyError(to: client, "ERR The current epoch is the largest possible: no new failover can start", turn: &turn)
        }
        if selectReplicaForPromotion(masterID, now: now) == nil {
            return replyError(to: client, "NOGOODSLAVE No suitable replica to promote", turn: &turn)
        }
        log(.warning, "Executing user requested FAILOVER of '\(master.name)'", turn: &turn)
        startFailover(masterID, now: now, turn: &turn)
        instances[masterID]?.flags.insert(.forceFailover)
        if mode != .force {
            let serverTimeout = min(masters[masterID]!.failoverTimeout / 2, 10_000)
            masters[masterID]?.coordinatedFailover = CoordinatedFailover(serverTimeout: serverTimeout, allowsFallback: mode == .coordinated)
            if mode == .coordinated, let obstacle = coordinatedFailoverObstacle(masterID) {
                fallBackFromCoordinatedFailover(masterID, reason: obstacle, now: now, turn: &turn)
            }
        }
        reply(to: client, .ok, turn: &turn)
    }
}
