/// Which handler runs a command: decided once per `CommandDescription` when the table is
/// built, so dispatching a command is a jump, not a chain of name comparisons.
///
/// Top-level commands have their own case; `SENTINEL` subcommands too (aliases such as
/// `primaries` share their original's case). Subcommands of `CLIENT`, `COMMAND` and `ACL`
/// are routed by their container's handler and are `.containerSubcommand`.
enum CommandRoute: Sendable {
    case ping, info, role, auth, hello, client, command, acl
    case subscribe, psubscribe, unsubscribe, punsubscribe, publish, shutdown, sentinel
    case sentinelMasters, sentinelMaster, sentinelReplicas, sentinelSentinels
    case sentinelGetMasterAddress, sentinelMyID, sentinelFlushConfig, sentinelMonitor
    case sentinelRemove, sentinelSet, sentinelConfig, sentinelReset, sentinelCheckQuorum
    case sentinelInfoCache, sentinelPendingScripts, sentinelSimulateFailure, sentinelDebug
    case sentinelIsMasterDownByAddress, sentinelFailover, sentinelHelp
    case containerSubcommand

    /// The route of the command or `container|sub` subcommand called `name` (lowercase).
    init(name: String) {
        switch name {
        case "ping": self = .ping
        case "info": self = .info
        case "role": self = .role
        case "auth": self = .auth
        case "hello": self = .hello
        case "client": self = .client
        case "command": self = .command
        case "acl": self = .acl
        case "subscribe": self = .subscribe
        case "psubscribe": self = .psubscribe
        case "unsubscribe": self = .unsubscribe
        case "punsubscribe": self = .punsubscribe
        case "publish": self = .publish
        case "shutdown": self = .shutdown
        case "sentinel": self = .sentinel
        case "sentinel|masters", "sentinel|primaries": self = .sentinelMasters
        case "sentinel|master", "sentinel|primary": self = .sentinelMaster
        case "sentinel|replicas", "sentinel|slaves": self = .sentinelReplicas
        case "sentinel|sentinels": self = .sentinelSentinels
        case "sentinel|get-master-addr-by-name", "sentinel|get-primary-addr-by-name": self = .sentinelGetMasterAddress
        case "sentinel|myid": self = .sentinelMyID
        case "sentinel|flushconfig": self = .sentinelFlushConfig
        case "sentinel|monitor": self = .sentinelMonitor
        case "sentinel|remove": self = .sentinelRemove
        case "sentinel|set": self = .sentinelSet
        case "sentinel|config": self = .sentinelConfig
        case "sentinel|reset": self = .sentinelReset
        case "sentinel|ckquorum": self = .sentinelCheckQuorum
        case "sentinel|info-cache": self = .sentinelInfoCache
        case "sentinel|pending-scripts": self = .sentinelPendingScripts
        case "sentinel|simulate-failure": self = .sentinelSimulateFailure
        case "sentinel|debug": self = .sentinelDebug
        case "sentinel|is-master-down-by-addr", "sentinel|is-primary-down-by-addr": self = .sentinelIsMasterDownByAddress
        case "sentinel|failover": self = .sentinelFailover
        case "sentinel|help": self = .sentinelHelp
        default: self = .containerSubcommand
        }
    }

    /// Queries that change no state a reply shows (see `ReplyCache`): running them keeps
    /// `Sentinel.stateVersion`.
    var isReadOnlyQuery: Bool {
        switch self {
        case .ping, .info, .role, .sentinelMasters, .sentinelMaster, .sentinelReplicas, .sentinelSentinels,
             .sentinelGetMasterAddress, .sentinelMyID:
            return true
        default:
            return false
        }
    }

    /// Commands a RESP2 client may run while subscribed.
    var isAllowedWhileSubscribed: Bool {
        switch self {
        case .ping, .subscribe, .psubscribe, .unsubscribe, .punsubscribe: return true
        default: return false
        }
    }
}
