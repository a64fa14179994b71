/// Which side of a failover this sentinel was on: the `leader` started it (its own
/// `+try-failover`, whatever came of it), an `observer` adopted a peer's result from a hello
/// (`+config-update-from`, `+switch-master`).
public enum FailoverRole: String, Sendable, CaseIterable {
    case leader
    case observer
}

/// How a failover ended, named after its event: `+failover-end` (`end`),
/// `+failover-end-for-timeout` (`timeout`), or one of the `-failover-abort-*` events.
public enum FailoverResult: String, Sendable, CaseIterable {
    case end
    case timeout
    case abortNotElected = "abort_not_elected"
    case abortMasterUp = "abort_master_up"
    case abortNoGoodReplica = "abort_no_good_slave"
    case abortReplicaTimeout = "abort_slave_timeout"
    case abortMasterTimeout = "abort_master_timeout"
    case abortNewerConfiguration = "abort_newer_config"

    /// The results each role can have: an observer only ever sees a peer's failover done.
    static func possible(for role: FailoverRole) -> [FailoverResult] {
        role == .leader ? allCases : [.end]
    }
}

/// The phases of a failover that `redis_sentinel_failover_phase_seconds` measures, on the
/// leader, when it ends with `+switch-master`.
public enum FailoverPhase: String, Sendable, CaseIterable {
    /// The master's last valid PING reply → `+odown`.
    case detect
    /// The attempt's first `+try-failover` → `+elected-leader` (split-vote restarts included).
    case elect
    /// `+elected-leader` → `+promoted-slave`.
    case promote
    /// `+promoted-slave` → `+failover-end`.
    case reconfigure
    /// `+odown` → `+switch-master` (from `+try-failover` for a failover `SENTINEL FAILOVER`
    /// forced without ODOWN).
    case total
}

/// How a script run ended: `success` (exit 0), `retry` (exit 1 or a signal, run again
/// later), `error` (failed for good: `-script-error`).
public enum ScriptRunOutcome: String, Sendable, CaseIterable {
    case success
    case retry
    case error
}

/// What the sentinel counts as things happen, for `/metrics`: counters that only grow while
/// the process runs, and histograms. Updated by the core where the events are emitted (see
/// `Sentinel.account(for:about:)`), by the tick, and by the configuration writes.
public struct SentinelMetrics: Sendable {
    /// Events emitted, by type (absent: none yet).
    public internal(set) var eventCounts: [SentinelEventType: UInt64] = [:]
    /// Failovers by role and result.
    public internal(set) var failoverCounts: [FailoverRole: [FailoverResult: UInt64]] = [:]
    /// Elections this sentinel ran and won (`+elected-leader`), lost
    /// (`-failover-abort-not-elected`), or restarted at once after a split vote.
    public internal(set) var electionsWon: UInt64 = 0
    public internal(set) var electionsLost: UInt64 = 0
    public internal(set) var electionsRestarted: UInt64 = 0
    /// Votes this sentinel cast, for itself and for peers.
    public internal(set) var votesForSelf: UInt64 = 0
    public internal(set) var votesForPeers: UInt64 = 0
    /// Script runs by how they ended.
    public internal(set) var scriptRuns: [ScriptRunOutcome: UInt64] = [:]
    /// Phases of the failovers this sentinel led to `+switch-master`.
    public internal(set) var failoverPhases: [FailoverPhase: Histogram] = Dictionary(uniqueKeysWithValues:
        FailoverPhase.allCases.map { ($0, Histogram(upperBounds: Histogram.failoverPhaseBounds)) })
    /// How much later than scheduled each tick ran.
    public internal(set) var timerLag = Histogram(upperBounds: Histogram.timerLagBounds)
    /// How long each configuration write took, as the shell measured it.
    public internal(set) var configurationWrites = Histogram(upperBounds: Histogram.configurationWriteBounds)
    /// When the tick asked for last is due (nil before the first is asked for).
    var nextTickDue: Milliseconds?

    public init() {}

    /// The count of one failover outcome.
    public func failovers(_ role: FailoverRole, _ result: FailoverResult) -> UInt64 {
        failoverCounts[role]?[result] ?? 0
    }

    mutating func countFailover(_ role: FailoverRole, _ result: FailoverResult) {
        failoverCounts[role, default: [:]][result, default: 0] += 1
    }

    mutating func observe(_ phase: FailoverPhase, milliseconds: Milliseconds) {
        failoverPhases[phase]?.observe(milliseconds: milliseconds)
    }

    /// A tick ran at `now`: how late it was against the time it was asked for.
    mutating func observeTick(at now: Milliseconds) {
        guard let due = nextTickDue else { return }
        timerLag.observe(milliseconds: now - due)
        nextTickDue = nil
    }

    /// A configuration write the shell timed.
    public mutating func observeConfigurationWrite(seconds: Double) {
        configurationWrites.observe(seconds)
    }
}

/// The moments of a master's failover that the phase histograms are made of, noted as its
/// events are emitted (monotonic milliseconds; nil until reached) and cleared by
/// `+switch-master`.
public struct FailoverTimeline: Sendable, Equatable {
    /// The master's last valid PING reply when it became ODOWN, and when that was.
    public var lastValidReply: Milliseconds?
    public var objectivelyDown: Milliseconds?
    /// The first `+try-failover` of the attempt.
    public var electionStarted: Milliseconds?
    public var elected: Milliseconds?
    public var promoted: Milliseconds?
    public var reconfigured: Milliseconds?
    /// `+failover-end-for-timeout` came first: the `+failover-end` after it is a timeout.
    public var endedForTimeout = false

    public init() {}
}

extension SentinelMetrics {
    /// Counts a finished script run by what `ScriptQueue.finish` made of it.
    mutating func countScriptRun(_ outcome: ScriptQueue.Outcome) {
        switch outcome {
        case .done: scriptRuns[.success, default: 0] += 1
        case .willRetry: scriptRuns[.retry, default: 0] += 1
        case .failed: scriptRuns[.error, default: 0] += 1
        }
    }
}
