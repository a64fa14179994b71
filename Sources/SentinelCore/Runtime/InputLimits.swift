/// The bounds every number from outside — a client, a peer, a monitored instance or the
/// configuration file — is clamped to where it enters the core, so that no later `+`, `*` or
/// conversion can overflow. Swift traps on overflow, and one hostile value reaching every
/// sentinel of a fleet would otherwise stop them all at once.
///
/// The timer rules combine a duration with a monotonic time or another duration, multiplied by
/// at most 2^9 (the script retry back-off); with durations capped at `maximumDuration` every
/// such expression stays below 2^60.
public enum InputLimits {
    /// The longest duration accepted, in milliseconds (about 31,700 years): a
    /// `down-after-milliseconds`, `failover-timeout`, `SENTINEL DEBUG` period or an instance's
    /// `master_link_down_since_seconds` above it is taken as this.
    public static let maximumDuration: Milliseconds = 1_000_000_000_000_000

    /// The largest epoch accepted from a peer, a client or the file, and the largest one this
    /// sentinel ever reaches: epochs travel as signed 64-bit integers. At this epoch no new
    /// election can start (it would need the next epoch).
    public static let maximumEpoch = UInt64(Int64.max)

    /// `value` within `-maximumDuration ... maximumDuration`.
    public static func duration(_ value: Int64) -> Milliseconds {
        min(max(value, -maximumDuration), maximumDuration)
    }

    /// `seconds` as milliseconds, within `-maximumDuration ... maximumDuration`.
    public static func duration(seconds: Int64) -> Milliseconds {
        let limit = maximumDuration / 1000
        return min(max(seconds, -limit), limit) * 1000
    }

    /// The largest quorum or `parallel-syncs` accepted: the configuration file reads them with
    /// `atoi`, so anything larger would not load back.
    public static let maximumCount = Int(Int32.max)

    /// `value` within `0 ... maximumCount`.
    public static func count(_ value: Int64) -> Int {
        Int(min(max(value, 0), Int64(maximumCount)))
    }

    /// The most replicas and the most sentinels one master may have: a master's INFO and the
    /// hellos on its channel can name any number of them, and each one costs a link and memory.
    /// Far above any real deployment; beyond it new entries are ignored (and logged once).
    public static let maximumInstancesPerMaster = 10_000

    /// `value` capped at `maximumEpoch`.
    public static func epoch(_ value: UInt64) -> UInt64 {
        min(value, maximumEpoch)
    }
}
