/// Everything `sentinel.conf` says, as typed values: the result of `ConfigurationParser` and the
/// input of `ConfigurationRenderer`.
///
/// The running sentinel keeps its live state elsewhere (`SentinelState`) and turns it back into
/// a `SentinelConfiguration` whenever the file must be rewritten (SENTINEL-PROTOCOL.md §12.2).
public struct SentinelConfiguration: Sendable, Equatable {
    // MARK: Generic Redis directives that keep their meaning in sentinel mode (§12.1).

    /// `port` (default 26379; 0 disables the TCP listener).
    public var port: Int = 26379
    /// `bind` addresses; empty means all interfaces (Redis's default `* -::*`).
    public var bindAddresses: [String] = []
    /// `bind-source-addr`: local address for outgoing links.
    public var bindSourceAddress: String?
    /// `protected-mode` (default **no** in sentinel mode).
    public var protectedMode: Bool = false
    /// `maxclients` as configured (1…4294967295, default 10000). The limit in effect may be
    /// lower: see `Sentinel.maximumClients`.
    public var maxClients: Int = SentinelConfiguration.defaultMaxClients
    /// Redis's default `maxclients`.
    public static let defaultMaxClients = 10000
    /// `daemonize`.
    public var daemonize: Bool = false
    /// `pidfile`.
    public var pidFile: String?
    /// `logfile`; empty or absent logs to standard output.
    public var logFile: String = ""
    /// `loglevel`.
    public var logLevel: LogLevel = .notice
    /// `syslog-enabled`.
    public var syslogEnabled: Bool = false
    /// `syslog-ident`.
    public var syslogIdent: String = "redis"
    /// `syslog-facility`.
    public var syslogFacility: String = "local0"
    /// `dir`: the working directory (scripts run there); absent means "do not chdir".
    public var directory: String?
    /// `requirepass`: the default user's password.
    public var requirePass: Secret?
    /// The ACL users: one array per `user` line, the user name then its rules, passwords only
    /// as `#<SHA-256>` (see `UserDirectory.loadableLine`). With an `aclfile`, the caller puts
    /// that file's users here (`ACLFile.parse`) and the rewrite writes no `user` line.
    public var aclUsers: [[String]] = []
    /// `aclfile`: where `ACL LOAD` and `ACL SAVE` read and write the users.
    public var aclFile: String?
    /// `enable-debug-command` (accepted for compatibility; `yes`, `no` or `local`).
    public var enableDebugCommand: String = "no"
    /// `enable-protected-configs` (accepted for compatibility).
    public var enableProtectedConfigs: String = "no"
    /// The `tls-*` directives.
    public var tls = TLSConfiguration()
    /// `redis-compatibility` (swift-sentinel's own): the Redis release whose replies are given
    /// where releases differ.
    public var redisCompatibility: RedisCompatibility = .redis70
    /// `metrics-port` (swift-sentinel's own): the HTTP port of `/metrics`, `/healthz` and
    /// `/readyz`; 0, the default, serves none.
    public var metricsPort: Int = 0
    /// `metrics-bind` (swift-sentinel's own): that port's addresses, spelled like `bind`; empty
    /// means `defaultMetricsBindAddresses`.
    public var metricsBindAddresses: [String] = []
    /// Loopback only: metrics are not served beyond the machine unless bound otherwise.
    public static let defaultMetricsBindAddresses = ["127.0.0.1", "-::1"]
    /// Other Redis directives that are accepted and have no effect on a sentinel, kept for
    /// the rewrite as they were written: `(name lowercased, arguments)`.
    public var ignoredDirectives: [IgnoredDirective] = []

    // MARK: Sentinel-wide state and options.

    /// `sentinel myid`: 40 hex characters; generated on first start when absent.
    public var myID: String?
    /// `sentinel current-epoch`.
    public var currentEpoch: UInt64 = 0
    /// `sentinel announce-ip`.
    public var announceIP: String?
    /// `sentinel announce-port` (0 = not set).
    public var announcePort: Int = 0
    /// `sentinel resolve-hostnames` (default no).
    public var resolveHostnames: Bool = false
    /// `sentinel announce-hostnames` (default no).
    public var announceHostnames: Bool = false
    /// `sentinel deny-scripts-reconfig` (default yes).
    public var denyScriptsReconfig: Bool = true
    /// `sentinel sentinel-user`.
    public var sentinelUser: String?
    /// `sentinel sentinel-pass`: the password sent to other sentinels.
    public var sentinelPass: Secret?

    /// The monitored masters, in the order of their `sentinel monitor` lines.
    public var masters: [MasterConfiguration] = []

    /// swift-sentinel's options for sentinels whose disk or address does not survive a
    /// restart (README "Containers"); none of them set keeps Redis's behaviour.
    public var container = ContainerOptions()

    // MARK: Load-time information for the caller (not persisted by the renderer).

    /// The script paths the file names, with where it names them. Redis refuses to start when
    /// one is not executable; that needs the filesystem, so `ConfigurationParser` only records
    /// them and the shell checks each (`ScriptReference.missingScriptError`).
    public var scriptReferences: [ScriptReference] = []
    /// Whether the state file (`state-config-file`) named `myid` when it was loaded.
    public var myIDFromStateFile = false
    /// Whether the state was loaded: a `sentinel myid` line in the file that holds the state
    /// (the state file with `state-config-file`, this file without). A sentinel started
    /// without its state in container mode learns the epochs before it votes (`EpochLearning`).
    public var loadedState: Bool { container.stateConfigFile == nil ? myID != nil : myIDFromStateFile }
    /// The main file's global options, which the state file's lines overlay (set by
    /// `StateFileOverlay`): the state file writes only the options that differ from them.
    public var stateFileBaseline: StateFileBaseline?

    public init() {}

    /// The master configured under `name` (case-sensitive).
    public func master(named name: String) -> MasterConfiguration? {
        masters.first { $0.name == name }
    }
}

/// A Redis directive that a sentinel accepts without using it (e.g. `hz`, `appendonly`).
public struct IgnoredDirective: Sendable, Equatable {
    public var name: String
    public var arguments: [String]

    public init(name: String, arguments: [String]) {
        self.name = name
        self.arguments = arguments
    }
}

/// A `sentinel notification-script` or `sentinel client-reconfig-script` line, for the shell's
/// executability check at load.
public struct ScriptReference: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case notification
        case clientReconfig
    }

    public var kind: Kind
    public var masterName: String
    public var path: String
    public var source: ConfigurationSource

    public init(kind: Kind, masterName: String, path: String, source: ConfigurationSource) {
        self.kind = kind
        self.masterName = masterName
        self.path = path
        self.source = source
    }

    /// The error Redis reports at this line when `path` is not executable (`access(X_OK)` fails).
    public var missingScriptError: ConfigurationError {
        switch kind {
        case .notification:
            return source.error("Notification script seems non existing or non executable.")
        case .clientReconfig:
            return source.error("Client reconfiguration script seems non existing or non executable.")
        }
    }
}

/// Redis's log levels, in increasing severity.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, verbose, notice, warning, nothing

    /// The character Redis prints in a log line: `.` debug, `-` verbose, `*` notice, `#` warning.
    public var symbol: Character {
        switch self {
        case .debug: return "."
        case .verbose: return "-"
        case .notice: return "*"
        case .warning, .nothing: return "#"
        }
    }

    /// The directive's spelling (`loglevel notice`).
    public var name: String {
        switch self {
        case .debug: return "debug"
        case .verbose: return "verbose"
        case .notice: return "notice"
        case .warning: return "warning"
        case .nothing: return "nothing"
        }
    }

    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = level
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What `sentinel monitor` and the per-master directives say about one master.
public struct MasterConfiguration: Sendable, Equatable {
    /// Default `down-after-milliseconds` (§2).
    public static let defaultDownAfterMilliseconds: Int64 = 30_000
    /// Default `failover-timeout` (§2).
    public static let defaultFailoverTimeout: Int64 = 180_000
    /// Default `parallel-syncs` (§2).
    public static let defaultParallelSyncs: Int = 1

    public var name: String
    /// The master's current address (the promoted replica's after a failover).
    public var host: String
    public var port: Int
    public var quorum: Int
    public var downAfterMilliseconds: Int64 = MasterConfiguration.defaultDownAfterMilliseconds
    public var failoverTimeout: Int64 = MasterConfiguration.defaultFailoverTimeout
    public var parallelSyncs: Int = MasterConfiguration.defaultParallelSyncs
    public var notificationScript: String?
    public var clientReconfigScript: String?
    /// `auth-pass`: the password sent to the master and its replicas.
    public var authPass: Secret?
    public var authUser: String?
    /// `master-reboot-down-after-period` (0 = off).
    public var masterRebootDownAfterPeriod: Int64 = 0
    public var configEpoch: UInt64 = 0
    public var leaderEpoch: UInt64 = 0
    /// `known-replica` lines, in order.
    public var knownReplicas: [HostPort] = []
    /// `known-sentinel` lines (with a run id), in order.
    public var knownSentinels: [KnownSentinel] = []
    /// `rename-command` pairs in order: original command name → name to send.
    public var renamedCommands: [RenamedCommand] = []
    /// `sentinel voters-seen <master> <count>` (swift-sentinel's own, with
    /// `forget-after-milliseconds`): the most sentinels, this one included, seen alive at
    /// once; forgetting never lowers the majority below it (0 = not recorded).
    public var votersSeen: Int = 0

    public init(name: String, host: String, port: Int, quorum: Int) {
        self.name = name
        self.host = host
        self.port = port
        self.quorum = quorum
    }
}

/// A host (IP literal or hostname) and a TCP port.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `ip:port`, or `[ip]:port` for IPv6 addresses: the key Redis uses for replica names.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A `sentinel known-sentinel <master> <ip> <port> <runid>` line.
public struct KnownSentinel: Sendable, Equatable {
    public var address: HostPort
    public var runID: String

    public init(address: HostPort, runID: String) {
        self.address = address
        self.runID = runID
    }
}

/// A `sentinel rename-command <master> <command> <renamed>` line.
public struct RenamedCommand: Sendable, Equatable {
    public var command: String
    public var renamed: String

    public init(command: String, renamed: String) {
        self.command = command
        self.renamed = renamed
    }
}
