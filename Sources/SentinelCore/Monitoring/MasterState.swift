/// What a monitored master owns beyond its instance entry: its settings, its replicas and
/// sentinels, and its failover state (§1.1, §7, §8).
public struct MasterState: Sendable {
    public let id: InstanceID
    public var quorum: Int
    public var failoverTimeout: Milliseconds
    public var parallelSyncs: Int
    public var notificationScript: String?
    public var clientReconfigScript: String?
    /// `auth-pass`: sent as the exact bytes configured.
    public var authPass: Secret?
    public var authUser: String?
    public var masterRebootDownAfterPeriod: Milliseconds
    /// Epoch of the failover that produced the current address.
    public var configEpoch: UInt64
    /// The leader this sentinel voted for in this master's elections, and the epoch of that
    /// vote (`leader-epoch` in the file): one vote per master and epoch (§6).
    public var votedLeader: String?
    public var votedLeaderEpoch: UInt64
    /// `rename-command` table, keyed by the lowercased original name.
    public var renamedCommands: [String: String] = [:]
    /// `rename-command` pairs as configured, in order (for the rewrite).
    public var renamedCommandOrder: [RenamedCommand] = []
    /// Replicas in discovery order (their names are `ip:port`).
    public private(set) var replicas: [InstanceID] = []
    /// Sentinel entries in discovery order.
    public private(set) var sentinels: [InstanceID] = []
    /// `replicas` by name, and `sentinels` by run id: an INFO listing every replica and a hello
    /// from every peer look their entry up at once, instead of searching the lists.
    private(set) var replicaIDsByName: [String: InstanceID] = [:]
    private(set) var sentinelIDsByRunID: [String: InstanceID] = [:]
    /// Whether refusing a replica or sentinel beyond `InputLimits.maximumInstancesPerMaster`
    /// was logged (cleared when the lists are emptied).
    var instanceLimitLogged = false
    /// The most sentinels, this one included, seen alive at once (`sentinel voters-seen`):
    /// with `forget-after-milliseconds`, an election's majority is taken over at least this
    /// many voters, so forgetting unreachable peers never lowers it (see `Forgetting.swift`).
    public var votersSeen: Int = 1
    /// The replica addresses a `SENTINEL RESET` dropped, kept (not listed, not persisted) until
    /// the master's next INFO lists its replicas again: a master lost before that INFO arrives
    /// gets them back (`restoreReplicasDroppedByReset`).
    public var replicasBeforeReset: [HostPort] = []
    /// Whether some peer may still hold a `master_down` opinion or a vote about this master
    /// (set when one is recorded, cleared once none is left): while the master is not SDOWN,
    /// `askOtherSentinels` has nothing to do but expire these, so it skips the peers otherwise.
    var peerOpinionsHeld = false

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
    /// When this master's failover reached each phase, for the phase histograms.
    public var failoverTimeline = FailoverTimeline()

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
        self.configEpoch = configuration.configEpoch
        self.votedLeaderEpoch = configuration.leaderEpoch
        // Without a recorded count, a configuration that lists its peers states the fleet's size.
        self.votersSeen = configuration.votersSeen > 0 ? configuration.votersSeen : configuration.knownSentinels.count + 1
        for rename in configuration.renamedCommands {
            renamedCommands[rename.command.lowercased()] = rename.renamed
            renamedCommandOrder.append(rename)
        }
    }

    mutating func addReplica(_ id: InstanceID, name: String) {
        replicas.append(id)
        replicaIDsByName[name] = id
    }

    mutating func addSentinel(_ id: InstanceID, runID: String) {
        sentinels.append(id)
        sentinelIDsByRunID[runID] = id
    }

    /// Forgets one replica or sentinel entry (by its id and its name or run id).
    mutating func remove(_ id: InstanceID, kind: InstanceKind, key: String) {
        switch kind {
        case .replica:
            replicas.removeAll { $0 == id }
            if replicaIDsByName[key] == id { replicaIDsByName[key] = nil }
        case .sentinel:
            sentinels.removeAll { $0 == id }
            if sentinelIDsByRunID[key] == id { sentinelIDsByRunID[key] = nil }
        case .master:
            break
        }
    }

    mutating func removeAllReplicas() {
        replicas = []
        replicaIDsByName = [:]
        instanceLimitLogged = false
    }

    mutating func removeAllSentinels() {
        sentinels = []
        sentinelIDsByRunID = [:]
        instanceLimitLogged = false
    }
}

/// The failover states of §8, spelled as `failover-state` shows them.
public enum FailoverState: String, Sendable, CaseIterable {
    case none
    case waitStart = "wait_start"
    case selectReplica = "select_slave"
    case sendReplicaOfNoOne = "send_slaveof_noone"
    case waitPromotion = "wait_promotion"
    case reconfigureReplicas = "reconf_slaves"
    case updateConfig = "update_config"
}
