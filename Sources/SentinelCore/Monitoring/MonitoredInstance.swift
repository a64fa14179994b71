/// Identifies a monitored instance (master, replica or sentinel entry) for its whole life.
public struct InstanceID: Sendable, SequentialIdentifier, CustomStringConvertible {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "i\(rawValue)" }
}

/// One master, replica or sentinel entry as this sentinel sees it (§1.1). The three kinds share
/// one shape, like Redis's `sentinelRedisInstance`, so that links, PING, SDOWN and the
/// instance replies are written once.
public struct MonitoredInstance: Sendable {
    public let id: InstanceID
    public let kind: InstanceKind
    /// Master: configured name. Replica: `ip:port`. Sentinel: its run id.
    public var name: String
    public var address: HostPort
    /// The owning master (replicas and sentinels).
    public let master: InstanceID?
    public var link: LinkID
    /// Run id from INFO (masters, replicas) or hello (sentinels); nil while unknown.
    public var runID: String?
    public var flags: InstanceFlags = []
    /// `down-after-milliseconds`, copied from the master to its replicas and sentinels.
    public var downAfterMilliseconds: Milliseconds
    /// When SDOWN started (kept after recovery for the "no down since" rules; 0 = never).
    public var subjectivelyDownSince: Milliseconds = 0
    /// When ODOWN started (0 = never).
    public var objectivelyDownSince: Milliseconds = 0

    // MARK: INFO (masters and replicas, §3.2)

    /// When the last INFO reply arrived (0 = never).
    public var lastInfoTime: Milliseconds = 0
    /// The last INFO reply, for `SENTINEL INFO-CACHE`.
    public var info: [UInt8]?
    /// `redis_version:` from INFO.
    public var redisVersion: String?
    /// `master_failover_state:` from INFO (nil when the server does not report it).
    public var serverFailoverState: String?
    public var roleReported: ReportedRole
    public var roleReportedTime: Milliseconds
    /// When this replica's master address last changed (or it became a replica).
    public var replicaConfigurationChangeTime: Milliseconds
    /// When this replica was last told to follow our master (`+fix-slave-config`, or
    /// `+convert-to-slave` while it claimed master), and how many times in a row it was told
    /// to fix its configuration without being seen to follow it since (see
    /// `Sentinel.mayTellAgain` and `Sentinel.mayConvertAgain`).
    public var replicaConfigurationFixTime: Milliseconds = 0
    public var replicaConfigurationFixCount = 0
    /// `master_link_down_since_seconds` × 1000.
    public var masterLinkDownTime: Milliseconds = 0
    /// `master_host` of a replica; nil while unknown (`?`).
    public var replicaMasterHost: String?
    public var replicaMasterPort: Int = 0
    /// `master_link_status:up`.
    public var replicaMasterLinkUp = false
    public var replicaPriority: Int = 100
    public var replicaReplicationOffset: Int64 = 0
    /// `replica_announced:0` hides the replica from `SENTINEL REPLICAS`.
    public var replicaAnnounced = true
    /// When SLAVEOF to the promoted replica was sent (reconfiguration, §8.7).
    public var reconfigurationSentTime: Milliseconds = 0
    /// When the master was seen rebooting (new run id).
    public var masterRebootSince: Milliseconds = 0

    // MARK: Hello and votes (sentinels, §4, §6)

    /// Last hello received from this sentinel (or the last one we published, for masters).
    public var lastHelloTime: Milliseconds
    /// (sentinel entry) The master address and config epoch its last hello announced.
    public var helloMasterAddress: HostPort?
    public var helloConfigEpoch: UInt64 = 0
    /// Last hello sent to this instance that was acknowledged.
    public var lastPublishTime: Milliseconds
    /// Last hello sent at once, outside the hello period (0 = never; see `announceNow`).
    public var lastImmediateHelloTime: Milliseconds = 0
    /// Last IS-MASTER-DOWN-BY-ADDR answer from this sentinel.
    public var lastMasterDownReplyTime: Milliseconds
    /// (sentinel entry) The leader this peer said it voted for, and at which epoch (its
    /// answers to our `IS-MASTER-DOWN-BY-ADDR`). Our own vote is `MasterState.votedLeader`.
    public var votedLeader: String?
    public var votedLeaderEpoch: UInt64 = 0

    public init(id: InstanceID, kind: InstanceKind, name: String, address: HostPort, master: InstanceID?, link: LinkID, downAfterMilliseconds: Milliseconds, now: Milliseconds) {
        self.id = id
        self.kind = kind
        self.name = name
        self.address = address
        self.master = master
        self.link = link
        self.downAfterMilliseconds = downAfterMilliseconds
        self.roleReported = kind == .replica ? .replica : .master
        self.roleReportedTime = now
        self.replicaConfigurationChangeTime = now
        self.lastHelloTime = now
        self.lastPublishTime = now
        self.lastMasterDownReplyTime = now
    }
}
