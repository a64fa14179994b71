extension Sentinel {
    /// `SENTINEL IS-MASTER-DOWN-BY-ADDR ip port epoch runid` (§6): down is 1 iff not in TILT
    /// and the master at that address is SDOWN for us; with a run id, we vote (a candidate
    /// that is not a well-formed run id gets no vote, as if `*` had been asked).
    mutating func isMasterDownByAddressCommand(_ client: ClientID, _ arguments: [String], now: Milliseconds, turn: inout Turn) {
        guard let port = Int64(arguments[3]), let requestedEpoch = UInt64(arguments[4]), requestedEpoch <= InputLimits.maximumEpoch else {
            return replyError(to: client, "ERR value is not an integer or out of range", turn: &turn)
        }
        let masterID = masterID(atHost: arguments[2], port: Int(port))
        var down = false
        var leader: String?
        var leaderEpoch: UInt64 = 0
        if let masterID, let master = instances[masterID] {
            wakeWholeMaster(masterID)
            down = !tilt && master.flags.contains(.subjectivelyDown)
            if arguments[5] != "*" && RunIdentifier.isValid(arguments[5]) {
                leader = voteLeader(masterID, epoch: requestedEpoch, candidate: arguments[5], now: now, turn: &turn)
                leaderEpoch = masters[masterID]?.votedLeaderEpoch ?? 0
            }
        }
        reply(to: client, .array([.integer(down ? 1 : 0), .bulk(leader ?? "*"), .integer(Int64(leaderEpoch))]), turn: &turn)
    }
}
