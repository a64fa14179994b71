/// What a monitored master owns beyond its instance entry: its settings, its replicas and
/// sentinels, and its failover state (§1.1, §7, §8).
public struct MasterState: Sendable {
    public let id: InstanceID
    public var quorum: Int
    public var failoverTimeout: Milliseconds
    public var parallelSyncs: Int
    public var notificationScript: String?
    public var clientReconfigScript: String?
    public var authPass: String?
    public var authUser: String?
    public var masterRebootDownAfterPeriod: Milliseconds
    /// Epoch of the failover that produced the current address.
    public var configEpoch: UInt64
    /// `rename-command` table, keyed by the lowercased original name.
    public var renamedCommands: [String: String] = [:]
    /// `rename-command` pairs as configured, in order (for the rewrite).
    public var renamedCommandOrder: [RenamedCommand] = []
    /// Replicas in discovery order (keys are `ip:port` names).
    public var replicas: [InstanceID] = []
    /// Sentinel entries in discovery order.
    public var sentinels: [InstanceID] = []

    // MARK: Failover (§7, §8)

    public var failoverState: FailoverState = .none
    public var failoverEpoch: UInt64 = 0
    public var failoverStateChangeTime: Milliseconds = 0
    public var failoverStartTime: Milliseconds = 0
    public var failoverDelayLogged: Milliseconds = 0
    /// Elections restarted after a split vote in this failover attempt (see
    /// `Sentinel.shouldRestartSplitElection`).
    public var splitElectionRestarts = 0
    public var promotedReplica: InstanceID?
    /// A `SENTINEL FAILOVER … COORDINATED` in progress (issue: no acknowledged write lost).
    public var coordinatedFailover: CoordinatedFailover?

    public init(id: InstanceID, configuration: MasterConfiguration) {
        self.id = id
        self.quorum = configuration.quorum
        self.failoverTimeout = configuration.failoverTimeout
        self.parallelSyncs = configuration.parallelSyncs
        self.notificationScript = configuration.notificationScript
        self.clientReconfigScript = configuration.clientReconfigScript
        self.authPass = configuration.authPass
        self.authUser = configuration.authUser
        self.masterRebootDownAfterPeriod = configuration.masterRebootDownAfterPeriod
        self.configEpoch = min(configuration.configEpoch, HelloMessage.maximumEpoch)
        for rename in configuration.renamedCommands {
            renamedCommands[rename.command.lowercased()] = rename.renamed
            renamedCommandOrder.append(rename)
        }
    }
}

/// The failover states of §8, spelled as `failover-state` shows them.
public enum FailoverState: String, Sendable {
    case none
    case waitStart = "wait_start"
    case selectSlave = "select_slave"
    case sendSlaveofNoOne = "send_slaveof_noone"
    case waitPromotion = "wait_promotion"
    case reconfSlaves = "reconf_slaves"
    case updateConfig = "update_config"
}
