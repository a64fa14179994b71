/// Facts about the process and the machine that the core reports but cannot know by itself.
/// The daemon fills it from the system; the simulator and the tests fill it with fixed values.
public struct SentinelEnvironment: Sendable {
    /// The process id (INFO `process_id`).
    public var processID: Int32
    /// Absolute path of the running executable (INFO `executable`).
    public var executablePath: String
    /// Absolute path of the configuration file (INFO `config_file`).
    public var configurationFilePath: String
    /// The TCP port the listener actually uses (INFO `tcp_port`).
    public var listeningPort: Int
    /// Whether a script path can be executed (checked by `SENTINEL SET … notification-script`).
    public var isExecutable: @Sendable (String) -> Bool
    /// CPU time used so far (INFO `cpu` section).
    public var resourceUsage: @Sendable () -> ResourceUsage
    /// Bytes of memory in use (INFO `used_memory`), when known.
    public var memoryUsage: @Sendable () -> Int
    /// The process's open-files limit (`RLIMIT_NOFILE`) after the start-up adjustment; nil
    /// when unknown or irrelevant (the simulator, tests). It caps `maxclients` and the
    /// connections that clients and links hold together (see `Sentinel.maximumClients`).
    public var openFilesLimit: Int?

    public init(
        processID: Int32 = 0,
        executablePath: String = "",
        configurationFilePath: String = "",
        listeningPort: Int = 26379,
        isExecutable: @escaping @Sendable (String) -> Bool = { _ in true },
        resourceUsage: @escaping @Sendable () -> ResourceUsage = { ResourceUsage() },
        memoryUsage: @escaping @Sendable () -> Int = { 0 },
        openFilesLimit: Int? = nil
    ) {
        self.processID = processID
        self.executablePath = executablePath
        self.configurationFilePath = configurationFilePath
        self.listeningPort = listeningPort
        self.isExecutable = isExecutable
        self.resourceUsage = resourceUsage
        self.memoryUsage = memoryUsage
        self.openFilesLimit = openFilesLimit
    }
}

/// CPU seconds used by the process and its children.
public struct ResourceUsage: Sendable, Equatable {
    public var systemSeconds: Double = 0
    public var userSeconds: Double = 0
    public var childrenSystemSeconds: Double = 0
    public var childrenUserSeconds: Double = 0

    public init(systemSeconds: Double = 0, userSeconds: Double = 0, childrenSystemSeconds: Double = 0, childrenUserSeconds: Double = 0) {
        self.systemSeconds = systemSeconds
        self.userSeconds = userSeconds
        self.childrenSystemSeconds = childrenSystemSeconds
        self.childrenUserSeconds = childrenUserSeconds
    }
}
