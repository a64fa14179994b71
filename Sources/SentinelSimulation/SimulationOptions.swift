import SentinelCore

/// The kinds of faults a schedule may contain (`--faults`).
public struct FaultKinds: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Symmetric partitions: one node isolated, or the endpoints split in two groups.
    public static let partition = FaultKinds(rawValue: 1 << 0)
    /// One-way partitions: traffic from one group to another is dropped, not the reverse.
    public static let oneWay = FaultKinds(rawValue: 1 << 1)
    /// A Redis instance crashes, restarts later (new run id, `-LOADING` for a while).
    public static let crash = FaultKinds(rawValue: 1 << 2)
    /// A sentinel crashes and restarts from the configuration it last persisted.
    public static let sentinelCrash = FaultKinds(rawValue: 1 << 3)
    /// A Redis instance stops answering for a while (`DEBUG SLEEP`).
    public static let freeze = FaultKinds(rawValue: 1 << 4)
    /// A sentinel process stalls (its inputs wait; TILT may follow).
    public static let pause = FaultKinds(rawValue: 1 << 5)
    /// Messages are lost (each loss breaks its TCP connection).
    public static let loss = FaultKinds(rawValue: 1 << 6)
    /// Long and jittery delays (reordering across connections).
    public static let delay = FaultKinds(rawValue: 1 << 7)

    /// The masters of every group crash at the same instant (a rack or host failure).
    public static let massCrash = FaultKinds(rawValue: 1 << 8)

    /// A sentinel crashes in the middle of a turn that writes its configuration: after the
    /// write and after the first few of the turn's messages.
    public static let crashInTurn = FaultKinds(rawValue: 1 << 9)

    public static let all: FaultKinds = [.partition, .oneWay, .crash, .sentinelCrash, .freeze, .pause, .loss, .delay, .massCrash, .crashInTurn]

    /// The names `--faults` accepts, in this order.
    public static let names: [(String, FaultKinds)] = [
        ("partition", .partition), ("oneway", .oneWay), ("crash", .crash), ("sentinel-crash", .sentinelCrash),
        ("freeze", .freeze), ("pause", .pause), ("loss", .loss), ("delay", .delay), ("mass-crash", .massCrash),
        ("turn-crash", .crashInTurn),
    ]

    /// Parses `partition,crash,…` (or `all`, or `none`).
    public init?(list: String) {
        var kinds: FaultKinds = []
        for word in list.split(separator: ",").map({ $0.lowercased() }) {
            if word == "all" { kinds.formUnion(.all); continue }
            if word == "none" { continue }
            guard let kind = FaultKinds.names.first(where: { $0.0 == word })?.1 else { return nil }
            kinds.insert(kind)
        }
        self = kinds
    }

    public var listText: String {
        if self == .all { return "all" }
        let words = FaultKinds.names.filter { contains($0.1) }.map { $0.0 }
        return words.isEmpty ? "none" : words.joined(separator: ",")
    }
}

/// What one simulated history is made of. Everything not fixed here is drawn from the seed.
public struct SimulationOptions: Sendable {
    public var seed: UInt64
    /// Number of sentinels (3, 5 or 7 drawn when nil).
    public var sentinels: Int?
    /// Number of masters (1–3 drawn when nil).
    public var masters: Int?
    /// Replicas per master (0–4 drawn when nil).
    public var replicas: Int?
    /// Quorum (drawn when nil).
    public var quorum: Int?
    public var faults: FaultKinds = .all
    /// Simulated milliseconds with faults.
    public var faultDuration: Milliseconds = 60_000
    /// Simulated milliseconds after every fault healed; the final agreement is checked at its end.
    public var quietDuration: Milliseconds = 60_000
    /// Protocol rules broken on purpose in every sentinel core (checker tests only).
    public var defects: DeliberateDefects = []
    /// Record a full event trace (every input of every sentinel, every fault).
    public var trace = false

    public init(seed: UInt64) { self.seed = seed }

    /// The command line that replays this history with a full trace.
    public func replayCommand() -> String {
        var words = ["swift run -c release sentinel-sim --seed \(seed)"]
        if let sentinels { words.append("--sentinels \(sentinels)") }
        if let masters { words.append("--masters \(masters)") }
        if let replicas { words.append("--replicas \(replicas)") }
        if let quorum { words.append("--quorum \(quorum)") }
        if faults != .all { words.append("--faults \(faults.listText)") }
        if faultDuration != 60_000 { words.append("--fault-seconds \(faultDuration / 1000)") }
        if quietDuration != 60_000 { words.append("--quiet-seconds \(quietDuration / 1000)") }
        if defects.contains(.voteTwicePerEpoch) { words.append("--defect vote-twice") }
        if defects.contains(.majorityIgnoresDeadPeers) { words.append("--defect majority-ignores-dead") }
        if defects.contains(.sendBeforePersisting) { words.append("--defect send-before-persist") }
        if defects.contains(.metricsMissFailoverEnd) { words.append("--defect metrics-miss-failover-end") }
        words.append("--trace")
        return words.joined(separator: " ")
    }
}

/// The fleet drawn for one history.
public struct Topology: Sendable, CustomStringConvertible {
    public var sentinels: Int
    public var masters: Int
    public var replicasPerMaster: [Int]
    public var quorum: Int
    public var downAfter: Milliseconds
    public var failoverTimeout: Milliseconds
    public var parallelSyncs: Int

    public var description: String {
        "\(sentinels) sentinels, \(masters) master(s) with \(replicasPerMaster.map(String.init).joined(separator: "/")) replicas, quorum \(quorum), down-after \(downAfter), failover-timeout \(failoverTimeout), parallel-syncs \(parallelSyncs)"
    }
}

extension SplitMix64 {
    /// Uniform in `range` (the small bias of `%` does not matter here).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func milliseconds(_ range: ClosedRange<Milliseconds>) -> Milliseconds {
        range.lowerBound + Milliseconds(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < p
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}
