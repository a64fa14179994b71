/// `sentinel forget-after-milliseconds`: peers that stay unreachable are forgotten, without
/// letting a partition shrink the electorate.
///
/// Redis never forgets a sentinel: one that restarted with a new run id at a new address stays
/// listed (`s_down,disconnected`) and keeps counting toward the majority, until the dead
/// entries outnumber the living sentinels and no election can be won any more. Here an entry
/// unreachable for forget-after (no hello and no valid PING reply) is removed from the lists
/// and from the hellos' targets — but not from the count an election's majority is taken
/// over: that count never drops below `votersSeen`, the most sentinels (this one included)
/// seen alive at the same moment, which is persisted.
///
/// Why a minority can never shrink its voter set into a false majority: a partition only hides
/// sentinels, and a hidden sentinel is never seen alive, so no partition raises or lowers
/// `votersSeen`; a sentinel that has once seen the whole fleet alive therefore needs the votes
/// of a majority of the whole fleet for ever after, however many entries it forgot. Two
/// incarnations of one sentinel are never alive at once (a process's links die with it), so
/// restarts at new addresses do not inflate the count: the fleet's size is what it converges
/// to. What lowers it is only an operator's `SENTINEL RESET`, which takes the sentinels alive at
/// that moment as the fleet (a sentinel removed for good is forgotten that way).
extension Sentinel {
    /// Whether `forget-after-milliseconds` is set.
    var forgetsUnreachable: Bool { configuration.container.forgetAfterMilliseconds > 0 }

    /// How many voters an election's majority is counted over (§7): every known sentinel plus
    /// this one and, when forgetting, at least the most sentinels seen alive at once.
    func electionVoters(_ masterID: InstanceID) -> Int {
        let known = (masters.field(masterID, \.sentinels.count) ?? 0) + 1
        guard forgetsUnreachable, !deliberateDefects.contains(.forgettingLowersMajority) else { return known }
        return max(known, masters.field(masterID, \.votersSeen) ?? 1)
    }

    /// Whether a peer is alive now: its command connection is up and it answered a PING
    /// within the last two ping periods. A process's connections close when it dies, so two
    /// incarnations of one sentinel are never alive at the same time.
    func isSeenAlive(_ sentinelID: InstanceID, now: Milliseconds) -> Bool {
        guard let linkID = instances.field(sentinelID, \.link), let health = links.field(linkID, \.health),
              let downAfter = instances.field(sentinelID, \.downAfterMilliseconds) else { return false }
        return health.commandConnected && now - health.lastAvailableTime <= 2 * min(downAfter, timings.pingPeriod)
    }

    /// The sentinels alive now, this one included.
    func sentinelsAlive(_ masterID: InstanceID, now: Milliseconds) -> Int {
        1 + (masters.field(masterID, \.sentinels) ?? []).filter { isSeenAlive($0, now: now) }.count
    }

    /// Each tick, for one master: records a new highest number of sentinels alive at once,
    /// then (outside TILT, whose timings cannot be trusted, and once the epochs are learned)
    /// forgets the peers unreachable for forget-after. Both are persisted.
    ///
    /// Replicas are never forgotten: a replica's entry is how an instance that comes back
    /// claiming to be a master (promoted by a failover that did not finish, or an old master
    /// the sentinels of a partition's other side demoted) is converted; forgetting it left that
    /// instance a second master for ever (sentinel-sim --forget-after on seed 5235). Dead
    /// replica entries only lengthen `SENTINEL REPLICAS`; they are no voters.
    mutating func forgetUnreachableInstances(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard forgetsUnreachable, let votersSeen = masters.field(masterID, \.votersSeen) else { return }
        let alive = sentinelsAlive(masterID, now: now)
        if alive > votersSeen {
            masters[masterID]?.votersSeen = alive
            if let name = instances.field(masterID, \.name) {
                log(.verbose, "Most sentinels seen alive at once for \(name): \(alive)", turn: &turn)
            }
            persistConfiguration(turn: &turn)
        }
        // Not in TILT, whose timings cannot be trusted, nor while learning the epochs after a start without state: its links to the peers
        // it was configured with are new, and the peers are whom it must hear.
        guard !tilt, !isLearningEpochs else { return }
        let forgetAfter = configuration.container.forgetAfterMilliseconds
        var forgotten = false
        for sentinelID in masters.field(masterID, \.sentinels) ?? [] {
            guard let lastHello = instances.field(sentinelID, \.lastHelloTime), let linkID = instances.field(sentinelID, \.link),
                  let lastAnswer = links.field(linkID, \.lastAvailableTime),
                  now - max(lastHello, lastAnswer) >= forgetAfter, let peer = instances[sentinelID] else { continue }
            emitEvent(.sentinelForgotten, about: peer, "#unreachable for \(now - max(lastHello, lastAnswer)) ms", turn: &turn)
            removeInstance(sentinelID, turn: &turn)
            forgotten = true
        }
        if forgotten { persistConfiguration(turn: &turn) }
    }
}
