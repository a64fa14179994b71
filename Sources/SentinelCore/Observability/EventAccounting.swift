/// The metrics that events carry: every emitted event is counted by type, and the failover
/// events also count failovers and elections and note the moments of the master's
/// `FailoverTimeline`, observed into the phase histograms when the leader's failover ends.
extension Sentinel {
    /// Accounts for one event about `masterID`'s master (nil for events about none), at the
    /// time of the input being handled.
    mutating func account(for type: SentinelEventType, about masterID: InstanceID?) {
        metrics.eventCounts[type, default: 0] += 1
        guard let masterID, masters[masterID] != nil else { return }
        let now = currentTime
        switch type {
        case .objectivelyDown:
            // A master that goes ODOWN again during its failover keeps the first moment.
            guard instances.field(masterID, \.flags)?.contains(.failoverInProgress) == false else { return }
            let link = instances.field(masterID, \.link)
            masters[masterID]?.failoverTimeline.objectivelyDown = now
            masters[masterID]?.failoverTimeline.lastValidReply = link.flatMap { links.field($0, \.lastAvailableTime) }
        case .tryFailover:
            // A split vote's new election continues the attempt (see `failoverWaitStart`).
            if masters.field(masterID, \.splitElectionRestarts) ?? 0 > 0 {
                metrics.electionsRestarted += 1
                return
            }
            masters[masterID]?.failoverTimeline.electionStarted = now
            masters[masterID]?.failoverTimeline.elected = nil
            masters[masterID]?.failoverTimeline.promoted = nil
            masters[masterID]?.failoverTimeline.reconfigured = nil
            masters[masterID]?.failoverTimeline.endedForTimeout = false
        case .electedLeader:
            metrics.electionsWon += 1
            masters[masterID]?.failoverTimeline.elected = now
        case .failoverAbortNotElected:
            metrics.electionsLost += 1
            metrics.countFailover(.leader, .abortNotElected)
        case .failoverAbortMasterUp:
            metrics.countFailover(.leader, .abortMasterUp)
        case .failoverAbortNoGoodReplica:
            metrics.countFailover(.leader, .abortNoGoodReplica)
        case .failoverAbortReplicaTimeout:
            metrics.countFailover(.leader, .abortReplicaTimeout)
        case .failoverAbortMasterTimeout:
            metrics.countFailover(.leader, .abortMasterTimeout)
        case .failoverAbortNewerConfiguration:
            metrics.countFailover(.leader, .abortNewerConfiguration)
        case .promotedReplica:
            masters[masterID]?.failoverTimeline.promoted = now
        case .failoverEndForTimeout:
            metrics.countFailover(.leader, .timeout)
            masters[masterID]?.failoverTimeline.endedForTimeout = true
        case .failoverEnd:
            masters[masterID]?.failoverTimeline.reconfigured = now
            if masters.field(masterID, \.failoverTimeline.endedForTimeout) == false, !deliberateDefects.contains(.metricsMissFailoverEnd) {
                metrics.countFailover(.leader, .end)
            }
        case .switchMaster:
            // Our own failover switches in `update_config`; any other switch adopts a peer's.
            if masters.field(masterID, \.failoverState) == .updateConfig {
                observeFailoverPhases(of: masterID, endedAt: now)
            } else {
                metrics.countFailover(.observer, .end)
            }
            masters[masterID]?.failoverTimeline = FailoverTimeline()
        default:
            break
        }
    }

    /// Observes each phase of the failover of `masterID` whose two ends were noted, in order.
    mutating func observeFailoverPhases(of masterID: InstanceID, endedAt now: Milliseconds) {
        guard let timeline = masters.field(masterID, \.failoverTimeline), let started = timeline.electionStarted else { return }
        // The ODOWN belongs to this failover only if it came first (a forced one has none).
        let objectivelyDown = timeline.objectivelyDown.flatMap { $0 <= started ? $0 : nil }
        func observe(_ phase: FailoverPhase, from start: Milliseconds?, to end: Milliseconds?) {
            guard let start, let end, end >= start else { return }
            metrics.observe(phase, milliseconds: end - start)
        }
        observe(.detect, from: objectivelyDown == nil ? nil : timeline.lastValidReply, to: objectivelyDown)
        observe(.elect, from: started, to: timeline.elected)
        observe(.promote, from: timeline.elected, to: timeline.promoted)
        observe(.reconfigure, from: timeline.promoted, to: timeline.reconfigured)
        observe(.total, from: objectivelyDown ?? started, to: now)
    }

    /// Counts a vote this sentinel cast (`voteLeader`).
    mutating func accountVote(for candidate: String) {
        if candidate.lowercased() == myID.lowercased() {
            metrics.votesForSelf += 1
        } else {
            metrics.votesForPeers += 1
        }
    }
}
