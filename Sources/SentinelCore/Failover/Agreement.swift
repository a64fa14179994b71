import RESP

extension Sentinel {
    /// The acting half for a master each tick (§2), skipped in TILT: ODOWN, failover start
    /// (with a forced IS-MASTER-DOWN round), the state machine, the regular round, and the
    /// address switch once the failover reached `update_config`.
    mutating func handleMasterAgreementAndFailover(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        if tilt { return }
        checkObjectivelyDown(masterID, now: now, turn: &turn)
        if startFailoverIfNeeded(masterID, now: now, turn: &turn) {
            askOtherSentinels(about: masterID, forced: true, now: now, turn: &turn)
        }
        advanceFailover(masterID, after: .timer, now: now, turn: &turn)
        askOtherSentinels(about: masterID, forced: false, now: now, turn: &turn)
    }

    /// ODOWN (§5.2): we see the master SDOWN and `1 + peers flagged master_down ≥ quorum`.
    mutating func checkObjectivelyDown(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let flags = instances.field(masterID, \.flags), flags.contains(.subjectivelyDown) || flags.contains(.objectivelyDown),
              let master = instances[masterID], let state = masters[masterID] else { return }
        var agreeing = 0
        var objectivelyDown = false
        if master.flags.contains(.subjectivelyDown) {
            agreeing = 1 + state.sentinels.filter { instances[$0]?.flags.contains(.masterDown) == true }.count
            objectivelyDown = agreeing >= state.quorum
        }
        if objectivelyDown {
            if !master.flags.contains(.objectivelyDown) {
                instances[masterID]?.flags.insert(.objectivelyDown)
                instances[masterID]?.objectivelyDownSince = now
                emitEvent(.objectivelyDown, about: master, "#quorum \(agreeing)/\(state.quorum)", turn: &turn)
            }
        } else if master.flags.contains(.objectivelyDown) {
            instances[masterID]?.flags.remove(.objectivelyDown)
            emitEvent(.objectivelyUp, about: master, turn: &turn)
        }
    }

    /// Asks each peer `SENTINEL is-master-down-by-addr <ip> <port> <epoch> <runid|*>` while we
    /// see the master SDOWN (§6): every ask period, or at once when `forced`. Answers older than
    /// five ask periods are forgotten first. Our run id asks for a vote while we fail over.
    mutating func askOtherSentinels(about masterID: InstanceID, forced: Bool, now: Milliseconds, turn: inout Turn) {
        guard let masterFlags = instances.field(masterID, \.flags) else { return }
        // A master that is not SDOWN, with no opinion held, has nothing to ask or expire: with
        // thousands of masters this check is most of what a quiet tick does.
        guard masterFlags.contains(.subjectivelyDown) || masters.field(masterID, \.peerOpinionsHeld) == true,
              let sentinels = masters.field(masterID, \.sentinels) else { return }
        var opinionsHeld = false
        for sentinelID in sentinels {
            guard let lastReplyTime = instances.field(sentinelID, \.lastMasterDownReplyTime) else { continue }
            let elapsed = now - lastReplyTime
            let holdsOpinion = instances.field(sentinelID, \.flags)?.contains(.masterDown) == true
                || instances.field(sentinelID, \.votedLeader) != nil
            if elapsed > timings.askPeriod * 5 && holdsOpinion {
                instances[sentinelID]?.flags.remove(.masterDown)
                instances[sentinelID]?.votedLeader = nil
            } else if holdsOpinion {
                opinionsHeld = true
            }
            guard masterFlags.contains(.subjectivelyDown) else { continue }
            guard let master = instances[masterID], let state = masters[masterID], let peerLink = instances.field(sentinelID, \.link),
                  links.field(peerLink, \.isDisconnected) == false else { continue }
            // Until the quorum agrees and while our election runs, ask again sooner than
            // Redis's one second: a peer that answered "up" may have noticed the failure a few
            // milliseconds later, and one that refused its vote may now give it.
            let waiting = !master.flags.contains(.objectivelyDown) || state.failoverState == .waitStart
            let period = waiting ? min(timings.askPeriod, 250) : timings.askPeriod
            if !forced && elapsed < period { continue }
            // One question in flight per peer: a slow peer is not flooded every tick.
            if awaitsReply(.isMasterDownByAddress, for: sentinelID, on: peerLink) && !forced { continue }
            // A candidate asks for votes at its election's epoch: votes are counted per master
            // at that epoch, and with several elections running the global epoch has moved on
            // (a vote given at it would not count, and the election would stall).
            let candidate = state.failoverState != .none ? myID : "*"
            let epoch = state.failoverState != .none ? state.failoverEpoch : currentEpoch
            sendCommand(["SENTINEL", "is-master-down-by-addr", announcedHost(master.address), String(master.address.port), String(epoch), candidate],
                        to: sentinelID, expecting: .isMasterDownByAddress, turn: &turn)
        }
        if masters.field(masterID, \.peerOpinionsHeld) != opinionsHeld { masters[masterID]?.peerOpinionsHeld = opinionsHeld }
    }

    /// A peer's answer `*3 :<0|1> $<runid|*> :<epoch>` (§6): records its opinion and its vote,
    /// then advances the election at once instead of waiting for the next tick.
    mutating func receiveIsMasterDownReply(_ value: RESPValue, from sentinelID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard case .array(let items) = value, items.count == 3,
              case .integer(let down) = items[0], let leader = items[1].text,
              case .integer(let epoch) = items[2], epoch >= 0, !items[1].isError else { return }
        guard let peer = instances[sentinelID], let masterID = peer.master else { return }
        instances[sentinelID]?.lastMasterDownReplyTime = now
        if down == 1 || leader != "*" { masters[masterID]?.peerOpinionsHeld = true }
        if down == 1 {
            instances[sentinelID]?.flags.insert(.masterDown)
        } else {
            instances[sentinelID]?.flags.remove(.masterDown)
        }
        if leader != "*" && RunIdentifier.isValid(leader) {
            if peer.votedLeaderEpoch != UInt64(epoch) {
                log(.warning, "\(peer.name) voted for \(leader) \(epoch)", turn: &turn)
            }
            instances[sentinelID]?.votedLeader = leader
            instances[sentinelID]?.votedLeaderEpoch = UInt64(epoch)
        }
        if !tilt {
            advanceFailover(masterID, after: .peerAnswer, now: now, turn: &turn)
        }
    }
}
