import SentinelCore

/// State wipes: a sentinel whose disk does not survive (a container's ephemeral volume) comes
/// back without its state — a new run id unless its name gives a stable one — and perhaps at a
/// new address, the case Redis cannot handle (its old entry stays a voter for ever).
extension Simulation {
    /// Sentinel `s` dies and its state is lost: the state file is gone, or without one the
    /// main file is back to what it was first written (without `sentinel myid`). What the
    /// checker knew of this incarnation goes with it.
    func wipeState(of s: Int) {
        if sentinels[s].alive { crashSentinel(s) }
        if topology.container.stateFile {
            sentinels[s].stateText = nil
        } else {
            sentinels[s].persistedText = sentinels[s].originalText.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("sentinel myid ") }.joined(separator: "\n")
        }
        sentinels[s].stateLost = true
        sentinels[s].lastCurrentEpoch = 0
        sentinels[s].lastLeaders = []
        sentinels[s].lastLeaderEpochs = []
        sentinels[s].lastConfigEpochs = []
        sentinels[s].spokenCurrentEpoch = 0
        sentinels[s].spokenVoteEpochs = [:]
        sentinels[s].spokenConfigEpochs = [:]
        retireForgottenEpochs()
    }

    /// Whether sentinel `t` is without its state: wiped and not restarted yet, or still
    /// learning the epochs after the restart.
    func isWithoutState(_ t: Int) -> Bool {
        sentinels[t].stateLost || sentinels[t].core?.isLearningEpochs == true
    }

    /// Sentinel `s` comes back at a new address; nothing answers at the old one any more.
    func moveSentinel(_ s: Int) {
        let old = sentinels[s].host
        sentinels[s].addressGeneration += 1
        let new = "10.\(sentinels[s].addressGeneration).0.\(s + 1)"
        endpointByHost[old] = nil
        vanishedHosts.insert(old)
        endpointByHost[new] = s
        vanishedHosts.remove(new)
        sentinels[s].host = new
        sentinels[s].movesOnRestart = false
        record("S\(s) moves from \(old) to \(new)")
    }

    /// The highest epoch some sentinel state still holds: a live sentinel's current epoch, or
    /// the one a crashed sentinel's files keep (a wiped one keeps none).
    var rememberedEpoch: UInt64 {
        sentinels.map { sentinel in
            if let core = sentinel.core { return core.currentEpoch }
            return sentinel.stateLost ? 0 : sentinel.lastCurrentEpoch
        }.max() ?? 0
    }

    /// Once no state holds an epoch any more (every sentinel that knew it lost its state), the
    /// fleet starts that epoch over: its votes and leaders are history, and a vote or a leader
    /// in it later is a new era's, not a second one.
    func retireForgottenEpochs() {
        let remembered = rememberedEpoch
        let before = leaders.count + votesByVoter.count
        leaders = leaders.filter { $0.key.epoch <= remembered }
        votesByVoter = votesByVoter.filter { $0.key.epoch <= remembered }
        voteCounts = voteCounts.filter { $0.key.epoch <= remembered }
        if leaders.count + votesByVoter.count < before {
            record("every sentinel that remembered the epochs above \(remembered) lost its state: they start over")
        }
    }
}
