extension Sentinel {
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
        if isLearningEpochs {
            return replyError(to: client, "ERR This sentinel started without its state and is learning the current epoch from its peers", turn: &turn)
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
