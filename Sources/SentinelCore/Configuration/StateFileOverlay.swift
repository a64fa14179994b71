import RESP

/// Loads a state file (`sentinel state-config-file <path>`) over the main configuration: the
/// main file is read first, then the state file overlays it.
///
/// The state file holds only what the sentinel writes there (`StateFileRenderer`): `sentinel
/// myid` and `current-epoch`; per master the whole block of `sentinel` lines (`monitor`, its
/// options, epochs, known replicas and sentinels, renamed commands, `voters-seen`); the global
/// options changed at run time (`SENTINEL CONFIG SET`: `announce-ip`, `announce-port`,
/// `resolve-hostnames`, `announce-hostnames`, `sentinel-user`, `sentinel-pass`, `loglevel`)
/// and the users (`ACL SETUSER`/`DELUSER`) when they differ from the main file's.
///
/// Rules:
/// - A master the state file monitors replaces the main file's master of that name whole:
///   the state file holds everything the sentinel knows of it (its current address after a
///   failover, `SENTINEL SET` changes). A master only in the main file is monitored as the
///   main file says (it was added there since); a master only in the state file was added with
///   `SENTINEL MONITOR`. `sentinel removed-master <name>` says a master of the main file was
///   removed with `SENTINEL REMOVE`: it is not monitored (until `SENTINEL MONITOR` adds it again).
/// - A global option in the state file replaces the main file's value; an empty
///   `announce-ip`, `sentinel-user` or `sentinel-pass` clears it.
/// - Any `user` line replaces all the main file's users (the state file then lists them all,
///   the default user included).
/// - `current-epoch` never goes below the main file's, as for any second reading.
/// - Any other directive is an error at its line: the state file is the sentinel's own.
public enum StateFileOverlay {
    /// The `sentinel` directives a state file may hold.
    static let sentinelDirectives: Set<String> = [
        "myid", "current-epoch", "monitor", "down-after-milliseconds", "failover-timeout", "parallel-syncs",
        "notification-script", "client-reconfig-script", "auth-pass", "auth-user", "master-reboot-down-after-period",
        "primary-reboot-down-after-period", "config-epoch", "leader-epoch", "known-replica", "known-slave",
        "known-sentinel", "rename-command", "voters-seen", "resolve-hostnames",
        "announce-hostnames", "announce-ip", "announce-port", "sentinel-user", "sentinel-pass",
    ]

    /// Overlays the state file `bytes` (nil when it does not exist yet) named `fileName` on
    /// `configuration`, the main file as loaded. Records the main file's global options as
    /// the baseline the next state file is written against, and whether a state was loaded.
    public static func apply(_ bytes: [UInt8]?, fileName: String, to configuration: inout SentinelConfiguration) throws(ConfigurationError) {
        configuration.stateFileBaseline = StateFileBaseline(configuration)
        // The main file's `myid` is not a state: only the state file's says the state was kept.
        configuration.myIDFromStateFile = false
        guard let bytes else { return }
        var loader = SentinelDirectiveLoader()
        loader.isStateFile = true
        var users: [ConfigurationParser.UserLine] = []
        var declaresUsers = false
        var removed: Set<String> = []
        for (index, rawLine) in ConfigurationLines.split(bytes).enumerated() {
            let line = ConfigurationLines.trimmed(rawLine)
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            let source = ConfigurationSource(fileName: fileName, lineNumber: index + 1, lineText: String(decoding: line, as: UTF8.self))
            guard case .success(let words) = RedisArgumentSplitter.split(line), let first = words.first else {
                throw source.error("Unbalanced quotes in configuration line")
            }
            let name = String(decoding: first, as: UTF8.self).lowercased()
            let rawValues = Array(words.dropFirst())
            let values = rawValues.map { String(decoding: $0, as: UTF8.self) }
            switch name {
            case "sentinel" where values.count == 2 && values[0].lowercased() == "removed-master":
                removed.insert(values[1])
            case "sentinel" where !values.isEmpty && sentinelDirectives.contains(values[0].lowercased()):
                loader.enqueue(values, rawArguments: rawValues, source: source)
            case "user" where !values.isEmpty:
                declaresUsers = true
                users.append(ConfigurationParser.UserLine(words: rawValues, source: source))
            case "loglevel" where values.count == 1:
                if let message = GenericDirectiveApplier.apply(name: name, values: values, to: &configuration) {
                    throw source.error(message)
                }
            default:
                throw source.error("Not a state directive: the state file holds only what the sentinel writes there")
            }
        }
        let replaced = Set(loader.monitoredNames).union(removed)
        configuration.masters.removeAll { replaced.contains($0.name) }
        configuration.scriptReferences.removeAll { replaced.contains($0.masterName) }
        if declaresUsers {
            configuration.aclUsers = []
            try ConfigurationParser.loadUsers(users, into: &configuration)
        }
        try loader.apply(to: &configuration)
    }
}

/// The main file's values of what the state file may override: the state file writes an
/// option only when the running value differs from it, so that an option changed in the
/// main file (a new ConfigMap) takes effect unless it was changed at run time.
public struct StateFileBaseline: Sendable, Equatable {
    public var resolveHostnames: Bool
    public var announceHostnames: Bool
    public var announceIP: String?
    public var announcePort: Int
    public var sentinelUser: String?
    public var sentinelPass: Secret?
    public var logLevel: LogLevel
    /// The users as the main file gives them (see `UserDirectory.configurationLines`).
    public var aclUsers: [[String]]
    /// The masters the main file monitors: one no longer monitored was removed at run time.
    public var masterNames: [String]

    public init(_ configuration: SentinelConfiguration) {
        resolveHostnames = configuration.resolveHostnames
        announceHostnames = configuration.announceHostnames
        announceIP = configuration.announceIP
        announcePort = configuration.announcePort
        sentinelUser = configuration.sentinelUser
        sentinelPass = configuration.sentinelPass
        logLevel = configuration.logLevel
        masterNames = configuration.masters.map(\.name)
        aclUsers = UserDirectory(requirePass: configuration.requirePass, aclUsers: configuration.aclUsers,
                                 commandTable: CommandTable.table(for: configuration.redisCompatibility)).configurationLines
    }
}
