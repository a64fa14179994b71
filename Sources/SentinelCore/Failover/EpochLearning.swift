import RESP

/// A sentinel that started without its state, in container mode (`ContainerOptions`), while it
/// learns the epochs from its peers before it joins the fleet.
///
/// The rule: such a sentinel casts no vote (for a peer or for itself, so it starts no
/// failover) until
/// 1. it has run for the longest time an election it might have voted in before losing its
///    state can still be won (`learningPeriod`): every such election began before this
///    process, and a candidate gives up min(ELECTION-TIMEOUT, failover-timeout) after its
///    start (desynchronised by up to 1 s); and
/// 2. it has since heard from a majority of the other sentinels it knows — counting at least
///    `votersSeen` − 1 others, so ghosts and the fleet size it was configured with count
///    against it. A peer is heard through its hello (its current epoch), or directly: every
///    ask period each known peer is sent `SENTINEL is-master-down-by-addr <master> 0 <our id>`,
///    which casts no vote (epoch 0) and answers the peer's last vote for that master and its
///    epoch (Redis's reply too); an answer without a vote (`*`: the peer never voted for a
///    master at that address) tells nothing and does not count. It publishes its hellos
///    meanwhile, also to the sentinels it knows directly: they learn of it and send it theirs,
///    which reach it even when it is cut off from the Redis servers (a peer counting it before
///    it votes only makes elections harder, never easier).
///
/// Then it raises its vote for every master to the current epoch (`leader-epoch`), which holds
/// the highest epoch heard, and votes only in later epochs. Why this keeps an
/// incarnation from voting again in an epoch its predecessor voted in: if the election that
/// predecessor voted in was won, a majority of the fleet voted in it and made its epoch durable
/// before this process started; a majority of the others heard after that election ended
/// shares a member with that majority, whose hello carries the epoch (the peers still learning
/// are silent, so they cannot stand in for it). If that election was not won by then, its
/// candidate has given up, and a second vote in its epoch elects no second leader.
///
/// There is no bounded wait while it knows a peer: a majority of the others is the smallest
/// set certain to hold a member of every majority its predecessor voted in, so joining with
/// fewer heard could vote again in an epoch won with the predecessor's vote (two leaders in
/// one epoch once the partition heals). A sentinel without its state counts as failed until
/// the others vouch for the epoch, as a lost disk does in any consensus protocol: a fleet of
/// three with one sentinel dead and one wiped waits for either to come back. An operator who
/// knows the unheard ones are gone for good takes them out with `SENTINEL RESET <master>`
/// (the fleet is then the sentinels alive). Only a sentinel that knows no other sentinel of a
/// master, and counts a fleet of one there, joins after `alonePeriod` without hearing anyone.
struct EpochLearning: Sendable {
    /// When the process started.
    var startTime: Milliseconds
    /// The run ids whose hellos arrived once `learningPeriod` had passed, per master name.
    var heardSince: [String: Set<String>] = [:]
    /// Whether the wait for a majority was logged.
    var waitLogged = false
    /// When the peers were last asked for their vote epochs.
    var lastProbeTime: Milliseconds = 0
}

extension Sentinel {
    /// Whether this sentinel started without its state and is still learning the epochs.
    public var isLearningEpochs: Bool { epochLearning != nil && !deliberateDefects.contains(.votesAtOnceAfterStateLoss) }

    /// The longest an election can run before its candidate gives up: min(ELECTION-TIMEOUT,
    /// failover-timeout) of the slowest master, plus the up to 1 s by which a candidate
    /// desynchronises its start (`startFailover`).
    var learningPeriod: Milliseconds {
        let longest = masterOrder.compactMap { masters.field($0, \.failoverTimeout) }.map { min(timings.electionTimeout, $0) }.max()
        return (longest ?? timings.electionTimeout) + 1000
    }

    /// How long a sentinel that knows no peer of a master waits to hear one before it takes
    /// itself for the whole fleet there: twice the learning period, and at least five hello
    /// periods, so that a fleet's hellos (every 2 s) reach it first.
    var alonePeriod: Milliseconds {
        max(learningPeriod * 2, 5 * timings.publishPeriod)
    }

    /// Whether this sentinel knows no other sentinel of master M and counts a fleet of one.
    func knowsNoPeer(_ masterID: InstanceID) -> Bool {
        (masters.field(masterID, \.sentinels.count) ?? 0) == 0 && (masters.field(masterID, \.votersSeen) ?? 1) <= 1
    }

    /// A hello (or a probe's answer) from `runID` about master `masterName` (a monitored one)
    /// arrived: counted once the learning period has passed, up to the instance limit per master.
    mutating func noteHelloWhileLearning(from runID: String, masterName: String, now: Milliseconds) {
        guard let learning = epochLearning, now - learning.startTime >= learningPeriod,
              learning.heardSince[masterName, default: []].count < InputLimits.maximumInstancesPerMaster else { return }
        epochLearning?.heardSince[masterName, default: []].insert(runID)
    }

    /// How many others of master M must have been heard: a majority of the sentinels it knows
    /// there, and of at least `votersSeen` − 1 (never fewer than one).
    func othersNeeded(_ masterID: InstanceID) -> Int {
        let others = max(masters.field(masterID, \.sentinels.count) ?? 0, (masters.field(masterID, \.votersSeen) ?? 1) - 1)
        return max(1, others / 2 + 1)
    }

    /// Each tick while learning: joins the fleet once every master's majority was heard after
    /// the learning period, where a master whose sentinel knows no peer counts as heard once
    /// `alonePeriod` has passed.
    mutating func advanceEpochLearning(now: Milliseconds, turn: inout Turn) {
        guard let learning = epochLearning else { return }
        let elapsed = now - learning.startTime
        guard elapsed >= learningPeriod else { return }
        if now - learning.lastProbeTime >= timings.askPeriod {
            epochLearning?.lastProbeTime = now
            probePeersForEpochs(turn: &turn)
        }
        // The masters this sentinel takes itself for the whole fleet of, and those whose
        // majority it has yet to hear, by name.
        var alone: [String] = []
        var short: [String] = []
        for masterID in masterOrder {
            guard let name = instances.field(masterID, \.name) else { continue }
            if elapsed >= alonePeriod && knowsNoPeer(masterID) {
                alone.append(name)
            } else if (learning.heardSince[name]?.count ?? 0) < othersNeeded(masterID) {
                short.append(name)
            }
        }
        if short.isEmpty {
            let reason = alone.isEmpty ? "learned the current epoch \(currentEpoch) from a majority of its peers"
                : "current epoch \(currentEpoch); it heard of no other sentinel of \(alone.joined(separator: ", ")) in \(alonePeriod) ms"
            finishEpochLearning(because: reason, turn: &turn)
        } else if !learning.waitLogged {
            epochLearning?.waitLogged = true
            log(.notice, "Sentinel started without its state: waiting for hellos from a majority of the sentinels of \(short.joined(separator: ", ")) before voting (SENTINEL RESET <master> counts only the sentinels alive now)", turn: &turn)
        }
    }

    /// Ends the learning: no vote for any master in an epoch up to the current one, made
    /// durable with `myid`.
    mutating func finishEpochLearning(because reason: String, turn: inout Turn) {
        epochLearning = nil
        for masterID in masterOrder where (masters.field(masterID, \.votedLeaderEpoch) ?? 0) < currentEpoch {
            masters[masterID]?.votedLeaderEpoch = currentEpoch
        }
        persistConfiguration(turn: &turn)
        log(.notice, "Sentinel joins the fleet (\(reason)): it votes only in epochs above \(currentEpoch)", turn: &turn)
    }

    /// Asks every connected peer of every master for the epoch of its last vote there, without
    /// asking for a vote (epoch 0); one question in flight per peer.
    mutating func probePeersForEpochs(turn: inout Turn) {
        for masterID in masterOrder {
            guard let master = instances[masterID] else { continue }
            for sentinelID in masters.field(masterID, \.sentinels) ?? [] {
                guard let linkID = instances.field(sentinelID, \.link), links.field(linkID, \.isDisconnected) == false,
                      !awaitsReply(.epochProbe, for: sentinelID, on: linkID) else { continue }
                sendCommand(["SENTINEL", "is-master-down-by-addr", announcedHost(master.address), String(master.address.port), "0", myID],
                            to: sentinelID, expecting: .epochProbe, turn: &turn)
            }
        }
    }

    /// A peer's answer to `probePeersForEpochs` (`*3 :<0|1> $<leader|*> :<vote epoch>`): with a
    /// vote, the peer is heard and its vote epoch is adopted as the current epoch when higher.
    mutating func receiveEpochProbeReply(_ value: RESPValue, from sentinelID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard case .array(let items) = value, items.count == 3, case .integer(let epoch) = items[2], epoch >= 0,
              let leader = items[1].text, leader != "*", !items[1].isError,
              let peer = instances[sentinelID], let runID = peer.runID, let masterID = peer.master,
              let name = instances.field(masterID, \.name) else { return }
        let voteEpoch = min(UInt64(epoch), InputLimits.maximumEpoch)
        if epochLearning != nil && voteEpoch > currentEpoch {
            currentEpoch = voteEpoch
            persistConfiguration(turn: &turn)
            emitEvent(.newEpoch, message: String(currentEpoch), notifying: masterID, turn: &turn)
        }
        noteHelloWhileLearning(from: runID, masterName: name, now: now)
    }
}
