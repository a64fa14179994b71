/// Deliberately broken protocol rules, for testing only.
///
/// This exists only so that the simulator's invariant checker can be shown to bite: a test
/// builds the core with one of these rules broken and expects the simulation to report the
/// violation. The default is empty, and production code never sets it.
public struct DeliberateDefects: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The voting rule (§6) forgets that a vote was already cast in this epoch: a later
    /// request in the same epoch replaces it.
    public static let voteTwicePerEpoch = DeliberateDefects(rawValue: 1 << 0)
    /// The majority rule (§7) counts only the peers not seen SDOWN as voters, instead of
    /// every known sentinel.
    public static let majorityIgnoresDeadPeers = DeliberateDefects(rawValue: 1 << 1)
    /// The turn executor sends a turn's messages before writing its files: a vote can reach
    /// the candidate and then be lost in a crash.
    public static let sendBeforePersisting = DeliberateDefects(rawValue: 1 << 2)
    /// The metrics forget to count a failover this sentinel led to `+failover-end`.
    public static let metricsMissFailoverEnd = DeliberateDefects(rawValue: 1 << 3)
    /// A sentinel that started without its state votes at once, instead of first learning the
    /// epochs from a majority of its peers (`EpochLearning`): it can vote again in an epoch its
    /// previous incarnation voted in.
    public static let votesAtOnceAfterStateLoss = DeliberateDefects(rawValue: 1 << 4)
    /// Forgetting an unreachable peer lowers the majority (it is counted over the peers still
    /// listed only), instead of never dropping below the most sentinels seen alive at once:
    /// a partitioned minority forgets the others and elects a leader among itself.
    public static let forgettingLowersMajority = DeliberateDefects(rawValue: 1 << 5)
    /// The due-time schedule misses one wake-up: a connection established does not wake the
    /// link's users, so their periodic commands wait for their old due time.
    public static let scheduleMissesLinkWake = DeliberateDefects(rawValue: 1 << 6)
}
