/// Collects the `sentinel …` lines of a configuration and applies them in Redis's three passes
/// (`queueSentinelConfig`, `loadSentinelConfigFromQueue`, `sentinelHandleConfiguration`).
struct SentinelDirectiveLoader {
    /// Subcommands applied in the first pass, before any `monitor`.
    static let preMonitorNames: Set<String> = [
        "announce-ip", "announce-port", "deny-scripts-reconfig", "sentinel-user", "sentinel-pass",
        "current-epoch", "myid", "resolve-hostnames", "announce-hostnames",
        "state-config-file", "forget-after-milliseconds", "myid-from-name",
    ]

    struct Entry {
        var arguments: [String]
        /// The same arguments as the bytes written (passwords are taken from these).
        var rawArguments: [[UInt8]]
        var source: ConfigurationSource
    }

    private var preMonitor: [Entry] = []
    private var monitor: [Entry] = []
    private var postMonitor: [Entry] = []
    /// Loading a state file over the main file (`StateFileOverlay`): its `myid` says the state
    /// was kept, and an empty `announce-ip`, `sentinel-user` or `sentinel-pass` clears the main
    /// file's value instead of being ignored (the state file writes one only to say so).
    var isStateFile = false

    /// The `monitor` lines queued so far (the masters a state file replaces).
    var monitoredNames: [String] { monitor.compactMap { $0.arguments.count > 1 ? $0.arguments[1] : nil } }

    /// Queues `arguments` (the words after `sentinel`): `monitor` in pass 2, the global options
    /// of `preMonitorNames` in pass 1, everything else in pass 3; file order within a pass.
    mutating func enqueue(_ arguments: [String], rawArguments: [[UInt8]], source: ConfigurationSource) {
        let entry = Entry(arguments: arguments, rawArguments: rawArguments, source: source)
        let subcommand = arguments[0].lowercased()
        if subcommand == "monitor" {
            monitor.append(entry)
        } else if Self.preMonitorNames.contains(subcommand) {
            preMonitor.append(entry)
        } else {
            postMonitor.append(entry)
        }
    }

    /// Applies the three passes; the first error stops the load.
    func apply(to configuration: inout SentinelConfiguration) throws(ConfigurationError) {
        for entry in preMonitor + monitor + postMonitor {
            if let message = Self.apply(entry, to: &configuration, isStateFile: isStateFile) {
                throw entry.source.error(message)
            }
        }
    }

    /// One `sentinel` directive; returns Redis's error message, if any.
    static func apply(_ entry: Entry, to configuration: inout SentinelConfiguration, isStateFile: Bool = false) -> String? {
        let argv = entry.arguments
        let argc = argv.count
        let noSuchMaster = "No such master with specified name."
        let masterIndex = argc > 1 ? configuration.masters.firstIndex { $0.name == argv[1] } : nil

        switch (argv[0].lowercased(), argc) {
        case ("monitor", 5):
            let quorum = RedisNumberParsing.atoi(argv[4])
            guard quorum > 0 else { return "Quorum must be 1 or greater." }
            let host: String
            switch address(argv[2], port: argv[3], in: configuration) {
            case .failure(let failure): return failure.message
            case .success(let address): host = address.host
            }
            guard masterIndex == nil else { return "Duplicate master name." }
            configuration.masters.append(MasterConfiguration(
                name: argv[1], host: host, port: RedisNumberParsing.atoi(argv[3]), quorum: quorum))

        case ("down-after-milliseconds", 3), ("failover-timeout", 3):
            guard let index = masterIndex else { return noSuchMaster }
            let milliseconds = duration(argv[2])
            if argv[0].lowercased() == "failover-timeout" {
                configuration.masters[index].failoverTimeout = milliseconds
            } else {
                configuration.masters[index].downAfterMilliseconds = milliseconds
            }
            guard milliseconds > 0 else { return "negative or zero time parameter." }

        case ("parallel-syncs", 3):
            guard let index = masterIndex else { return noSuchMaster }
            configuration.masters[index].parallelSyncs = RedisNumberParsing.atoi(argv[2])

        case ("notification-script", 3), ("client-reconfig-script", 3):
            guard let index = masterIndex else { return noSuchMaster }
            let isNotification = argv[0].lowercased() == "notification-script"
            configuration.scriptReferences.append(ScriptReference(
                kind: isNotification ? .notification : .clientReconfig,
                masterName: argv[1], path: argv[2], source: entry.source))
            if isNotification {
                configuration.masters[index].notificationScript = argv[2]
            } else {
                configuration.masters[index].clientReconfigScript = argv[2]
            }

        case ("auth-pass", 3):
            guard let index = masterIndex else { return noSuchMaster }
            configuration.masters[index].authPass = Secret(entry.rawArguments[2])

        case ("auth-user", 3):
            guard let index = masterIndex else { return noSuchMaster }
            configuration.masters[index].authUser = argv[2]

        case ("current-epoch", 2):
            // The current epoch only ever rises.
            configuration.currentEpoch = max(configuration.currentEpoch, epoch(argv[1]))

        case ("myid", 2):
            guard argv[1].utf8.count == 40 else { return "Malformed Sentinel id in myid option." }
            configuration.myID = argv[1]
            if isStateFile { configuration.myIDFromStateFile = true }

        case ("state-config-file", 2):
            guard !argv[1].isEmpty else { return "state-config-file needs a file name." }
            configuration.container.stateConfigFile = argv[1]

        case ("forget-after-milliseconds", 2):
            let milliseconds = duration(argv[1])
            guard milliseconds >= 0 else { return "negative time parameter." }
            configuration.container.forgetAfterMilliseconds = milliseconds

        case ("myid-from-name", 2):
            guard !argv[1].isEmpty else { return "myid-from-name needs a name." }
            configuration.container.myIDName = argv[1]

        case ("voters-seen", 3):
            guard let index = masterIndex else { return noSuchMaster }
            let count = RedisNumberParsing.strtoll(argv[2])
            guard count > 0 else { return "voters-seen must be 1 or greater." }
            configuration.masters[index].votersSeen = Int(min(count, Int64(InputLimits.maximumInstancesPerMaster + 1)))

        case ("config-epoch", 3):
            guard let index = masterIndex else { return noSuchMaster }
            let configEpoch = epoch(argv[2])
            configuration.masters[index].configEpoch = configEpoch
            configuration.currentEpoch = max(configuration.currentEpoch, configEpoch)

        case ("leader-epoch", 3):
            guard let index = masterIndex else { return noSuchMaster }
            configuration.masters[index].leaderEpoch = epoch(argv[2])

        case ("known-slave", 4), ("known-replica", 4):
            guard let index = masterIndex else { return noSuchMaster }
            switch address(argv[2], port: argv[3], in: configuration) {
            case .failure(let failure): return failure.message
            case .success(let replica):
                guard !configuration.masters[index].knownReplicas.contains(replica) else {
                    return "Duplicate hostname and port for replica."
                }
                configuration.masters[index].knownReplicas.append(replica)
            }

        case ("known-sentinel", 4):
            break  // The old form without a run id is ignored.

        case ("known-sentinel", 5):
            guard let index = masterIndex else { return noSuchMaster }
            guard RunIdentifier.isValid(argv[4]) else { return "Malformed Sentinel id in known-sentinel option." }
            switch address(argv[2], port: argv[3], in: configuration) {
            case .failure(let failure): return failure.message
            case .success(let sentinel):
                guard !configuration.masters[index].knownSentinels.contains(where: { $0.runID == argv[4] }) else {
                    return "Duplicate runid for sentinel."
                }
                configuration.masters[index].knownSentinels.append(KnownSentinel(address: sentinel, runID: argv[4]))
            }

        case ("rename-command", 4):
            guard let index = masterIndex else { return noSuchMaster }
            let command = argv[2].lowercased()
            guard !configuration.masters[index].renamedCommands.contains(where: { $0.command.lowercased() == command }) else {
                return "Same command renamed multiple times with rename-command."
            }
            configuration.masters[index].renamedCommands.append(RenamedCommand(command: argv[2], renamed: argv[3]))

        case ("announce-ip", 2):
            if !argv[1].isEmpty { configuration.announceIP = argv[1] } else if isStateFile { configuration.announceIP = nil }

        case ("announce-port", 2):
            configuration.announcePort = RedisNumberParsing.atoi(argv[1])

        case ("deny-scripts-reconfig", 2):
            guard let flag = RedisNumberParsing.yesNo(argv[1]) else {
                return "Please specify yes or no for the deny-scripts-reconfig options."
            }
            configuration.denyScriptsReconfig = flag

        case ("sentinel-user", 2):
            if !argv[1].isEmpty { configuration.sentinelUser = argv[1] } else if isStateFile { configuration.sentinelUser = nil }

        case ("sentinel-pass", 2):
            if !argv[1].isEmpty { configuration.sentinelPass = Secret(entry.rawArguments[1]) } else if isStateFile { configuration.sentinelPass = nil }

        case ("resolve-hostnames", 2):
            guard let flag = RedisNumberParsing.yesNo(argv[1]) else {
                return "Please specify yes or no for the resolve-hostnames option."
            }
            configuration.resolveHostnames = flag

        case ("announce-hostnames", 2):
            guard let flag = RedisNumberParsing.yesNo(argv[1]) else {
                return "Please specify yes or no for the announce-hostnames option."
            }
            configuration.announceHostnames = flag

        case ("master-reboot-down-after-period", 3), ("primary-reboot-down-after-period", 3):
            guard let index = masterIndex else { return noSuchMaster }
            let milliseconds = duration(argv[2])
            configuration.masters[index].masterRebootDownAfterPeriod = milliseconds
            guard milliseconds >= 0 else { return "negative time parameter." }

        default:
            return "Unrecognized sentinel configuration statement."
        }
        return nil
    }

    /// A duration in milliseconds, read like Redis's `atoi` but without its truncation to 32
    /// bits, and within `InputLimits.maximumDuration`: `SENTINEL SET` accepts durations up to
    /// that, and what the rewrite writes must load back (Redis cannot reload a duration it
    /// accepted above 2^31 − 1).
    static func duration(_ text: String) -> Milliseconds {
        InputLimits.duration(RedisNumberParsing.strtoll(text))
    }

    /// An epoch as Redis reads it (`strtoull`), capped at `InputLimits.maximumEpoch`: this
    /// sentinel never writes a larger one, so only a hand-edited file is capped.
    static func epoch(_ text: String) -> UInt64 {
        InputLimits.epoch(RedisNumberParsing.strtoull(text))
    }

    /// An instance address as `createSentinelAddr` checks it: the port (`atoi`) must be within
    /// 0…65535 (`Invalid port number.`), and the host as `InstanceAddress.acceptedHost` accepts
    /// it (`Can't resolve instance hostname.`).
    static func address(_ host: String, port portText: String, in configuration: SentinelConfiguration) -> Result<HostPort, AddressError> {
        let port = RedisNumberParsing.atoi(portText)
        guard (0...65535).contains(port) else { return .failure(AddressError("Invalid port number.")) }
        guard let accepted = InstanceAddress.acceptedHost(host, resolveHostnames: configuration.resolveHostnames,
                                                          announceHostnames: configuration.announceHostnames) else {
            return .failure(AddressError("Can't resolve instance hostname."))
        }
        return .success(HostPort(host: accepted, port: port))
    }

    struct AddressError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
