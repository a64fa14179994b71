import RESP

/// The whole sentinel as a pure state machine: inputs (with the time they happened) in,
/// effects out. No IO, no clock, no globals; randomness comes from the injected generator.
///
/// The behaviour is split by concept over extensions in other files: client commands
/// (`Commands/`), monitoring (`Monitoring/`), agreement and failover (`Failover/`).
public struct Sentinel {
    /// The configuration as loaded, updated with every persisted change (generic directives
    /// are only read from it; sentinel state lives in the fields below).
    public internal(set) var configuration: SentinelConfiguration
    public let environment: SentinelEnvironment
    var random: SplitMix64

    /// Our run id (`sentinel myid`): 40 hex characters.
    public internal(set) var myID: String
    /// The global current epoch (§7).
    public internal(set) var currentEpoch: UInt64
    /// Protocol timings, changeable with `SENTINEL DEBUG`.
    public internal(set) var timings = SentinelTimings()

    // MARK: Monitored instances

    /// Every master, replica and sentinel entry.
    public internal(set) var instances = KeyedTable<InstanceID, MonitoredInstance>()
    /// Per-master state, keyed by the master's instance id.
    public internal(set) var masters = KeyedTable<InstanceID, MasterState>()
    /// Masters in the order they were added (the order of replies and INFO).
    public internal(set) var masterOrder: [InstanceID] = []
    /// Masters by name (names are case-sensitive, §1.1).
    var masterIDsByName: [String: InstanceID] = [:]
    /// Masters by address (`IS-MASTER-DOWN-BY-ADDR` names them so).
    var masterAddresses = MasterAddressIndex()
    /// Instance links, shared by the entries that reach one process the same way
    /// (`LinkSharingKey`).
    public internal(set) var links = KeyedTable<LinkID, InstanceLink>()
    /// The link of each sharing key.
    var sharedLinks: [LinkSharingKey: LinkID] = [:]
    /// The last address each hostname resolved to (`resolve-hostnames yes`).
    var resolvedHosts: [String: String] = [:]
    /// Which link each open connection belongs to, and whether it is the pub/sub one.
    var connectionOwners: [ConnectionID: (link: LinkID, isPubSub: Bool)] = [:]
    var nextInstanceID: UInt64 = 1
    var nextLinkID: UInt64 = 1
    var nextConnectionID: UInt64 = 1

    // MARK: Clients

    /// Connected clients of the sentinel port.
    var clients = ClientTable<ClientSession>()
    /// Channel and pattern subscriptions (each session also lists its own).
    var subscriptions = PubSubRegistry()
    var statistics = ServerStatistics()
    /// Changes with every input that may change what a query shows (all but read-only
    /// queries); `replyCache` entries are valid for one version.
    var stateVersion: UInt64 = 0
    var replyCache = ReplyCache()
    var userDirectory: UserDirectory
    var scriptQueue = ScriptQueue()
    /// What `/metrics` counts as things happen (see `Observability/`).
    public internal(set) var metrics = SentinelMetrics()

    // MARK: Persistence

    /// The configuration file as last written (or loaded): the base of the next rewrite.
    var configurationText: [UInt8]
    var nextPersistTicket: UInt64 = 1
    /// A discovery waits for the tick's next write (`persistDiscovery`).
    var configurationChangedSinceWrite = false
    /// When the tick last wrote discoveries.
    var lastDiscoveryWriteTime: Milliseconds = 0
    /// Clients waiting for the result of a configuration write, by ticket.
    var repliesAwaitingPersistence: [UInt64: AwaitingReply] = [:]
    /// Clients waiting for an `ACL LOAD` or `ACL SAVE`, by ticket.
    var aclFileRequests: [UInt64: ClientID] = [:]

    // MARK: Process state

    /// When the process started (monotonic and wall clock).
    public internal(set) var startTime: Timestamp
    /// When the last tick ran (0 before the first).
    var lastTickTime: Milliseconds = 0
    /// The monotonic time of the input being handled (of the start, before any input).
    var currentTime: Milliseconds = 0
    /// The wall clock of the latest input (for human-readable dates only).
    var lastWallClock: Milliseconds = 0
    /// Timer frequency drawn after each tick (INFO `hz`).
    var currentHz: Int = 10
    /// TILT mode (§15).
    public internal(set) var tilt = false
    var tiltStartTime: Milliseconds = 0
    /// How many times TILT was entered since start (INFO `sentinel_total_tilt`, Valkey's).
    var tiltCount = 0
    /// `SENTINEL SIMULATE-FAILURE` flags.
    var simulateFailureFlags: SimulatedFailure = []
    /// Set while a sentinel started without its state learns the epochs (container mode).
    var epochLearning: EpochLearning?
    /// The process was asked to exit: nothing more is started.
    public internal(set) var isExiting = false
    /// The run id printed by INFO server (random per process, like Redis's).
    public let processRunID: String
    /// When the periodic work must next visit each master and instance (`DueSchedule`).
    var schedule = DueSchedule()
    /// Makes every tick visit every master and instance, as if all were due: the reference
    /// the simulator's schedule check compares the schedule against.
    public var visitsEveryInstance = false
    /// Test-only: protocol rules broken on purpose so that the simulator's checker can be
    /// shown to catch them. Always empty outside those tests.
    public var deliberateDefects: DeliberateDefects = []

    /// A sentinel loaded from `configuration`, parsed from the file `configurationFile`.
    public init(configuration: SentinelConfiguration, configurationFile: [UInt8], environment: SentinelEnvironment, randomSeed: UInt64, now: Timestamp) {
        self.configuration = configuration
        self.userDirectory = UserDirectory(requirePass: configuration.requirePass, aclUsers: configuration.aclUsers,
                                           commandTable: CommandTable.table(for: configuration.redisCompatibility))
        self.configurationText = configurationFile
        self.environment = environment
        var random = SplitMix64(seed: randomSeed)
        self.processRunID = Sentinel.randomHexIdentifier(using: &random)
        // A stable name gives the same run id at every start, state or not.
        self.myID = configuration.container.myIDName.map(Sentinel.runID(derivedFrom:)) ?? configuration.myID ?? ""
        if configuration.container.isEnabled && !configuration.loadedState {
            self.epochLearning = EpochLearning(startTime: now.monotonic)
        }
        self.currentEpoch = configuration.currentEpoch
        self.startTime = now
        self.currentTime = now.monotonic
        self.random = random
        for master in configuration.masters {
            addMaster(master, now: now.monotonic)
        }
    }

    /// A sentinel loaded from `configuration`, parsed from the file text `configurationText`.
    public init(configuration: SentinelConfiguration, configurationText: String, environment: SentinelEnvironment, randomSeed: UInt64, now: Timestamp) {
        self.init(configuration: configuration, configurationFile: Array(configurationText.utf8), environment: environment,
                  randomSeed: randomSeed, now: now)
    }

    /// `protected-mode yes` with no password: Redis's refusal for non-loopback clients.
    static let protectedModeMessage = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."

    /// Whether an `ip:port` (or `[ip]:port`) is on the loopback interface.
    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address.hasPrefix("[::1]") || address.hasPrefix("::1") || address.hasPrefix("[::ffff:127.")
    }

    /// 40 random lowercase hex characters (run ids, `myid`).
    static func randomHexIdentifier(using random: inout SplitMix64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(40)
        for _ in 0..<40 { bytes.append(digits[Int(random.next() & 0xF)]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Called once before the first input: generates and persists `myid` if needed, logs the
    /// start-up lines, announces the monitored masters and schedules the first tick.
    public mutating func start(into turn: inout Turn) {
        if myID.isEmpty {
            myID = Sentinel.randomHexIdentifier(using: &random)
            persistConfiguration(turn: &turn)
        }
        turn.append(.log(.notice, "Sentinel ID is \(myID)"))
        if isLearningEpochs {
            turn.append(.log(.notice, "Sentinel started without its state: it learns the current epoch from its peers (at least \(learningPeriod) ms) before it votes"))
        }
        for masterID in masterOrder {
            guard let master = instances[masterID], let state = masters[masterID] else { continue }
            emitEvent(.monitor, about: master, "quorum \(state.quorum)", turn: &turn)
        }
        turn.append(.scheduleTick(afterMilliseconds: nextTickDelay()))
    }

    /// Feeds one input to the core and adds what must happen to `turn` (carry it out with
    /// `TurnExecutor`).
    public mutating func handle(_ input: SentinelInput, at time: Timestamp, into turn: inout Turn) {
        lastWallClock = time.wallClock
        currentTime = time.monotonic
        if case .clientCommand = input {
            // Read-only queries keep the version (see handleClientCommand).
        } else {
            stateVersion &+= 1
        }
        wakeDueWork(for: input)
        switch input {
        case .tick:
            handleTick(at: time, turn: &turn)
        case .clientConnected(let client, let remote, let local):
            admitClient(client, remoteAddress: remote, localAddress: local, at: time, turn: &turn)
        case .clientRefused:
            statistics.rejectedConnections += 1
        case .clientCommand(let client, let arguments):
            handleClientCommand(client, arguments, at: time, turn: &turn)
        case .clientDisconnected(let client):
            removeClient(client)
        case .connectionEstablished(let connection, let localAddress):
            handleConnectionEstablished(connection, localAddress: localAddress, now: time.monotonic, turn: &turn)
        case .connectionClosed(let connection, let reason):
            handleConnectionClosed(connection, reason: reason, now: time.monotonic, turn: &turn)
        case .connectionReply(let connection, let value):
            handleConnectionReply(connection, value, at: time, turn: &turn)
        case .configurationPersisted(let ticket, let error):
            handleConfigurationPersisted(ticket: ticket, error: error, turn: &turn)
        case .aclFileRead(let ticket, let contents, let error):
            handleACLFileRead(ticket: ticket, contents: contents, error: error, turn: &turn)
        case .aclFileWritten(let ticket, let error):
            handleACLFileWritten(ticket: ticket, error: error, turn: &turn)
        case .scriptStarted(let script, let pid):
            scriptQueue.recordStarted(script, pid: pid)
        case .hostnameResolved(let host, let address):
            if let address {
                resolvedHosts[host] = address
            } else {
                log(.warning, "Failed to resolve hostname '\(host)'", turn: &turn)
            }
        case .shutdownRequested(let signalName):
            shutdown(reason: "Received \(signalName) scheduling shutdown...", turn: &turn)
        case .scriptFinished(let script, let termination):
            handleScriptFinished(script, termination, now: time.monotonic, turn: &turn)
        }
    }

    /// Asks the shell to end the process with `code` once this turn's output is written.
    mutating func exitProcess(code: Int32, turn: inout Turn) {
        isExiting = true
        turn.append(.exit(code: code))
    }

    /// One timer run (§2): the monitoring work, then the next tick at a redrawn 10–19 Hz.
    mutating func handleTick(at time: Timestamp, turn: inout Turn) {
        metrics.observeTick(at: time.monotonic)
        advanceEpochLearning(now: time.monotonic, turn: &turn)
        runPeriodicWork(at: time, turn: &turn)
        writeDiscoveriesIfDue(now: time.monotonic, turn: &turn)
        lastTickTime = time.monotonic
        turn.append(.scheduleTick(afterMilliseconds: nextTickDelay()))
    }

    /// Redis redraws the timer frequency after each run as `10 + random(0..9)` Hz so that
    /// sentinels do not act in lockstep (§2).
    mutating func nextTickDelay() -> Milliseconds {
        currentHz = 10 + Int(random.next() % 10)
        let delay = Milliseconds(1000 / currentHz)
        metrics.nextTickDue = currentTime + delay
        return delay
    }
}

/// Flags of `SENTINEL SIMULATE-FAILURE`.
public struct SimulatedFailure: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Exit with code 99 right after winning an election.
    public static let crashAfterElection = SimulatedFailure(rawValue: 1)
    /// Exit with code 99 right after the promoted replica is seen as master.
    public static let crashAfterPromotion = SimulatedFailure(rawValue: 2)
}

/// Counters shown by INFO stats.
struct ServerStatistics {
    var totalConnectionsReceived: Int = 0
    var totalCommandsProcessed: Int = 0
    var totalErrorReplies: Int = 0
    var rejectedConnections: Int = 0
}
