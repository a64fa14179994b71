import SentinelCore

/// Which Redis instance a fault hits: a fixed one, or whichever one is the master of a group
/// when the fault begins (so that faults keep hitting masters after failovers).
public enum RedisTarget: Sendable, CustomStringConvertible {
    case node(Int)
    case currentMaster(group: Int)

    public var description: String {
        switch self {
        case .node(let n): return "redis#\(n)"
        case .currentMaster(let g): return "master-of-group-\(g)"
        }
    }
}

/// One fault: what happens, when, and for how long. Every fault heals at its end, and all
/// of them at the start of the quiet period.
public struct Fault: Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Endpoints in `a` cannot talk with endpoints in `b` (both ways unless `oneWay`,
        /// where only `a → b` is dropped). Endpoints are sentinels first, then Redis nodes.
        case partition(a: UInt64, b: UInt64, oneWay: Bool)
        /// Isolates the Redis target from everything.
        case isolateRedis(RedisTarget)
        case crashRedis(RedisTarget)
        case freezeRedis(RedisTarget)
        case crashSentinel(Int)
        /// Sentinel `s` crashes in its next turn that writes its configuration, after that
        /// many of the turn's messages (then restarts when the fault ends).
        case crashSentinelInTurn(Int, afterMessages: Int)
        case pauseSentinel(Int)
        /// Sentinel `s` crashes and loses its state (its disk); it restarts when the fault
        /// ends, at a new address when `newAddress`.
        case wipeSentinel(Int, newAddress: Bool)
        /// Each message is lost with this probability (its connection breaks).
        case loss(Double)
        /// Delays drawn up to this many milliseconds.
        case delay(Milliseconds)
    }

    public var start: Milliseconds
    public var duration: Milliseconds
    public var kind: Kind

    public var description: String {
        let what: String
        switch kind {
        case .partition(let a, let b, let oneWay):
            what = "partition \(Fault.maskText(a)) \(oneWay ? "-/->" : "<-/->") \(Fault.maskText(b))"
        case .isolateRedis(let t): what = "isolate \(t)"
        case .crashRedis(let t): what = "crash \(t)"
        case .freezeRedis(let t): what = "freeze \(t)"
        case .crashSentinel(let s): what = "crash sentinel#\(s)"
        case .crashSentinelInTurn(let s, let messages): what = "crash sentinel#\(s) after \(messages) message(s) of a writing turn"
        case .pauseSentinel(let s): what = "pause sentinel#\(s)"
        case .wipeSentinel(let s, let newAddress): what = "wipe the state of sentinel#\(s)\(newAddress ? ", restarting at a new address" : "")"
        case .loss(let p): what = "loss \(Int(p * 1000))‰"
        case .delay(let d): what = "delay up to \(d) ms"
        }
        return "\(what) for \(duration) ms"
    }

    static func maskText(_ mask: UInt64) -> String {
        var items: [String] = []
        for i in 0..<64 where mask & (1 << UInt64(i)) != 0 { items.append(String(i)) }
        return "{" + items.joined(separator: ",") + "}"
    }
}

/// Draws the topology and the fault schedule of one history from its seed.
public enum ScheduleGenerator {
    public static func topology(for options: SimulationOptions, random: inout SplitMix64) -> Topology {
        let sentinels = options.sentinels ?? random.pick([3, 3, 3, 3, 3, 3, 5, 5, 7])
        let masters = options.masters ?? random.pick([1, 1, 1, 1, 2, 3])
        var replicas: [Int] = []
        for _ in 0..<masters { replicas.append(options.replicas ?? random.pick([0, 1, 2, 2, 2, 3, 4])) }
        let majority = sentinels / 2 + 1
        let quorum = options.quorum ?? (random.chance(0.5) ? majority : random.int(1...sentinels))
        var topology = Topology(
            sentinels: sentinels, masters: masters, replicasPerMaster: replicas, quorum: quorum,
            downAfter: random.pick([2000, 3000, 5000]),
            failoverTimeout: random.pick([6000, 10000, 15000]),
            parallelSyncs: random.pick([1, 1, 2]))
        topology.container = container(for: options)
        return topology
    }

    /// The container options, drawn from a stream of their own so that the histories without
    /// them keep the schedules they had before these options existed.
    static func container(for options: SimulationOptions) -> ContainerSetup {
        var random = SplitMix64(seed: options.seed ^ 0xC0_27A1_4E25_7A7E)
        var setup = ContainerSetup()
        // Half the histories run Redis's mode, unless an option is asked for.
        let asked = options.forgetAfter != .drawn || options.stateFile != nil || options.stableIdentity != nil
        guard asked || random.chance(0.5) else { return setup }
        switch options.forgetAfter {
        case .drawn: setup.forgetAfter = random.chance(0.25) ? 0 : random.pick(ForgetAfterChoice.values)
        case .drawnNonZero: setup.forgetAfter = random.pick(ForgetAfterChoice.values)
        case .fixed(let milliseconds): setup.forgetAfter = milliseconds
        }
        setup.stateFile = options.stateFile ?? random.chance(0.5)
        setup.stableIdentity = options.stableIdentity ?? random.chance(0.3)
        if !setup.isEnabled && options.stateFile == nil { setup.stateFile = true }
        return setup
    }

    public static func faults(for options: SimulationOptions, topology: Topology, random: inout SplitMix64) -> [Fault] {
        // A sentinel loses its state only where the container options guard against it.
        let enabled = FaultKinds.names.map { $0.1 }.filter { options.faults.contains($0) && ($0 != .stateWipe || topology.container.isEnabled) }
        guard !enabled.isEmpty, options.faultDuration > 10_000 else { return [] }
        let redisCount = topology.replicasPerMaster.reduce(0) { $0 + $1 + 1 }
        let endpointCount = topology.sentinels + redisCount
        var result: [Fault] = []
        let count = random.int(3...12)
        for index in 0..<count {
            let start = random.milliseconds(5000...(options.faultDuration - 3000))
            var duration = random.milliseconds(1000...25_000)
            duration = min(duration, options.faultDuration - start)
            // Masters are the interesting victims: half the Redis faults hit a current master.
            func redisTarget() -> RedisTarget {
                if random.chance(0.6) { return .currentMaster(group: random.int(0...(topology.masters - 1))) }
                return .node(random.int(0...(redisCount - 1)))
            }
            // The first fault always hits a master somehow, so that most histories fail over.
            let kind: FaultKinds = index == 0 && options.faults.contains(.crash) ? .crash : random.pick(enabled)
            switch kind {
            case .partition:
                if random.chance(0.5) {
                    result.append(Fault(start: start, duration: duration, kind: .isolateRedis(redisTarget())))
                } else {
                    var a: UInt64 = 0
                    for e in 0..<endpointCount where random.chance(0.5) { a |= 1 << UInt64(e) }
                    let all: UInt64 = (1 << UInt64(endpointCount)) - 1
                    if a == 0 || a == all { a = 1 << UInt64(random.int(0...(topology.sentinels - 1))) }
                    result.append(Fault(start: start, duration: duration, kind: .partition(a: a, b: all & ~a, oneWay: false)))
                }
            case .oneWay:
                let all: UInt64 = (1 << UInt64(endpointCount)) - 1
                let single: UInt64 = 1 << UInt64(random.int(0...(endpointCount - 1)))
                if random.chance(0.5) {
                    result.append(Fault(start: start, duration: duration, kind: .partition(a: single, b: all & ~single, oneWay: true)))
                } else {
                    result.append(Fault(start: start, duration: duration, kind: .partition(a: all & ~single, b: single, oneWay: true)))
                }
            case .crash:
                result.append(Fault(start: start, duration: duration, kind: .crashRedis(index == 0 ? .currentMaster(group: 0) : redisTarget())))
            case .sentinelCrash:
                result.append(Fault(start: start, duration: duration, kind: .crashSentinel(random.int(0...(topology.sentinels - 1)))))
            case .crashInTurn:
                result.append(Fault(start: start, duration: duration,
                                    kind: .crashSentinelInTurn(random.int(0...(topology.sentinels - 1)), afterMessages: random.int(0...3))))
            case .stateWipe:
                result.append(Fault(start: start, duration: duration,
                                    kind: .wipeSentinel(random.int(0...(topology.sentinels - 1)), newAddress: random.chance(0.5))))
            case .freeze:
                result.append(Fault(start: start, duration: min(duration, 12_000), kind: .freezeRedis(redisTarget())))
            case .pause:
                result.append(Fault(start: start, duration: min(duration, 6000), kind: .pauseSentinel(random.int(0...(topology.sentinels - 1)))))
            case .loss:
                result.append(Fault(start: start, duration: duration, kind: .loss(Double(random.int(5...80)) / 1000)))
            case .massCrash:
                for group in 0..<topology.masters {
                    result.append(Fault(start: start, duration: duration, kind: .crashRedis(.currentMaster(group: group))))
                }
            default:
                result.append(Fault(start: start, duration: duration, kind: .delay(random.milliseconds(50...400))))
            }
        }
        return result.sorted { $0.start < $1.start }
    }
}
