/// The state flags of a monitored instance (SENTINEL-PROTOCOL.md §1.2). The kind
/// (master/slave/sentinel) and `disconnected` are not flags here: they come from
/// `InstanceKind` and the link.
public struct InstanceFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Subjectively down (§5.1).
    public static let subjectivelyDown = InstanceFlags(rawValue: 1 << 0)
    /// Objectively down: quorum agreed (§5.2).
    public static let objectivelyDown = InstanceFlags(rawValue: 1 << 1)
    /// (sentinel entry) its last IS-MASTER-DOWN-BY-ADDR answer said "down".
    public static let masterDown = InstanceFlags(rawValue: 1 << 2)
    /// (master) a failover is in progress.
    public static let failoverInProgress = InstanceFlags(rawValue: 1 << 3)
    /// (replica) chosen for promotion.
    public static let promoted = InstanceFlags(rawValue: 1 << 4)
    /// (replica) SLAVEOF to the promoted replica sent.
    public static let reconfigurationSent = InstanceFlags(rawValue: 1 << 5)
    /// (replica) reports the promoted replica as its master.
    public static let reconfigurationInProgress = InstanceFlags(rawValue: 1 << 6)
    /// (replica) replicates the promoted replica with its link up.
    public static let reconfigurationDone = InstanceFlags(rawValue: 1 << 7)
    /// (master) failover started by `SENTINEL FAILOVER`.
    public static let forceFailover = InstanceFlags(rawValue: 1 << 8)
    /// SCRIPT KILL sent after a `-BUSY` PING reply.
    public static let scriptKillSent = InstanceFlags(rawValue: 1 << 9)
    /// (master) INFO showed a new run id; cleared by a PONG (§5.1).
    public static let masterReboot = InstanceFlags(rawValue: 1 << 10)
}

/// What kind of instance an entry describes.
public enum InstanceKind: Sendable, Hashable {
    case master, replica, sentinel

    /// The word used in `flags`, events and `<details>`: `master`, `slave`, `sentinel`.
    public var word: String {
        switch self {
        case .master: return "master"
        case .replica: return "slave"
        case .sentinel: return "sentinel"
        }
    }
}

/// The role an instance reports in its INFO.
public enum ReportedRole: Sendable, Hashable {
    case master, replica

    public var word: String { self == .master ? "master" : "slave" }
}
