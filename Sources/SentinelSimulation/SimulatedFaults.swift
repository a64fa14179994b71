import SentinelCore

/// The faults of a schedule, started and healed, and the quiet period that heals them all.
extension Simulation {
    func resolve(_ target: RedisTarget) -> Int {
        switch target {
        case .node(let n): return n
        case .currentMaster(let group):
            let members = redis.indices.filter { redis[$0].group == group }
            return members.first { redis[$0].alive && redis[$0].role == .master } ?? members[0]
        }
    }

    func startFault(_ i: Int) {
        guard !quiet else { return }
        let fault = faults[i]
        refreshBadness()
        var text = fault.description
        switch fault.kind {
        case .partition(let a, let b, let oneWay):
            activePartitions.append((i, a, b, oneWay))
        case .isolateRedis(let target):
            let n = resolve(target)
            let mask: UInt64 = 1 << UInt64(sentinels.count + n)
            let all: UInt64 = (1 << UInt64(sentinels.count + redis.count)) - 1
            activePartitions.append((i, mask, all & ~mask, false))
            text += " → R\(n)"
        case .crashRedis(let target):
            let n = resolve(target)
            crashRedis(n)
            crashedByFault[i] = [n]
            text += " → R\(n)"
        case .freezeRedis(let target):
            let n = resolve(target)
            redis[n].frozenUntil = max(redis[n].frozenUntil, now + fault.duration)
            text += " → R\(n)"
        case .crashSentinel(let s):
            if sentinels[s].alive { crashSentinel(s); crashedByFault[i] = [s] }
        case .crashSentinelInTurn(let s, let messages):
            if sentinels[s].alive { sentinels[s].crashInTurn = messages; crashedByFault[i] = [s] }
        case .pauseSentinel(let s):
            if sentinels[s].alive { sentinels[s].pausedUntil = max(sentinels[s].pausedUntil, now + fault.duration) }
        case .wipeSentinel(let s, let newAddress):
            // One sentinel without its state at a time, as in a rolling restart: a fleet that
            // loses most of its state at once is back to its main files' view, in Redis too.
            if let other = sentinels.indices.first(where: { $0 != s && isWithoutState($0) }) {
                text += " → a crash only: S\(other) is without its state"
                if sentinels[s].alive { crashSentinel(s); crashedByFault[i] = [s] }
            } else {
                if sentinels[s].alive { crashedByFault[i] = [s] }
                wipeState(of: s)
                sentinels[s].movesOnRestart = sentinels[s].movesOnRestart || newAddress
            }
        case .loss(let rate):
            activeLoss.append((i, rate))
        case .delay(let d):
            activeDelay.append((i, d))
        }
        record("FAULT \(text)")
        refreshBadness()
    }

    func endFault(_ i: Int) {
        guard !quiet else { return }
        refreshBadness()
        switch faults[i].kind {
        case .partition, .isolateRedis:
            activePartitions.removeAll { $0.fault == i }
        case .crashRedis:
            for n in crashedByFault[i] ?? [] where !redis[n].alive { restartRedis(n) }
        case .crashSentinel, .crashSentinelInTurn, .wipeSentinel:
            for s in crashedByFault[i] ?? [] {
                if sentinels[s].alive { sentinels[s].crashInTurn = nil } else { startSentinel(s) }
            }
        case .loss:
            activeLoss.removeAll { $0.fault == i }
        case .delay:
            activeDelay.removeAll { $0.fault == i }
        case .freezeRedis, .pauseSentinel:
            break
        }
        record("HEAL \(faults[i].description)")
        refreshBadness()
    }

    /// Every fault heals: partitions, losses and delays end, crashed processes restart,
    /// frozen ones resume. Then the agreement is sampled until the end.
    func beginQuietPeriod() {
        refreshBadness()
        quiet = true
        activePartitions = []
        activeLoss = []
        activeDelay = []
        for n in redis.indices {
            if !redis[n].alive { restartRedis(n) }
            redis[n].frozenUntil = min(redis[n].frozenUntil, now)
        }
        for s in sentinels.indices {
            if !sentinels[s].alive { startSentinel(s) }
            sentinels[s].pausedUntil = min(sentinels[s].pausedUntil, now)
            sentinels[s].crashInTurn = nil
        }
        record("QUIET: every fault healed")
        refreshBadness()
        queue.push(.agreementSample, at: now)
    }

    func crashRedis(_ n: Int) {
        guard redis[n].alive else { return }
        refreshBadness()
        redis[n].alive = false
        redis[n].incarnation += 1
        redis[n].frozenUntil = 0
        let endpoint = sentinels.count + n
        for c in incomingByEndpoint[endpoint] where connections[c].state == .open || connections[c].state == .connecting {
            breakConnection(c, reason: "connection reset")
        }
        incomingByEndpoint[endpoint] = []
        refreshBadness()
    }

    func restartRedis(_ n: Int) {
        refreshBadness()
        redis[n].alive = true
        redis[n].runID = Simulation.hexID(&random)
        redis[n].loadingUntil = now + random.milliseconds(0...3000)
        redis[n].role = redis[n].persistedRole
        redis[n].masterAddress = redis[n].persistedMasterAddress
        redis[n].linkUp = false
        redis[n].linkDownSince = now
        redis[n].syncReadyAt = 0
        if redis[n].role != .master { lastNotMaster[n] = now }
        record("R\(n) restarts as \(redis[n].role == .master ? "master" : "replica of \(redis[n].masterAddress!)")")
        refreshBadness()
    }
}
