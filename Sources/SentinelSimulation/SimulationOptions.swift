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

    /// A sentinel crashes and restarts with its state wiped (a container's ephemeral disk):
    /// a new run id (the same one with a stable name), at the same address or a new one. Only
    /// in histories whose sentinels run in container mode (`Topology.container`).
    public static let stateWipe = FaultKinds(rawValue: 1 << 10)

    public static let all: FaultKinds = [.partition, .oneWay, .crash, .sentinelCrash, .freeze, .pause, .loss, .delay, .massCrash, .crashInTurn,
                                         .stateWipe]

    /// The names `--faults` accepts, in this order.
    public static let names: [(String, FaultKinds)] = [
        ("partition", .partition), ("oneway", .oneWay), ("crash", .crash), ("sentinel-crash", .sentinelCrash),
        ("freeze", .freeze), ("pause", .pause), ("loss", .loss), ("delay", .delay), ("mass-crash", .massCrash),
        ("turn-crash", .crashInTurn), ("state-wipe", .stateWipe),
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
    /// Run every sentinel beside a reference copy that visits everything at every tick and
    /// check that both do the same (`ScheduleCheck`).
    public var checkSchedule = false
    /// Record a full event trace (every input of every sentinel, every fault).
    public var trace = false
    /// `sentinel forget-after-milliseconds` of every sentinel.
    public var forgetAfter: ForgetAfterChoice = .drawn
    /// Whether the sentinels keep their state in a `state-config-file` (drawn when nil).
    public var stateFile: Bool?
    /// Whether the sentinels' run ids come from `myid-from-name` (drawn when nil).
    public var stableIdentity: Bool?

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
        if defects.contains(.votesAtOnceAfterStateLoss) { words.append("--defect votes-at-once") }
        if defects.contains(.forgettingLowersMajority) { words.append("--defect forgetting-lowers-majority") }
        if defects.contains(.scheduleMissesLinkWake) { words.append("--defect schedule-misses-link-wake") }
        if checkSchedule { words.append("--check-schedule") }
        if forgetAfter != .drawn { words.append("--forget-after \(forgetAfter.text)") }
        if let stateFile { words.append("--state-file \(stateFile ? "yes" : "no")") }
        if let stableIdentity { words.append("--stable-identity \(stableIdentity ? "yes" : "no")") }
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
    /// The sentinels' container options (none: Redis's behaviour).
    public var container = ContainerSetup()

    public var description: String {
        "\(sentinels) sentinels, \(masters) master(s) with \(replicasPerMaster.map(String.init).joined(separator: "/")) replicas, quorum \(quorum), down-after \(downAfter), failover-timeout \(failoverTimeout), parallel-syncs \(parallelSyncs)"
            + (container.isEnabled ? ", \(container)" : "")
    }
}

/// How the sentinels of a history run in container mode (`ContainerOptions`).
public struct ContainerSetup: Sendable, CustomStringConvertible {
    /// `sentinel forget-after-milliseconds` (0: off).
    public var forgetAfter: Milliseconds = 0
    /// A `state-config-file` beside a main file that is never written.
    public var stateFile = false
    /// `sentinel myid-from-name sentinel-<index>`.
    public var stableIdentity = false

    /// Whether any option is on: then sentinels may lose their state (`FaultKinds.stateWipe`).
    public var isEnabled: Bool { forgetAfter > 0 || stateFile || stableIdentity }

    public var description: String {
        var words = ["container mode: forget-after \(forgetAfter)"]
        if stateFile { words.append("state file") }
        if stableIdentity { words.append("stable identity") }
        return words.joined(separator: ", ")
    }
}

/// `--forget-after`: drawn per history (off for half of them), drawn among the non-zero values,
/// or fixed.
public enum ForgetAfterChoice: Sendable, Equatable {
    case drawn
    case drawnNonZero
    case fixed(Milliseconds)

    /// The values drawn from (0 is off).
    static let values: [Milliseconds] = [1000, 2000, 3000, 5000, 10_000, 20_000]

    /// Parses `random`, `on`, `off` or a number of milliseconds.
    public init?(text: String) {
        switch text {
        case "random": self = .drawn
        case "on": self = .drawnNonZero
        case "off": self = .fixed(0)
        default:
            guard let milliseconds = Milliseconds(text), milliseconds >= 0 else { return nil }
            self = .fixed(milliseconds)
        }
    }

    public var text: String {
        switch self {
        case .drawn: return "random"
        case .drawnNonZero: return "on"
        case .fixed(let milliseconds): return milliseconds == 0 ? "off" : String(milliseconds)
        }
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
