/// The events of §11.2, each named by the channel it is published on (and the first word of
/// its log line). Each has one log level, as in Redis.
public enum SentinelEventType: String, Sendable, CaseIterable {
    /// A master is monitored (at start-up or by `SENTINEL MONITOR`).
    case monitor = "+monitor"
    /// `SENTINEL REMOVE` stopped monitoring a master.
    case monitorRemoved = "-monitor"
    /// `SENTINEL RESET` reset a master.
    case resetMaster = "+reset-master"
    /// `SENTINEL SET` changed one option of a master.
    case set = "+set"
    /// A replica was discovered (from the master's INFO, or re-created after a switch).
    case replicaAdded = "+slave"
    /// A peer sentinel was discovered through its hello.
    case sentinelAdded = "+sentinel"
    /// A known peer announced itself at a new address.
    case sentinelAddressSwitch = "+sentinel-address-switch"
    /// A peer's new address was applied under the other masters too.
    case sentinelAddressUpdate = "+sentinel-address-update"
    /// Another run id took over a known peer's address (it restarted with a new identity).
    case sentinelInvalidAddress = "+sentinel-invalid-addr"
    /// An instance reported a new run id.
    case reboot = "+reboot"
    /// An instance reported the role it is expected to have.
    case roleChange = "+role-change"
    /// An instance reported a role other than the one it is expected to have.
    case roleChangeUnexpected = "-role-change"
    /// This sentinel sees the instance down (§5.1).
    case subjectivelyDown = "+sdown"
    /// The instance answers again.
    case subjectivelyUp = "-sdown"
    /// The quorum agrees the master is down (§5.2).
    case objectivelyDown = "+odown"
    /// The quorum no longer agrees.
    case objectivelyUp = "-odown"
    /// TILT entered (§15).
    case tilt = "+tilt"
    /// TILT left.
    case tiltExit = "-tilt"
    /// The current epoch rose (§7).
    case newEpoch = "+new-epoch"
    /// A failover attempt starts (§7).
    case tryFailover = "+try-failover"
    /// This sentinel voted (§6).
    case voteForLeader = "+vote-for-leader"
    /// This sentinel won the election (§7).
    case electedLeader = "+elected-leader"
    /// The election was lost or timed out.
    case failoverAbortNotElected = "-failover-abort-not-elected"
    /// The election stopped: the master is no longer objectively down.
    case failoverAbortMasterUp = "-failover-abort-master-up"
    /// `select_slave` (§8.2).
    case failoverStateSelectReplica = "+failover-state-select-slave"
    /// No replica can be promoted.
    case failoverAbortNoGoodReplica = "-failover-abort-no-good-slave"
    /// The replica to promote.
    case selectedReplica = "+selected-slave"
    /// `send_slaveof_noone` (§8.3).
    case failoverStateSendReplicaOfNoOne = "+failover-state-send-slaveof-noone"
    /// `wait_promotion` (§8.4).
    case failoverStateWaitPromotion = "+failover-state-wait-promotion"
    /// The promotion did not happen within failover-timeout.
    case failoverAbortReplicaTimeout = "-failover-abort-slave-timeout"
    /// `FAILOVER TO` was sent to the master (coordinated failover).
    case coordinatedFailoverSent = "+coordinated-failover-sent"
    /// The coordinated failover falls back to `SLAVEOF NO ONE`.
    case coordinatedFailoverFallback = "-coordinated-failover-fallback"
    /// `COORDINATED`: the master could not be asked to hand over in time.
    case failoverAbortMasterTimeout = "-failover-abort-master-timeout"
    /// A peer's hello named a config epoch at or above this failover's epoch before the
    /// promotion: a newer configuration exists, and promoting now would lower the epoch.
    case failoverAbortNewerConfiguration = "-failover-abort-newer-config"
    /// The promoted replica reports itself master (§8.5).
    case promotedReplica = "+promoted-slave"
    /// `reconf_slaves` (§8.7).
    case failoverStateReconfigureReplicas = "+failover-state-reconf-slaves"
    /// `SLAVEOF` the promoted replica was sent to a replica.
    case replicaReconfigurationSent = "+slave-reconf-sent"
    /// `SLAVEOF` sent after the failover timed out (best effort).
    case replicaReconfigurationSentBestEffort = "+slave-reconf-sent-be"
    /// A replica did not confirm its reconfiguration in time; counted as done.
    case replicaReconfigurationSentTimeout = "-slave-reconf-sent-timeout"
    /// A replica names the promoted replica as its master.
    case replicaReconfigurationInProgress = "+slave-reconf-inprog"
    /// A replica's link to the promoted replica is up.
    case replicaReconfigurationDone = "+slave-reconf-done"
    /// Every replica is reconfigured (§8.7).
    case failoverEnd = "+failover-end"
    /// The failover ended by its timeout.
    case failoverEndForTimeout = "+failover-end-for-timeout"
    /// The master's address changed (§9.1): `<name> <old ip> <old port> <new ip> <new port>`.
    case switchMaster = "+switch-master"
    /// A newer configuration was adopted from this peer's hello (§4).
    case configUpdateFrom = "+config-update-from"
    /// A returning old master is turned into a replica (§9.2).
    case convertToReplica = "+convert-to-slave"
    /// A replica replicating from the wrong master is repointed (§9.2).
    case fixReplicaConfiguration = "+fix-slave-config"
    /// A script failed for good (§13).
    case scriptError = "-script-error"
    /// A script ran too long and was killed (§13).
    case scriptTimeout = "-script-timeout"
    /// A peer sentinel unreachable for `forget-after-milliseconds` was forgotten
    /// (swift-sentinel's own; see `Forgetting.swift`).
    case sentinelForgotten = "-sentinel"
    /// An instance's command connection closed.
    case commandLinkReconnection = "-cmd-link-reconnection"
    /// An instance's pub/sub connection closed.
    case pubSubLinkReconnection = "-pubsub-link-reconnection"

    /// The level Redis logs it at; `debug` events are logged but not published, and only
    /// `warning` events run the notification script (§11.1).
    public var level: LogLevel {
        switch self {
        case .commandLinkReconnection, .pubSubLinkReconnection:
            return .debug
        case .roleChange, .roleChangeUnexpected:
            return .verbose
        case .replicaAdded, .sentinelAdded, .sentinelAddressSwitch, .sentinelAddressUpdate,
             .sentinelInvalidAddress, .reboot, .failoverStateSendReplicaOfNoOne,
             .failoverStateWaitPromotion, .replicaReconfigurationSent,
             .replicaReconfigurationSentBestEffort, .replicaReconfigurationSentTimeout,
             .replicaReconfigurationInProgress, .replicaReconfigurationDone, .convertToReplica,
             .fixReplicaConfiguration, .sentinelForgotten:
            return .notice
        case .monitor, .monitorRemoved, .resetMaster, .set, .subjectivelyDown, .subjectivelyUp,
             .objectivelyDown, .objectivelyUp, .tilt, .tiltExit, .newEpoch, .tryFailover,
             .voteForLeader, .electedLeader, .failoverAbortNotElected, .failoverAbortMasterUp,
             .failoverStateSelectReplica, .failoverAbortNoGoodReplica, .selectedReplica,
             .failoverAbortReplicaTimeout, .coordinatedFailoverSent, .coordinatedFailoverFallback,
             .failoverAbortMasterTimeout, .failoverAbortNewerConfiguration, .promotedReplica, .failoverStateReconfigureReplicas,
             .failoverEnd, .failoverEndForTimeout, .switchMaster, .configUpdateFrom, .scriptError,
             .scriptTimeout:
            return .warning
        }
    }
}
