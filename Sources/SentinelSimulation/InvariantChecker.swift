import RESP
import SentinelCore

/// The invariants, checked after every step. Each failure carries the history that led to it.
extension Simulation {
    /// Adds a line to the compact history (and to the full trace).
    func record(_ line: String) {
        let text = "\(Simulation.timeText(now)) \(line)"
        history.append(text)
        if options.trace { trace.append(text) }
    }

    func fail(_ invariant: String, _ message: String) {
        violations.append(Violation(invariant: invariant, time: now, message: message))
        record("VIOLATION [\(invariant)] \(message)")
        stopped = true
    }

    var majority: Int { topology.sentinels / 2 + 1 }

    /// After each step of sentinel `s`: votes cast (one per master and epoch, across
    /// restarts), and epochs and config epochs that never go backwards.
    func observeState(of s: Int, restarted: Bool) {
        let sentinel = sentinels[s]
        guard sentinel.alive else { return }
        let currentEpoch = sentinel.core!.currentEpoch
        if currentEpoch < sentinel.lastCurrentEpoch {
            fail("epoch-monotonic", "S\(s) current epoch went back from \(sentinel.lastCurrentEpoch) to \(currentEpoch)\(restarted ? " across a restart" : "")")
        }
        sentinel.lastCurrentEpoch = currentEpoch
        let order = sentinel.core!.masterOrder
        if sentinel.lastLeaders.count != order.count {
            sentinel.lastLeaders = Array(repeating: nil, count: order.count)
            sentinel.lastLeaderEpochs = Array(repeating: 0, count: order.count)
            if sentinel.lastConfigEpochs.count != order.count { sentinel.lastConfigEpochs = Array(repeating: 0, count: order.count) }
        }
        for (position, masterID) in order.enumerated() {
            guard let configEpoch = sentinel.core!.masters[masterID]?.configEpoch,
                  let (leader, leaderEpoch) = sentinel.core!.masters[masterID].map({ ($0.votedLeader, $0.votedLeaderEpoch) }) else { continue }
            if configEpoch < sentinel.lastConfigEpochs[position] {
                fail("config-epoch-monotonic", "S\(s) config epoch of \(groupNames[position]) went back from \(sentinel.lastConfigEpochs[position]) to \(configEpoch)\(restarted ? " across a restart" : "")")
            }
            sentinel.lastConfigEpochs[position] = configEpoch
            let changed = leader != sentinel.lastLeaders[position] || leaderEpoch != sentinel.lastLeaderEpochs[position]
            guard changed else { continue }
            sentinel.lastLeaders[position] = leader
            sentinel.lastLeaderEpochs[position] = leaderEpoch
            guard !restarted, let leader else { continue }
            let name = groupNames[position]
            let voterKey = VoterKey(sentinel: s, master: name, epoch: leaderEpoch)
            if let earlier = votesByVoter[voterKey] {
                // The same vote seen again (after a restart that kept the state) is one vote;
                // another candidate, or the same one from a new incarnation that lost the
                // state, is a second.
                if earlier.candidate != leader || earlier.runID != sentinel.myID {
                    fail("one-vote-per-epoch", "S\(s) voted twice for \(name) in epoch \(leaderEpoch): for \(sentinelName(earlier.candidate)) at t=\(Simulation.timeText(earlier.time)) as \(earlier.runID.prefix(8)), then for \(sentinelName(leader)) as \(sentinel.myID.prefix(8))")
                }
                continue
            }
            votesByVoter[voterKey] = (leader, sentinel.myID, now)
            voteCounts[CandidateKey(master: name, epoch: leaderEpoch, candidate: leader), default: 0] += 1
            record("S\(s) votes for \(sentinelName(leader)) as leader of \(name) in epoch \(leaderEpoch)")
        }
    }

    func sentinelName(_ runID: String) -> String {
        guard let s = runIDOwner[runID] else { return String(runID.prefix(8)) }
        return sentinels[s].myID == runID ? "S\(s)" : "S\(s)(\(runID.prefix(8)))"
    }

    /// After a turn in which sentinel `s` said something: remembers the epochs it had then.
    func noteSpoken(by s: Int) {
        guard let core = sentinels[s].core else { return }
        let sentinel = sentinels[s]
        sentinel.spokenCurrentEpoch = max(sentinel.spokenCurrentEpoch, core.currentEpoch)
        for masterID in core.masterOrder {
            guard let name = core.instances[masterID]?.name else { continue }
            sentinel.spokenVoteEpochs[name] = max(sentinel.spokenVoteEpochs[name] ?? 0, core.masters[masterID]?.votedLeaderEpoch ?? 0)
            sentinel.spokenConfigEpochs[name] = max(sentinel.spokenConfigEpochs[name] ?? 0, core.masters[masterID]?.configEpoch ?? 0)
        }
    }

    /// A restarted sentinel loads at least every epoch and vote it spoke with before: what
    /// others may have seen was on disk first (persist before send).
    func observeRestart(of s: Int) {
        guard let core = sentinels[s].core else { return }
        let sentinel = sentinels[s]
        if core.currentEpoch < sentinel.spokenCurrentEpoch {
            fail("durable-before-spoken", "S\(s) restarted at current epoch \(core.currentEpoch), below the epoch \(sentinel.spokenCurrentEpoch) it had spoken with")
        }
        for masterID in core.masterOrder {
            guard let name = core.instances[masterID]?.name else { continue }
            let vote = core.masters[masterID]?.votedLeaderEpoch ?? 0
            if vote < sentinel.spokenVoteEpochs[name] ?? 0 {
                fail("durable-before-spoken", "S\(s) restarted with its vote for \(name) at epoch \(vote), below the epoch \(sentinel.spokenVoteEpochs[name] ?? 0) of a vote it had spoken with")
            }
            let configEpoch = core.masters[masterID]?.configEpoch ?? 0
            if configEpoch < sentinel.spokenConfigEpochs[name] ?? 0 {
                fail("durable-before-spoken", "S\(s) restarted with config epoch \(configEpoch) for \(name), below the \(sentinel.spokenConfigEpochs[name] ?? 0) it had spoken with")
            }
        }
    }

    /// The sentinels' events: elections, failover starts, promotions, failover ends (read as
    /// typed values, whatever the log level).
    func observeEvent(_ event: SentinelEvent, of s: Int) {
        let type = event.type
        countEvent(type, of: s)
        if type.level >= .warning || [.failoverStateSendReplicaOfNoOne, .failoverStateWaitPromotion, .replicaReconfigurationSent,
                                      .replicaReconfigurationSentBestEffort, .replicaReconfigurationSentTimeout,
                                      .replicaReconfigurationInProgress, .replicaReconfigurationDone,
                                      .convertToReplica, .fixReplicaConfiguration].contains(type) {
            record("S\(s) \(event.logLine)")
        } else if options.trace {
            trace.append("\(Simulation.timeText(now)) S\(s) event: \(event.logLine)")
        }
        guard let core = sentinels[s].core, let subject = event.subject else {
            if type == .failoverEnd { failoversCompleted += 1 }
            return
        }
        let masterName = subject.masterName ?? subject.name
        let failoverEpoch = core.masterOrder.first { core.instances[$0]?.name == masterName }.flatMap { core.masters[$0]?.failoverEpoch }
        switch type {
        case .electedLeader:
            guard let epoch = failoverEpoch else { return }
            let key = ElectionKey(master: masterName, epoch: epoch)
            if let earlier = leaders[key], earlier.sentinel != s {
                fail("one-leader-per-epoch", "S\(s) and S\(earlier.sentinel) (at t=\(Simulation.timeText(earlier.time))) were both elected leader of \(masterName) in epoch \(epoch)")
            } else {
                leaders[key] = (s, now)
            }
            checkMajorityReached(by: s, master: masterName, epoch: epoch)
        case .tryFailover:
            electionStarts[VoterKey(sentinel: s, master: masterName, epoch: failoverEpoch ?? 0)] = now
            checkFailoverNeeded(by: s, name: masterName, address: subject.address)
        case .subjectivelyDown where subject.kind != .sentinel:
            checkSubjectivelyDown(by: s, address: subject.address, asMaster: subject.kind == .master)
        case .failoverStateWaitPromotion:
            guard let epoch = failoverEpoch else { return }
            let votes = voteCounts[CandidateKey(master: masterName, epoch: epoch, candidate: sentinels[s].myID), default: 0]
            let needed = max(majority, topology.quorum)
            if votes < needed {
                fail("promotion-needs-votes", "S\(s) promoted \(subject.name) for \(masterName) in epoch \(epoch) with \(votes) vote(s); max(majority \(majority), quorum \(topology.quorum)) = \(needed) needed")
            }
        case .failoverEnd:
            failoversCompleted += 1
        default:
            break
        }
    }

    // MARK: No failover while the master answers everybody

    /// Whether sentinel `s` and Redis node `n` could not talk right now: either process down,
    /// frozen or paused, a partition between them, a black-holed connection, or a lossy network.
    func pairIsBad(_ s: Int, _ n: Int) -> Bool {
        !sentinels[s].alive || sentinels[s].pausedUntil >= now || !redis[n].alive || redis[n].frozenUntil >= now
            || isBlocked(s, sentinels.count + n) || isBlocked(sentinels.count + n, s)
            || deadConnections[s][sentinels.count + n] > 0 || lossRate > 0
    }

    /// Records "this pair is bad now" for every bad pair; called before and after anything
    /// that can change a pair, so `lastBad` is the end of the last bad stretch.
    func refreshBadness() {
        for s in sentinels.indices {
            for n in redis.indices where pairIsBad(s, n) { lastBad[s][n] = now }
            for t in sentinels.indices where t != s && sentinels[s].alive && sentinels[t].alive && !isBlocked(s, t) { lastOpen[s][t] = now }
        }
        for n in redis.indices where !(redis[n].alive && redis[n].role == .master) { lastNotMaster[n] = now }
    }

    /// `+try-failover` while the master answered this sentinel for the whole last down-after
    /// (plus a ping period and slack), and was a master for longer than an INFO period, is a
    /// failover that must not happen.
    func checkFailoverNeeded(by s: Int, name: String, address: HostPort) {
        guard let n = node(at: address) else { return }
        refreshBadness()
        let window = topology.downAfter + 2000
        let healthyFor = now - lastBad[s][n]
        let masterFor = now - lastNotMaster[n]
        if healthyFor > window && masterFor > 12_000 {
            fail("no-failover-while-master-answers", "S\(s) started a failover of \(name) at \(address) although R\(n) answered it for the last \(healthyFor) ms (down-after \(topology.downAfter)) and has been a master for \(masterFor) ms")
        }
    }

    /// `+sdown` of a Redis instance that this sentinel could reach for the whole last
    /// down-after (plus a ping period and the slowest round trip) is a false SDOWN: a live
    /// instance on a slow but working network answers within down-after. A master that
    /// reports itself a replica is down by Redis's other rule (role replica for longer than
    /// down-after + two INFO periods: a stale sentinel demoted it), not a false SDOWN.
    func checkSubjectivelyDown(by s: Int, address: HostPort, asMaster: Bool) {
        guard let n = node(at: address), !(asMaster && redis[n].role == .replica) else { return }
        refreshBadness()
        let window = topology.downAfter + 2000
        let healthyFor = now - lastBad[s][n]
        if healthyFor > window {
            fail("no-false-sdown", "S\(s) flagged R\(n) at \(address) down although it could reach it for the last \(healthyFor) ms (down-after \(topology.downAfter))")
        }
    }

    // MARK: A partitioned minority never fails over

    /// A leader elected in `epoch` must have been able to talk (both ways, both alive) with a
    /// majority of all the sentinels, itself included, at some time since it began that
    /// election: votes travel on direct connections only, so a leader that could not is a
    /// partitioned minority that shrank its voter set into a false majority.
    func checkMajorityReached(by s: Int, master: String, epoch: UInt64) {
        refreshBadness()
        let start = electionStarts[VoterKey(sentinel: s, master: master, epoch: epoch)] ?? 0
        let reached = sentinels.indices.filter { t in t == s || (lastOpen[s][t] >= start && lastOpen[t][s] >= start) }
        if reached.count < majority {
            fail("partitioned-minority-fails-over", "S\(s) was elected leader of \(master) in epoch \(epoch) although since that election began (t=\(Simulation.timeText(start))) it could reach only \(reached.map { "S\($0)" }.joined(separator: ", ")) of \(sentinels.count) sentinels")
        }
    }

    // MARK: Agreement after the quiet period

    /// The address sentinel `s` gives clients for master `name`.
    func masterAddress(seenBy s: Int, name: String) -> HostPort? {
        guard let core = sentinels[s].core, let id = core.masterOrder.first(where: { core.instances[$0]?.name == name }),
              let state = core.masters[id], let master = core.instances[id] else { return nil }
        if state.failoverState == .reconfigureReplicas || state.failoverState == .updateConfig,
           let promoted = state.promotedReplica, let replica = core.instances[promoted] {
            return replica.address
        }
        return master.address
    }

    /// The config epoch sentinel `s` holds for master `name`.
    func configEpoch(seenBy s: Int, name: String) -> UInt64? {
        guard let core = sentinels[s].core, let id = core.masterOrder.first(where: { core.instances[$0]?.name == name }) else { return nil }
        return core.masters[id]?.configEpoch
    }

    /// nil when everything agrees — every sentinel names the same master, holds the highest
    /// config epoch, and every instance of the group replicates that master directly —, else
    /// what does not.
    func agreementProblem() -> String? {
        for (group, name) in groupNames.enumerated() {
            var views: [HostPort] = []
            for s in sentinels.indices {
                guard let address = masterAddress(seenBy: s, name: name) else { return "S\(s) is down or lost \(name)" }
                views.append(address)
            }
            guard let address = views.first, views.allSatisfy({ $0 == address }) else {
                return "sentinels disagree on \(name): " + views.enumerated().map { "S\($0.offset)→\($0.element)" }.joined(separator: " ")
            }
            // The configuration with the highest epoch wins everywhere: every sentinel holds it.
            let configEpochs = sentinels.indices.map { configEpoch(seenBy: $0, name: name) ?? 0 }
            if let highest = configEpochs.max(), configEpochs.contains(where: { $0 != highest }) {
                return "sentinels hold different config epochs for \(name): " + configEpochs.enumerated().map { "S\($0.offset)→\($0.element)" }.joined(separator: " ")
            }
            guard let m = node(at: address), redis[m].group == group else { return "\(name) is at \(address), not an instance of that group" }
            guard redis[m].alive, redis[m].role == .master else { return "\(name) is at \(address) (R\(m)) which is not a master" }
            let masters = redis.indices.filter { redis[$0].group == group && redis[$0].alive && redis[$0].role == .master }
            if masters.count > 1 { return "\(name) has \(masters.count) masters: " + masters.map { "R\($0)" }.joined(separator: ", ") }
            for r in redis.indices where redis[r].group == group && r != m && redis[r].alive {
                if redis[r].masterAddress != address || !redis[r].linkUp {
                    return "R\(r) of \(name) does not replicate \(address) (\(redis[r].role == .master ? "master" : "replica of \(redis[r].masterAddress.map { "\($0)" } ?? "?"), link \(redis[r].linkUp ? "up" : "down")"))"
                }
            }
        }
        return nil
    }

    func sampleAgreement() {
        if agreementProblem() == nil {
            if agreementSince == nil { agreementSince = now }
        } else {
            agreementSince = nil
        }
    }

    func checkFinalAgreement() {
        now = endTime
        if let problem = agreementProblem() {
            agreementSince = nil
            fail("final-agreement", "\(options.quietDuration / 1000) s after every fault healed: \(problem)")
        }
    }
}

/// A master's election in one epoch.
struct ElectionKey: Hashable {
    var master: String
    var epoch: UInt64
}

/// One sentinel (whatever its incarnation) in one master's election of one epoch.
struct VoterKey: Hashable {
    var sentinel: Int
    var master: String
    var epoch: UInt64
}

/// The votes a candidate (by run id) received for one master in one epoch.
struct CandidateKey: Hashable {
    var master: String
    var epoch: UInt64
    var candidate: String
}
