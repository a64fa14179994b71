import RESP

/// The election of a failover leader (§6, §7): a new epoch, our own vote, the count, and the
/// restart of a split vote. Votes are cast by `voteLeader`, for peers' requests as for
/// ourselves.
extension Sentinel {
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

    /// Our vote in our own election for master M at `epoch` (§7): for the candidate most
    /// voted for by the peers at that epoch, or for ourselves (a vote is final for its epoch).
    mutating func castOwnVote(_ masterID: InstanceID, epoch: UInt64, now: Milliseconds, turn: inout Turn) {
        let leading = peerVotes(for: masterID, epoch: epoch).max { $0.count < $1.count }
        voteLeader(masterID, epoch: epoch, candidate: leading?.candidate ?? myID, now: now, turn: &turn)
    }

    /// The peers' votes for master M at `epoch`: each candidate once, in the order first
    /// seen, with its count. A vote counts when cast for M at this epoch (each voter votes at
    /// most once per master and epoch, so counting them is as safe as Redis's "current epoch"
    /// rule, and several elections can run at once).
    func peerVotes(for masterID: InstanceID, epoch: UInt64) -> [(candidate: String, count: Int)] {
        var votes: [(candidate: String, count: Int)] = []
        for sentinelID in masters.field(masterID, \.sentinels) ?? [] {
            guard let peer = instances[sentinelID], let leader = peer.votedLeader, peer.votedLeaderEpoch == epoch else { continue }
            if let index = votes.firstIndex(where: { $0.candidate == leader }) {
                votes[index].count += 1
            } else {
                votes.append((leader, 1))
            }
        }
        return votes
    }

    /// The leader of the election for master M at `epoch` (§7), or nil: the candidate with
    /// the most votes, ours included, when they are at least voters/2 + 1 and at least the
    /// quorum, where voters are all known sentinels plus us (with forgetting, at least the most
    /// sentinels seen alive at once: `electionVoters`).
    func electionWinner(_ masterID: InstanceID, epoch: UInt64) -> String? {
        guard let state = masters[masterID] else { return nil }
        var voters = electionVoters(masterID)
        if deliberateDefects.contains(.majorityIgnoresDeadPeers) {
            voters = state.sentinels.filter { instances[$0]?.flags.contains(.subjectivelyDown) == false }.count + 1
        }
        var votes = peerVotes(for: masterID, epoch: epoch)
        if let ourVote = state.votedLeader, state.votedLeaderEpoch == epoch {
            if let index = votes.firstIndex(where: { $0.candidate == ourVote }) {
                votes[index].count += 1
            } else {
                votes.append((ourVote, 1))
            }
        }
        // The first candidate to reach the highest count wins a tie.
        var winner: (candidate: String, count: Int)?
        for vote in votes where vote.count > (winner?.count ?? 0) { winner = vote }
        guard let winner, winner.count >= voters / 2 + 1, winner.count >= state.quorum else { return nil }
        return winner.candidate
    }

    /// Votes for `candidate` as leader of master M at `epoch` (§6): a higher epoch is adopted
    /// first; the vote is cast only if M's last vote is from an older epoch — one vote per
    /// master per epoch, epochs only going up. Both are made durable before anyone hears of
    /// them. Returns the recorded vote (none while learning the epochs after a start without
    /// state). Voting for someone else delays our own failover attempt.
    @discardableResult
    mutating func voteLeader(_ masterID: InstanceID, epoch: UInt64, candidate: String, now: Milliseconds, turn: inout Turn) -> String? {
        if epoch > currentEpoch {
            currentEpoch = epoch
            persistConfiguration(turn: &turn)
            emitEvent(.newEpoch, message: String(currentEpoch), notifying: masterID, turn: &turn)
        }
        guard let state = masters[masterID] else { return nil }
        // Started without its state: no vote until the epochs are learned (`EpochLearning`).
        if isLearningEpochs { return nil }
        let alreadyVoted = state.votedLeaderEpoch >= epoch && !deliberateDefects.contains(.voteTwicePerEpoch)
        // Redis also refuses when its global current epoch is above the requested one. With
        // many masters failing at once every candidate raises the global epoch once per master,
        // so that rule refuses most requests and the elections split and wait 2 ×
        // failover-timeout. The vote is recorded per master, so "one vote per master and
        // epoch, never for an epoch at or below the last vote" is all safety needs.
        if !alreadyVoted {
            masters[masterID]?.votedLeader = candidate
            masters[masterID]?.votedLeaderEpoch = epoch
            persistConfiguration(turn: &turn)
            accountVote(for: candidate)
            emitEvent(.voteForLeader, message: "\(candidate) \(epoch)", notifying: masterID, turn: &turn)
            if candidate.lowercased() != myID.lowercased() {
                masters[masterID]?.failoverStartTime = now + Milliseconds(random.next() % 1000)
            }
        }
        return masters[masterID]?.votedLeader
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
              masters.field(masterID, \.votedLeaderEpoch) == epoch,
              let ourVote = masters.field(masterID, \.votedLeader), ourVote.lowercased() == myID.lowercased() else { return false }
        let needed = max(electionVoters(masterID) / 2 + 1, quorum)
        var counts: [String: Int] = [ourVote.lowercased(): 1]
        var unknown = 0
        var selfVoters: [String] = [myID.lowercased()]
        for sentinelID in sentinels {
            guard let leader = instances.field(sentinelID, \.votedLeader), instances.field(sentinelID, \.votedLeaderEpoch) == epoch else {
                unknown += 1
                continue
            }
            counts[leader.lowercased(), default: 0] += 1
            if let runID = instances.field(sentinelID, \.runID), runID.lowercased() == leader.lowercased() {
                selfVoters.append(leader.lowercased())
            }
        }
        // Split: the votes together could have elected someone, but no candidate can now.
        let total = counts.values.reduce(0, +)
        guard selfVoters.count >= 2, total + unknown >= needed, (counts.values.max() ?? 0) + unknown < needed else { return false }
        return selfVoters.min() == myID.lowercased()
    }
}
