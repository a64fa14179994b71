import CSystem
import Glibc
import SentinelCore
import SentinelServer

/// `swift-sentinel /path/sentinel.conf [--sentinel] [--port N] [--<directive> args …]`,
/// like `redis-sentinel`: command-line directives are appended to the file's lines.
struct CommandLine {
    var configurationPath: String?
    var extraLines: [String] = []
    var testConfiguration = false

    static let usage = """
        Usage: swift-sentinel /path/to/sentinel.conf [options]
               swift-sentinel --test-config /path/to/sentinel.conf [options]
               swift-sentinel -v or --version
               swift-sentinel -h or --help

        Options are configuration directives written as --<directive> [arguments],
        e.g. --port 26380 or --sentinel announce-ip 10.0.0.5; they apply after the file.
        --sentinel is accepted (and ignored) for compatibility with redis-server --sentinel.
        """

    static func parse(_ arguments: [String]) -> CommandLine {
        var result = CommandLine()
        var index = 0
        var current: [String] = []
        func finish() {
            if !current.isEmpty { result.extraLines.append(current.map(RedisArgumentSplitterQuoting.quote).joined(separator: " ")) }
            current = []
        }
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--test-config" {
                result.testConfiguration = true
            } else if argument == "--sentinel" {
                finish()
            } else if argument.hasPrefix("--") {
                finish()
                current = [String(argument.dropFirst(2))]
            } else if result.configurationPath == nil && current.isEmpty && result.extraLines.isEmpty {
                result.configurationPath = argument
            } else {
                current.append(argument)
            }
            index += 1
        }
        finish()
        return result
    }
}

/// Quotes command-line words so that they read back as one argument each.
enum RedisArgumentSplitterQuoting {
    static func quote(_ word: String) -> String {
        if !word.isEmpty && word.utf8.allSatisfy({ $0 > 32 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'") && $0 < 127 }) {
            return word
        }
        var quoted = "\""
        for character in word.unicodeScalars {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            default: quoted.unicodeScalars.append(character)
            }
        }
        return quoted + "\""
    }
}

func fail(_ message: String) -> Never {
    var text = message + "\n"
    text.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    exit(1)
}

func printLine(_ message: String) {
    var text = message + "\n"
    text.withUTF8 { _ = Glibc.write(1, $0.baseAddress, $0.count) }
}

let arguments = Array(Swift.CommandLine.arguments.dropFirst())
if arguments.contains("-v") || arguments.contains("--version") {
    printLine("swift-sentinel \(Sentinel.version) (Redis Sentinel \(Sentinel.redisVersion) compatible)")
    exit(0)
}
if arguments.contains("-h") || arguments.contains("--help") {
    printLine(CommandLine.usage)
    exit(0)
}
let commandLine = CommandLine.parse(arguments)
guard let givenPath = commandLine.configurationPath else {
    fail("Sentinel needs config file on disk to save state. Exiting...")
}
let configurationPath = FileAccess.absolutePath(givenPath)
let file: [UInt8]
do {
    file = try FileAccess.readBytes(configurationPath)
} catch {
    fail("Fatal error, can't open config file '\(configurationPath)': \(error.message)")
}
var fullFile = file
if !commandLine.extraLines.isEmpty {
    if !fullFile.isEmpty && fullFile.last != UInt8(ascii: "\n") { fullFile.append(UInt8(ascii: "\n")) }
    fullFile += Array((commandLine.extraLines.joined(separator: "\n") + "\n").utf8)
}

var configuration: SentinelConfiguration
do {
    configuration = try ConfigurationParser.parse(bytes: fullFile, fileName: configurationPath) { include in
        try FileAccess.readBytes(include)
    }
} catch {
    fail("*** FATAL CONFIG FILE ERROR (swift-sentinel \(Sentinel.version)) ***\n\(error.description)")
}

// With `sentinel state-config-file`, the state is written there and the main file is never
// written (it may be read-only); the state file overlays the main file at every start. A
// relative path is taken from `dir`, as Redis takes its other files.
if let givenStatePath = configuration.container.stateConfigFile {
    let statePath: String
    if givenStatePath.hasPrefix("/") {
        statePath = givenStatePath
    } else {
        let base = configuration.directory.map(FileAccess.absolutePath) ?? FileAccess.currentDirectory() ?? ""
        statePath = (base.hasSuffix("/") ? base : base + "/") + givenStatePath
    }
    configuration.container.stateConfigFile = statePath
    let stateDirectory = statePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    if access(stateDirectory.isEmpty ? "/" : stateDirectory, W_OK) != 0 {
        fail("Sentinel state directory \(stateDirectory) is not writable (the state file is replaced atomically through a temporary file there): \(SystemError.describe(errno)). Exiting...")
    }
    var stateFile: [UInt8]?
    if FileAccess.exists(statePath) {
        if access(statePath, W_OK) != 0 {
            fail("Sentinel state file \(statePath) is not writable: \(SystemError.describe(errno)). Exiting...")
        }
        do {
            stateFile = try FileAccess.readBytes(statePath)
        } catch {
            fail("Fatal error, can't open state file '\(statePath)': \(error.message)")
        }
    }
    do {
        try StateFileOverlay.apply(stateFile, fileName: statePath, to: &configuration)
    } catch {
        fail("*** FATAL STATE FILE ERROR (swift-sentinel \(Sentinel.version)) ***\n\(error.description)")
    }
} else {
    // Persistence replaces the file through a temporary file in its directory: both must be
    // writable, or the first state change would be lost (Redis checks only the file, §16.4).
    if access(configurationPath, W_OK) != 0 {
        fail("Sentinel config file \(configurationPath) is not writable: \(SystemError.describe(errno)). Exiting...")
    }
    let configurationDirectory = configurationPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    if access(configurationDirectory.isEmpty ? "/" : configurationDirectory, W_OK) != 0 {
        fail("Sentinel config directory \(configurationDirectory) is not writable (the configuration is replaced atomically through a temporary file there): \(SystemError.describe(errno)). Exiting...")
    }
}

// `dir` applies before the sentinel lines are checked, as in Redis: script paths may be
// relative to it.
if let directory = configuration.directory, chdir(directory) != 0 {
    fail("Can't chdir to '\(directory)': \(SystemError.describe(errno))")
}
// Users come from `user` lines or from the `aclfile`, never both (Redis's
// ACLLoadUsersAtStartup); a relative path is read from `dir`, as Redis does.
if let aclFile = configuration.aclFile {
    guard configuration.aclUsers.isEmpty else {
        fail("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.")
    }
    let contents: [UInt8]
    do {
        contents = try FileAccess.readBytes(aclFile)
    } catch {
        fail("Aborting Redis startup because of ACL errors: Error loading ACLs, opening file '\(aclFile)': \(SystemError.describe(error.code))")
    }
    switch ACLFile.parse(contents, fileName: aclFile, compatibility: configuration.redisCompatibility) {
    case .success(let users): configuration.aclUsers = users
    case .failure(let failure): fail("Aborting Redis startup because of ACL errors: \(failure.message)")
    }
}

for script in configuration.scriptReferences where access(script.path, X_OK) != 0 {
    fail("*** FATAL CONFIG FILE ERROR (swift-sentinel \(Sentinel.version)) ***\n\(script.missingScriptError.description)")
}
if commandLine.testConfiguration {
    if configuration.tls.isEnabled, case .failure(let error) = TLSContext.make(configuration.tls) {
        fail("\(error.message)\n\(TLSSetupError.startupFailure)")
    }
    let state = configuration.container.stateConfigFile.map { " (state file \($0)\(configuration.loadedState ? "" : ", no state yet"))" } ?? ""
    printLine("Configuration file \(configurationPath) is OK\(state): \(configuration.masters.count) master(s) monitored.")
    exit(0)
}
if configuration.daemonize {
    do { try Daemonizer.daemonize() } catch { fail("Can't daemonize: \(error.message)") }
}

let logger = Logger(configuration: Logger.Configuration(
    logFile: configuration.logFile,
    minimumLevel: configuration.logLevel,
    roleCharacter: "X",
    syslogEnabled: configuration.syslogEnabled,
    syslogIdent: configuration.syslogIdent,
    syslogFacility: Logger.syslogFacility(named: configuration.syslogFacility) ?? LOG_LOCAL0))
let pid = getpid()
logger.notice("oO0OoO0OoO0Oo swift-sentinel is starting oO0OoO0OoO0Oo")
logger.notice("swift-sentinel version=\(Sentinel.version) (Redis \(configuration.redisCompatibility.redisVersion) protocol), bits=64, pid=\(pid), just started")
logger.notice("Configuration loaded")
// As Redis does at start-up: room for maxclients clients plus the reserved descriptors, or a
// lower maxclients (the core applies it from the limit).
let openFiles = OpenFilesLimitAdjustment.adjust(maximumClients: configuration.maxClients)
for message in openFiles.messages { logger.log(message.level, message.text) }
if openFiles.isFatal { exit(1) }

// TLS is set up from its files before anything listens or connects, as Redis's initServer does.
var tlsCertificates: TLSCertificates?
if configuration.tls.isEnabled {
    do {
        tlsCertificates = try TLSCertificates(configuration: configuration.tls)
    } catch {
        logger.warning(error.message)
        logger.warning(TLSSetupError.startupFailure)
        if !configuration.logFile.isEmpty { fail("\(error.message)\n\(TLSSetupError.startupFailure)") }
        exit(1)
    }
}

var seed: UInt64 = 0
withUnsafeMutableBytes(of: &seed) { buffer in
    if getrandom(buffer.baseAddress, buffer.count, 0) != buffer.count {
        seed = UInt64(bitPattern: MonotonicClock.now()) ^ UInt64(pid)
    }
}
var executable = [CChar](repeating: 0, count: 4096)
let executableLength = readlink("/proc/self/exe", &executable, executable.count - 1)
let executablePath = executableLength > 0 ? String(decoding: executable[0..<executableLength].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "swift-sentinel"

let environment = SentinelEnvironment(
    processID: pid,
    executablePath: executablePath,
    configurationFilePath: configurationPath,
    listeningPort: configuration.port,
    isExecutable: { path in access(path, X_OK) == 0 },
    resourceUsage: {
        var own = rusage()
        var children = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        getrusage(RUSAGE_CHILDREN.rawValue, &children)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return ResourceUsage(systemSeconds: seconds(own.ru_stime), userSeconds: seconds(own.ru_utime),
                             childrenSystemSeconds: seconds(children.ru_stime), childrenUserSeconds: seconds(children.ru_utime))
    },
    openFilesLimit: openFiles.limit)
let startTime = Timestamp(monotonic: MonotonicClock.now(), wallClock: WallClock.nowMilliseconds())
let core = Sentinel(configuration: configuration, configurationFile: file, environment: environment, randomSeed: seed, now: startTime)

let exitCode: Int32
do {
    let server = try SentinelServer(core: core, logger: logger, configurationFilePath: configurationPath)
    try server.listen(port: configuration.port, bindAddresses: configuration.bindAddresses)
    if let tlsCertificates {
        server.useTLS(tlsCertificates, linksUseTLS: configuration.tls.replication)
        do {
            try server.listen(port: configuration.tls.port, bindAddresses: configuration.bindAddresses, tls: true)
        } catch let error as SystemError {
            logger.warning(error.message)
            fail("Failed listening on port \(configuration.tls.port) (TLS), aborting.")
        }
    }
    let metricsAddresses = try server.listenForMetrics(
        port: configuration.metricsPort,
        bindAddresses: configuration.metricsBindAddresses.isEmpty ? SentinelConfiguration.defaultMetricsBindAddresses : configuration.metricsBindAddresses)
    for address in metricsAddresses { logger.notice("Serving /metrics, /healthz and /readyz on http://\(address)") }
    // Like Redis, the pidfile is written once the port is bound: an init script that finds
    // it may rely on a running daemon.
    if let pidFile = configuration.pidFile {
        do { try PidFile.write(path: pidFile) } catch { logger.warning("Failed to write PID file: \(error.message)") }
    }
    logger.notice("Running mode=sentinel, port=\(configuration.reportedPort(listeningPort: configuration.port)).")
    exitCode = try server.run()
} catch let error as SystemError {
    logger.warning(error.message)
    if configuration.logFile.isEmpty == false { fail(error.message) }
    exit(1)
} catch {
    logger.warning("\(error)")
    exit(1)
}
if let pidFile = configuration.pidFile { PidFile.remove(path: pidFile) }
exit(exitCode)
