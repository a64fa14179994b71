import Foundation
import Glibc
import RESP
import XCTest

/// A child process started by a test; stopped only through its own pid.
final class ManagedProcess {
    let name: String
    let executable: String
    let arguments: [String]
    let logPath: String
    private let process = Process()

    init(name: String, executable: String, arguments: [String], logPath: String) throws {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.logPath = logPath
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw IntegrationError("cannot open \(logPath)") }
        log.seekToEndOfFile()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var exitStatus: Int32 { process.terminationStatus }
    var exitedNormally: Bool { process.terminationReason == .exit }

    func signal(_ number: Int32) {
        if process.isRunning { _ = kill(process.processIdentifier, number) }
    }

    /// Waits for the process to end; false when it still runs at the deadline.
    @discardableResult
    func waitForExit(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// SIGTERM (after SIGCONT, in case it was stopped), then SIGKILL if it lingers.
    func stop() {
        guard process.isRunning else { return }
        signal(SIGCONT)
        signal(SIGTERM)
        if !waitForExit(timeout: 5) {
            signal(SIGKILL)
            waitForExit(timeout: 5)
        }
    }

    /// The last `lines` lines of its log.
    func logTail(_ lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// A redis-server started by a test.
final class RedisNode {
    let name: String
    let port: Int
    let directory: String
    let extraArguments: [String]
    var process: ManagedProcess
    /// Its `requirepass`, sent with AUTH by `role` and `redisQuery`.
    var password: String?

    init(name: String, port: Int, directory: String, extraArguments: [String], process: ManagedProcess) {
        self.name = name
        self.port = port
        self.directory = directory
        self.extraArguments = extraArguments
        self.process = process
    }

    var address: String { "127.0.0.1:\(port)" }
}

/// A sentinel (swift-sentinel or redis-sentinel) started by a test.
final class SentinelNode {
    enum Kind: String { case swift = "swift-sentinel", redis = "redis-sentinel" }
    let name: String
    let kind: Kind
    let port: Int
    let configPath: String
    let logPath: String
    var process: ManagedProcess

    init(name: String, kind: Kind, port: Int, configPath: String, logPath: String, process: ManagedProcess) {
        self.name = name
        self.kind = kind
        self.port = port
        self.configPath = configPath
        self.logPath = logPath
        self.process = process
    }
}

/// Options for the `sentinel` lines of a test fleet.
struct MonitorOptions {
    var masterName = "mymaster"
    var quorum = 2
    var downAfterMilliseconds = 1000
    var failoverTimeout = 15000
}

/// Base class: a temp directory per test, real processes started through helpers and stopped by
/// pid in tearDown (even after a failure), and polling waits with generous deadlines.
class IntegrationTestCase: XCTestCase {
    private(set) var directory = ""
    private var processes: [ManagedProcess] = []
    private var subscribers: [EventSubscriber] = []
    private(set) var sentinels: [SentinelNode] = []

    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var swiftSentinelBinary: String {
        if let path = ProcessInfo.processInfo.environment["SWIFT_SENTINEL_BINARY"], !path.isEmpty { return path }
        return packageRoot + "/.build/debug/swift-sentinel"
    }

    static func findExecutable(_ name: String) -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return "/usr/bin/\(name)"
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        var template = Array((NSTemporaryDirectory() + "/swift-sentinel-it.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw IntegrationError("mkdtemp failed") }
        directory = String(cString: made)
        guard FileManager.default.isExecutableFile(atPath: Self.swiftSentinelBinary) else {
            throw IntegrationError("no swift-sentinel binary at \(Self.swiftSentinelBinary): run `swift build` first or set SWIFT_SENTINEL_BINARY")
        }
    }

    override func tearDownWithError() throws {
        for subscriber in subscribers { subscriber.stop() }
        subscribers.removeAll()
        let failed = (testRun?.totalFailureCount ?? 0) > 0
        if failed {
            for process in processes where process.name.contains("sentinel") {
                print("---- \(process.name) (pid \(process.pid)) log tail: \(process.logPath)\n\(process.logTail(60))")
            }
        }
        for process in processes.reversed() { process.stop() }
        processes.removeAll()
        if failed {
            print("---- test files kept in \(directory)")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
        try super.tearDownWithError()
    }

    // MARK: waiting

    /// Polls `condition` every `poll` seconds until it holds; throws (failing the test) with
    /// `description` and the last error when it still does not hold after `timeout` seconds.
    func waitUntil(_ description: @autoclosure () -> String, timeout: Double = 30, poll: Double = 0.1,
                   file: StaticString = #filePath, line: UInt = #line, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var lastError: Error?
        while true {
            do {
                if try condition() { return }
                lastError = nil
            } catch {
                lastError = error
            }
            if Date() > deadline { break }
            usleep(UInt32(poll * 1_000_000))
        }
        let message = "timed out after \(Int(timeout)) s waiting until \(description())" + (lastError.map { " (last error: \($0))" } ?? "")
        XCTFail(message, file: file, line: line)
        throw IntegrationError(message)
    }

    // MARK: processes

    func launch(name: String, executable: String, arguments: [String], logPath: String) throws -> ManagedProcess {
        let process = try ManagedProcess(name: name, executable: executable, arguments: arguments, logPath: logPath)
        processes.append(process)
        return process
    }

    /// Waits until `port` answers PING (true) or the process ends (false).
    private func waitForPing(port: Int, process: ManagedProcess, timeout: Double = 20) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning { return false }
            if let connection = try? RedisConnection(port: port, timeout: 2),
               let reply = try? connection.command("PING") {
                // LOADING and the like still count as "it is the process we started".
                if reply.text == "PONG" || reply.isError { return process.isRunning }
            }
            usleep(50_000)
        }
        throw IntegrationError("\(process.name) on port \(port) did not answer PING within \(Int(timeout)) s; log:\n\(process.logTail())")
    }

    /// Starts a redis-server on a free port (retrying with another port if it cannot bind).
    func startRedis(_ name: String, replicaOf master: RedisNode? = nil, debugCommand: Bool = false,
                    extraArguments: [String] = []) throws -> RedisNode {
        var extra: [String] = extraArguments
        if let master { extra += ["--replicaof", "127.0.0.1", String(master.port)] }
        if debugCommand { extra += ["--enable-debug-command", "yes"] }
        for _ in 0..<5 {
            let port = try freePort()
            let node = try launchRedis(name: name, port: port, extraArguments: extra)
            if try waitForPing(port: port, process: node.process) { return node }
        }
        throw IntegrationError("could not start redis-server \(name) after 5 attempts")
    }

    /// Starts a redis-server again on its old port with its old arguments (after kill -9).
    func restartRedis(_ node: RedisNode) throws {
        for attempt in 0..<10 {
            node.process = try launchRedis(name: node.name, port: node.port, extraArguments: node.extraArguments).process
            if try waitForPing(port: node.port, process: node.process) { return }
            usleep(UInt32(200_000 * (attempt + 1)))
        }
        throw IntegrationError("could not restart redis-server \(node.name) on port \(node.port)")
    }

    private func launchRedis(name: String, port: Int, extraArguments: [String]) throws -> RedisNode {
        let nodeDirectory = "\(directory)/\(name)"
        try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
        let configPath = "\(nodeDirectory)/redis.conf"
        if !FileManager.default.fileExists(atPath: configPath) {
            _ = FileManager.default.createFile(atPath: configPath, contents: Data())
        }
        let arguments = [configPath, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                         "--daemonize", "no", "--dir", nodeDirectory] + extraArguments
        let process = try launch(name: "redis-server \(name)", executable: Self.findExecutable("redis-server"),
                                 arguments: arguments, logPath: "\(nodeDirectory)/redis.log")
        return RedisNode(name: name, port: port, directory: nodeDirectory, extraArguments: extraArguments, process: process)
    }

    /// The `sentinel …` lines of a fleet monitoring `master`.
    func monitorLines(master: RedisNode, _ options: MonitorOptions = MonitorOptions()) -> String {
        """
        sentinel monitor \(options.masterName) 127.0.0.1 \(master.port) \(options.quorum)
        sentinel down-after-milliseconds \(options.masterName) \(options.downAfterMilliseconds)
        sentinel failover-timeout \(options.masterName) \(options.failoverTimeout)
        sentinel parallel-syncs \(options.masterName) 1

        """
    }

    /// Starts a sentinel of `kind` with the given sentinel lines on a free port.
    func startSentinel(_ name: String, kind: SentinelNode.Kind = .swift, lines: String) throws -> SentinelNode {
        let nodeDirectory = "\(directory)/\(name)"
        try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
        let configPath = "\(nodeDirectory)/sentinel.conf"
        let logPath = "\(nodeDirectory)/sentinel.log"
        for _ in 0..<5 {
            let port = try freePort()
            var text = "port \(port)\nbind 127.0.0.1\ndir \(nodeDirectory)\n"
            if kind == .redis { text += "daemonize no\nlogfile \(logPath)\n" }
            text += lines
            try text.write(toFile: configPath, atomically: true, encoding: .utf8)
            let process = try launchSentinelProcess(name: name, kind: kind, configPath: configPath, logPath: logPath)
            if try waitForPing(port: port, process: process) {
                let node = SentinelNode(name: name, kind: kind, port: port, configPath: configPath, logPath: logPath, process: process)
                sentinels.append(node)
                return node
            }
        }
        throw IntegrationError("could not start sentinel \(name) after 5 attempts")
    }

    /// Starts the sentinel again with its (rewritten) config file, on the same port.
    func restartSentinel(_ node: SentinelNode) throws {
        for attempt in 0..<10 {
            node.process = try launchSentinelProcess(name: node.name, kind: node.kind, configPath: node.configPath, logPath: node.logPath)
            if try waitForPing(port: node.port, process: node.process) { return }
            usleep(UInt32(200_000 * (attempt + 1)))
        }
        throw IntegrationError("could not restart sentinel \(node.name) on port \(node.port)")
    }

    private func launchSentinelProcess(name: String, kind: SentinelNode.Kind, configPath: String, logPath: String) throws -> ManagedProcess {
        switch kind {
        case .swift:
            return try launch(name: "swift-sentinel \(name)", executable: Self.swiftSentinelBinary, arguments: [configPath], logPath: logPath)
        case .redis:
            return try launch(name: "redis-sentinel \(name)", executable: Self.findExecutable("redis-sentinel"),
                              arguments: [configPath], logPath: logPath + ".stdout")
        }
    }

    /// A subscriber to every event of the sentinel on `port` (on `host` inside `namespace` when
    /// given), stopped in tearDown.
    func subscribe(_ port: Int, host: String = "127.0.0.1", namespace: NetworkNamespace? = nil) throws -> EventSubscriber {
        let subscriber = try EventSubscriber(port: port, host: host, namespace: namespace)
        subscribers.append(subscriber)
        return subscriber
    }

    // MARK: queries

    /// Sends one command on a fresh connection.
    @discardableResult
    func query(_ port: Int, _ arguments: String...) throws -> RESPValue {
        let connection = try RedisConnection(port: port, timeout: 5)
        try connection.send(arguments)
        return try connection.readReply()
    }

    func info(_ port: Int, _ section: String) throws -> [String: String] {
        parseInfo(try query(port, "INFO", section))
    }

    /// `SENTINEL MASTER name` as a dictionary.
    func sentinelMaster(_ sentinel: SentinelNode, _ name: String = "mymaster") throws -> [String: String] {
        try query(sentinel.port, "SENTINEL", "MASTER", name).fieldDictionary
    }

    /// `SENTINEL GET-MASTER-ADDR-BY-NAME` as "ip:port".
    func masterAddress(_ sentinel: SentinelNode, _ name: String = "mymaster") throws -> String? {
        let reply = try query(sentinel.port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)
        guard let items = reply.elements, items.count == 2, let ip = items[0].text, let port = items[1].text else { return nil }
        return "\(ip):\(port)"
    }

    /// Waits until every sentinel knows `replicas` replicas and all other sentinels.
    /// Waits until every sentinel knows `replicas` replicas and every other sentinel, and has the INFO of each
    /// replica saying its link to the master is up: only then can a replica be selected for promotion
    /// (a replica known from the master's INFO alone is refused with -NOGOODSLAVE, as in Redis).
    func waitForDiscovery(_ nodes: [SentinelNode], replicas: Int, timeout: Double = 40) throws {
        try waitUntil("every sentinel reports num-slaves \(replicas), num-other-sentinels \(nodes.count - 1) and replicas with master-link-status ok; now: "
                      + nodes.map { node in
                          let master = (try? self.sentinelMaster(node)) ?? [:]
                          let links = (try? self.replicaLinkStatuses(node)) ?? []
                          return "\(node.name): slaves=\(master["num-slaves"] ?? "?") others=\(master["num-other-sentinels"] ?? "?") links=\(links)"
                      }.joined(separator: ", "), timeout: timeout) {
            try nodes.allSatisfy { node in
                let master = try sentinelMaster(node)
                let links = try replicaLinkStatuses(node)
                return master["num-slaves"] == String(replicas) && master["num-other-sentinels"] == String(nodes.count - 1)
                    && links.allSatisfy { $0 == "ok" }
            }
        }
    }

    /// The `master-link-status` field of each replica in `SENTINEL REPLICAS mymaster` on `node`.
    func replicaLinkStatuses(_ node: SentinelNode) throws -> [String] {
        (try query(node.port, "SENTINEL", "REPLICAS", "mymaster").elements ?? []).map { $0.fieldDictionary["master-link-status"] ?? "?" }
    }

    /// Waits until every sentinel names the same master address, different from `old`; returns it.
    func waitForAgreedNewMaster(_ nodes: [SentinelNode], old: RedisNode, timeout: Double = 60) throws -> String {
        var agreed = ""
        try waitUntil("all sentinels return the same new master (not \(old.address)); now: "
                      + nodes.map { "\($0.name)=\((try? self.masterAddress($0)).flatMap { $0 } ?? "?")" }.joined(separator: ", "),
                      timeout: timeout) {
            let addresses = try nodes.map { try masterAddress($0) ?? "" }
            guard let first = addresses.first, first != old.address, !first.isEmpty,
                  addresses.allSatisfy({ $0 == first }) else { return false }
            agreed = first
            return true
        }
        return agreed
    }

    /// Role of a redis-server from `INFO replication`.
    func role(_ node: RedisNode) throws -> [String: String] {
        parseInfo(try redisQuery(node, "INFO", "replication"))
    }

    /// Sends one command to a redis-server on a fresh connection, after AUTH when it has a password.
    @discardableResult
    func redisQuery(_ node: RedisNode, _ arguments: String...) throws -> RESPValue {
        let connection = try RedisConnection(port: node.port, timeout: 5)
        if let password = node.password {
            let reply = try connection.command("AUTH", password)
            guard reply == .ok else { throw IntegrationError("AUTH on \(node.address) replied \(reply.debugText)") }
        }
        try connection.send(arguments)
        return try connection.readReply()
    }
}
