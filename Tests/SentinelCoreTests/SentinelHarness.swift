import RESP
import XCTest
@testable import SentinelCore

/// Drives a `Sentinel` with a fake clock and a fake network: no sockets, no sleeps.
///
/// - Time moves only through `advance(by:)`, `tick()` and `run(for:)`.
/// - Every input goes through `feed(_:)`, which records all effects in `effects` and, by
///   default, plays the network: `.connect` to an address with a `FakeRedis` gets
///   `connectionEstablished` (or `connectionClosed` if there is none, or it refuses), each command
///   sent on a connection gets the fake's reply at once, and configuration writes are
///   acknowledged. Everything the network answers is fed back in order until nothing is left.
/// - Published events are collected by an internal client subscribed to `*` (`events`).
final class SentinelHarness {
    static let wallClockOrigin: Milliseconds = 1_700_000_000_000

    var sentinel: Sentinel
    /// The fake monotonic clock (starts well above 0: 0 means "never" in the core).
    private(set) var now: Milliseconds = 1_000_000
    /// Every effect the core produced, in order.
    private(set) var effects: [SentinelEffect] = []
    /// Every published event, `(type, message)`, in order.
    private(set) var events: [(type: String, message: String)] = []
    /// When each event of `events` was published (fake monotonic time).
    private(set) var eventTimes: [Milliseconds] = []
    /// Fake Redis servers and sentinels, by `host:port`.
    private(set) var servers: [String: FakeRedis] = [:]
    /// Which fake each open outgoing connection reaches.
    private(set) var connections: [ConnectionID: FakeRedis] = [:]
    /// When false, `.connect`/`.sendOnConnection` effects are recorded but not answered.
    var networkEnabled = true
    /// The error reported for configuration writes (nil = success).
    var persistError: String?

    private var nextClient: UInt64 = 1
    private let eventClient = ClientID(999_999)
    private var parsers: [ClientID: RESPReplyParser] = [:]

    var time: Timestamp { Timestamp(monotonic: now, wallClock: SentinelHarness.wallClockOrigin + now) }

    /// Builds a sentinel from configuration text and calls `start`.
    /// With `sentinel state-config-file`, `stateFile` is that file's text (nil: it does not
    /// exist yet), loaded over the configuration as the daemon does.
    init(config: String, stateFile: String? = nil, seed: UInt64 = 42, file: StaticString = #filePath, line: UInt = #line) throws {
        var configuration = try ConfigurationParser.parse(text: config, fileName: "sentinel.conf") { path in
            throw HarnessError(description: "no include \(path)")
        }
        if let path = configuration.container.stateConfigFile {
            try StateFileOverlay.apply(stateFile.map { Array($0.utf8) }, fileName: path, to: &configuration)
        }
        let start = Timestamp(monotonic: now, wallClock: SentinelHarness.wallClockOrigin + now)
        sentinel = Sentinel(configuration: configuration, configurationText: config, environment: SentinelEnvironment(processID: 4242, listeningPort: 26379), randomSeed: seed, now: start)
        // The event recorder subscribes before start so that `+monitor` is seen too.
        feed(.clientConnected(eventClient, remoteAddress: "127.0.0.1:1", localAddress: "127.0.0.1:26379"))
        feed(.clientCommand(eventClient, ["PSUBSCRIBE", "*"]))
        var turn = Turn()
        sentinel.start(into: &turn)
        run(&turn)
    }

    struct HarnessError: Error, CustomStringConvertible { var description: String }

    // MARK: Clock

    /// Moves the clock without running anything.
    func advance(by milliseconds: Milliseconds) { now += milliseconds }

    /// One timer run at the current time.
    @discardableResult
    func tick() -> [SentinelEffect] { feed(.tick) }

    /// Ticks every `step` ms for `duration` ms (the first tick after one step).
    func run(for duration: Milliseconds, step: Milliseconds = 100) {
        var elapsed: Milliseconds = 0
        while elapsed < duration {
            advance(by: step)
            elapsed += step
            tick()
        }
    }

    /// Ticks every `step` until `condition` holds; fails after `limit` ms.
    @discardableResult
    func run(until condition: () -> Bool, limit: Milliseconds = 120_000, step: Milliseconds = 100, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        var elapsed: Milliseconds = 0
        while !condition() {
            if elapsed >= limit {
                XCTFail("condition not reached within \(limit) ms", file: file, line: line)
                return false
            }
            advance(by: step)
            elapsed += step
            tick()
        }
        return true
    }

    // MARK: Inputs and effects

    /// Feeds one input (and whatever the fake network answers) at the current time; returns
    /// the effects of all of them.
    @discardableResult
    func feed(_ input: SentinelInput) -> [SentinelEffect] {
        var turn = Turn()
        sentinel.handle(input, at: time, into: &turn)
        return run(&turn)
    }

    /// Carries out turns with the daemon's executor until nothing is left: what the fake
    /// network answers to one turn is the next turn. Returns every effect carried out, in
    /// the executor's order.
    @discardableResult
    private func run(_ turn: inout Turn) -> [SentinelEffect] {
        var all: [SentinelEffect] = []
        while !turn.isEmpty {
            var io = HarnessIO(persistError: persistError)
            TurnExecutor.run(&turn, core: &sentinel, io: &io, at: time)
            all += io.carriedOut
            effects += io.carriedOut
            persistedConfigurations += io.writtenConfigurations
            persistedStateFiles += io.writtenStateFiles
            recordEvents(io.carriedOut)
            let answers = networkEnabled ? networkInputs(for: io.carriedOut) : []
            for input in answers {
                sentinel.handle(input, at: time, into: &turn)
            }
        }
        return all
    }

    /// The harness's disk and process table: configuration writes succeed (or fail with
    /// `persistError`) and are remembered; every effect is recorded; nothing is started.
    struct HarnessIO: SentinelIO {
        let persistError: String?
        var carriedOut: [SentinelEffect] = []
        var writtenConfigurations: [String] = []
        /// The state files written (`sentinel state-config-file`), with their paths.
        var writtenStateFiles: [(path: String, text: String)] = []

        mutating func writeConfiguration(_ file: [UInt8], to destination: ConfigurationDestination) -> String? {
            carriedOut.append(.persistConfiguration(ticket: 0))
            switch destination {
            case .configurationFile: writtenConfigurations.append(String(decoding: file, as: UTF8.self))
            case .stateFile(let path): writtenStateFiles.append((path, String(decoding: file, as: UTF8.self)))
            }
            return persistError
        }

        mutating func writeACLFile(path: String, contents: [UInt8]) -> String? {
            carriedOut.append(.writeACLFile(path: path, contents: contents, ticket: 0))
            return nil
        }

        mutating func perform(_ message: SentinelEffect) -> Bool {
            carriedOut.append(message)
            return true
        }

        mutating func start(_ effect: SentinelEffect) -> [SentinelInput] {
            carriedOut.append(effect)
            return []
        }
    }

    private func recordEvents(_ batch: [SentinelEffect]) {
        for effect in batch {
            guard case .sendToClient(let client, let bytes) = effect, client == eventClient else { continue }
            for value in decode(bytes, for: client) {
                guard let items = value.elements, items.count == 4, items[0].text == "pmessage",
                      let type = items[2].text, let message = items[3].text else { continue }
                events.append((type, message))
                eventTimes.append(now)
            }
        }
    }

    /// What the fake network and disk answer to a batch of effects.
    private func networkInputs(for batch: [SentinelEffect]) -> [SentinelInput] {
        var inputs: [SentinelInput] = []
        for effect in batch {
            switch effect {
            case .connect(let connection, let host, let port, _):
                if let server = servers["\(host):\(port)"], server.acceptsConnections {
                    connections[connection] = server
                    server.openConnections.append(connection)
                    inputs.append(.connectionEstablished(connection, localAddress: "127.0.0.1"))
                } else {
                    inputs.append(.connectionClosed(connection, reason: "Connection refused"))
                }
            case .sendOnConnection(let connection, let bytes):
                guard let server = connections[connection] else { continue }
                for reply in server.receive(bytes, on: connection) {
                    inputs.append(.connectionReply(reply.connection, reply.value))
                }
            case .closeConnection(let connection):
                connections[connection]?.forget(connection)
                connections[connection] = nil
            default:
                break
            }
        }
        return inputs
    }

    // MARK: Fake servers

    /// Adds a fake Redis (or sentinel) reachable at `host:port`.
    @discardableResult
    func addServer(_ server: FakeRedis) -> FakeRedis {
        servers["\(server.host):\(server.port)"] = server
        return server
    }

    /// Lets a hung fake answer what it was sent meanwhile, in order.
    func resume(_ server: FakeRedis) {
        server.hung = false
        var turn = Turn()
        for reply in server.flushBacklog() {
            sentinel.handle(.connectionReply(reply.connection, reply.value), at: time, into: &turn)
        }
        run(&turn)
    }

    /// Breaks every open connection to `server` (as a crash would).
    func disconnect(_ server: FakeRedis) {
        for connection in server.openConnections {
            connections[connection] = nil
            feed(.connectionClosed(connection, reason: "Connection reset by peer"))
        }
        server.openConnections = []
    }

    /// Delivers a hello to the sentinel on `server`'s pub/sub connection(s), as a peer's
    /// `PUBLISH __sentinel__:hello` would.
    func deliverHello(_ payload: String, via server: FakeRedis) {
        for connection in server.subscribedConnections {
            feed(.connectionReply(connection, .array([.bulk("message"), .bulk(HelloMessage.channel), .bulk(payload)])))
        }
    }

    /// Every command sent to `server` so far, as text.
    func commands(sentTo server: FakeRedis) -> [[String]] { server.received.map(\.arguments) }

    // MARK: Clients

    /// Connects a client of the sentinel port.
    func connectClient() -> ClientID {
        let client = ClientID(nextClient)
        nextClient += 1
        feed(.clientConnected(client, remoteAddress: "10.0.0.\(client.rawValue):5000\(client.rawValue)", localAddress: "127.0.0.1:26379"))
        return client
    }

    /// Sends a command and returns every reply to that client it caused (in order).
    @discardableResult
    func sendAll(_ client: ClientID, _ arguments: [String]) -> [RESPValue] {
        let produced = feed(.clientCommand(client, arguments.map { RequestArgument(Array($0.utf8)) }))
        var replies: [RESPValue] = []
        for effect in produced {
            if case .sendToClient(let target, let bytes) = effect, target == client {
                replies += decode(bytes, for: client)
            }
        }
        return replies
    }

    /// Sends a command that has exactly one reply and returns it (`.null` and a failure if not).
    @discardableResult
    func send(_ client: ClientID, _ arguments: String..., file: StaticString = #filePath, line: UInt = #line) -> RESPValue {
        let replies = sendAll(client, arguments)
        guard replies.count == 1 else {
            XCTFail("expected one reply to \(arguments), got \(replies)", file: file, line: line)
            return .null
        }
        return replies[0]
    }

    private func decode(_ bytes: [UInt8], for client: ClientID) -> [RESPValue] {
        var parser = parsers[client] ?? RESPReplyParser()
        parser.append(bytes)
        var values: [RESPValue] = []
        while let value = try? parser.next() { values.append(value) }
        parsers[client] = parser
        return values
    }

    // MARK: Queries

    /// When the first event of `type` was published.
    func eventTime(_ type: String) -> Milliseconds? {
        events.firstIndex { $0.type == type }.map { eventTimes[$0] }
    }

    /// Messages of the events of one type, in order.
    func events(_ type: String) -> [String] { events.filter { $0.type == type }.map(\.message) }

    /// Event types in order (for sequence checks).
    var eventTypes: [String] { events.map(\.type) }

    /// Forgets recorded events and effects (to look only at what follows).
    func clearRecords() {
        events = []
        eventTimes = []
        effects = []
        persistedConfigurations = []
    }

    /// Texts of the configuration writes asked for so far (each taken when its request was
    /// executed, as the shell does).
    private(set) var persistedConfigurations: [String] = []
    /// Every state file written (`sentinel state-config-file`), with its path, in order.
    private(set) var persistedStateFiles: [(path: String, text: String)] = []

    /// Log lines so far: plain lines, and events at or above the configured log level (the
    /// shell's logger drops the others).
    var logLines: [String] {
        effects.compactMap { effect in
            switch effect {
            case .log(_, let text): return text
            case .event(let event) where event.type.level >= sentinel.configuration.logLevel: return event.logLine
            default: return nil
            }
        }
    }

    /// The `SENTINEL MASTER` map of `name` as field → value.
    func masterFields(_ name: String) -> [String: String] {
        let client = connectClient()
        defer { feed(.clientDisconnected(client)) }
        return fieldDictionary(send(client, "SENTINEL", "MASTER", name))
    }
}

/// `field, value, …` (RESP2 array) or a RESP3 map as a dictionary of texts.
func fieldDictionary(_ value: RESPValue) -> [String: String] {
    let items = value.elements ?? []
    var result: [String: String] = [:]
    var index = 0
    while index + 1 < items.count {
        result[items[index].text ?? ""] = items[index + 1].text ?? ""
        index += 2
    }
    return result
}

/// A fake Redis server (or sentinel) answering the core's commands at once, in order.
///
/// PING → `pingReply` (+PONG), INFO → `infoText` (built from the role fields unless
/// `infoOverride` is set), PUBLISH → :1 (delivered to subscribed connections of this fake),
/// SUBSCRIBE → the subscribe push, `SENTINEL is-master-down-by-addr` → `isMasterDownReply`,
/// anything else (AUTH, CLIENT, MULTI, SLAVEOF, CONFIG, EXEC, SCRIPT) → +OK.
/// SLAVEOF inside MULTI takes effect at EXEC when `obeysSlaveOf`.
/// A `hung` fake answers nothing and keeps the commands until `SentinelHarness.resume`.
final class FakeRedis {
    enum Role { case master, replica }

    struct Received {
        var connection: ConnectionID
        var arguments: [String]
    }

    let host: String
    let port: Int
    var runID: String
    var role: Role
    var masterHost = "?"
    var masterPort = 0
    var masterLinkUp = true
    var priority = 100
    var offset: Int64 = 1000
    var replicaAnnounced = true
    /// `slaveN:` lines a master reports.
    var connectedReplicas: [FakeRedis] = []
    /// Replaces the generated INFO text.
    var infoOverride: String?
    var pingReply: RESPValue = .status("PONG")
    var acceptsConnections = true
    var hung = false
    /// Whether SLAVEOF (applied at EXEC) changes the role and master.
    var obeysSlaveOf = true
    /// Whether a replica's link is up right after SLAVEOF host port.
    var linkUpAfterSlaveOf = true
    /// An error answered to `FAILOVER TO …` instead of performing the server-side failover.
    var failoverError: String?
    /// The reply to `SENTINEL is-master-down-by-addr ip port epoch runid`.
    var isMasterDownReply: ([String]) -> RESPValue = { _ in .array([.integer(0), .bulk("*"), .integer(0)]) }

    private(set) var received: [Received] = []
    var openConnections: [ConnectionID] = []
    private(set) var subscribedConnections: [ConnectionID] = []
    private var parsers: [ConnectionID: RESPRequestParser] = [:]
    private var backlog: [Received] = []
    private var queuedSlaveOf: [String]?

    init(host: String = "127.0.0.1", port: Int, role: Role = .master, runID: String? = nil) {
        self.host = host
        self.port = port
        self.role = role
        self.runID = runID ?? String(repeating: String(port % 10), count: 40)
    }

    /// A fake sentinel: PING, PUBLISH, CLIENT, AUTH and is-master-down-by-addr.
    static func sentinel(port: Int, runID: String) -> FakeRedis {
        FakeRedis(port: port, role: .master, runID: runID)
    }

    /// Makes this fake a replica of `master` (and lists it in the master's INFO).
    func replicate(_ master: FakeRedis) {
        role = .replica
        masterHost = master.host
        masterPort = master.port
        masterLinkUp = true
        if !master.connectedReplicas.contains(where: { $0 === self }) { master.connectedReplicas.append(self) }
    }

    var address: String { "\(host):\(port)" }

    /// The INFO text this fake answers.
    var infoText: String {
        if let infoOverride { return infoOverride }
        var lines = ["# Server", "redis_version:7.0.15", "run_id:\(runID)", "tcp_port:\(port)", "", "# Replication"]
        switch role {
        case .master:
            lines.append("role:master")
            lines.append("connected_slaves:\(connectedReplicas.count)")
            for (index, replica) in connectedReplicas.enumerated() {
                lines.append("slave\(index):ip=\(replica.host),port=\(replica.port),state=online,offset=\(replica.offset),lag=0")
            }
        case .replica:
            lines += ["role:slave", "master_host:\(masterHost)", "master_port:\(masterPort)",
                      "master_link_status:\(masterLinkUp ? "up" : "down")", "master_last_io_seconds_ago:0",
                      "master_sync_in_progress:0", "slave_repl_offset:\(offset)", "slave_priority:\(priority)",
                      "slave_read_only:1", "replica_announced:\(replicaAnnounced ? 1 : 0)"]
            if !masterLinkUp { lines.append("master_link_down_since_seconds:3") }
        }
        lines.append("master_repl_offset:\(offset)")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Parses the bytes sent on `connection`; returns the replies (or pushes) due now.
    func receive(_ bytes: [UInt8], on connection: ConnectionID) -> [(connection: ConnectionID, value: RESPValue)] {
        var parser = parsers[connection] ?? RESPRequestParser()
        parser.append(bytes)
        var replies: [(connection: ConnectionID, value: RESPValue)] = []
        while let command = try? parser.next() {
            let request = Received(connection: connection, arguments: command.map { String(decoding: $0, as: UTF8.self) })
            received.append(request)
            if hung {
                backlog.append(request)
            } else {
                replies += answer(request)
            }
        }
        parsers[connection] = parser
        return replies
    }

    func flushBacklog() -> [(connection: ConnectionID, value: RESPValue)] {
        let pending = backlog
        backlog = []
        return pending.flatMap { answer($0) }
    }

    func forget(_ connection: ConnectionID) {
        openConnections.removeAll { $0 == connection }
        subscribedConnections.removeAll { $0 == connection }
        parsers[connection] = nil
    }

    private func answer(_ request: Received) -> [(connection: ConnectionID, value: RESPValue)] {
        let arguments = request.arguments
        let connection = request.connection
        switch arguments.first?.uppercased() ?? "" {
        case "PING":
            return [(connection, pingReply)]
        case "INFO":
            return [(connection, .bulk(infoText))]
        case "PUBLISH":
            var replies: [(connection: ConnectionID, value: RESPValue)] = [(connection, .integer(1))]
            if arguments.count == 3 {
                for subscriber in subscribedConnections {
                    replies.append((subscriber, .array([.bulk("message"), .bulk(arguments[1]), .bulk(arguments[2])])))
                }
            }
            return replies
        case "SUBSCRIBE":
            if !subscribedConnections.contains(connection) { subscribedConnections.append(connection) }
            return arguments.dropFirst().map { (connection, .array([.bulk("subscribe"), .bulk($0), .integer(1)])) }
        case "SENTINEL" where arguments.count > 1 && arguments[1].lowercased() == "is-master-down-by-addr":
            return [(connection, isMasterDownReply(arguments))]
        case "SLAVEOF":
            queuedSlaveOf = Array(arguments.dropFirst())
            return [(connection, .status("QUEUED"))]
        case "FAILOVER" where arguments.count >= 4 && arguments[1].uppercased() == "TO":
            if let failoverError { return [(connection, .errorText(failoverError))] }
            guard let target = connectedReplicas.first(where: { $0.host == arguments[2] && $0.port == Int(arguments[3]) }) else {
                return [(connection, .errorText("ERR FAILOVER target HOST and PORT is not a replica."))]
            }
            // The server-side handover: the target becomes master, this server its replica.
            target.role = .master
            target.masterHost = "?"
            target.masterPort = 0
            connectedReplicas.removeAll { $0 === target }
            replicate(target)
            return [(connection, .ok)]
        case "EXEC":
            if let target = queuedSlaveOf, obeysSlaveOf { applySlaveOf(target) }
            queuedSlaveOf = nil
            return [(connection, .array([]))]
        default:
            return [(connection, .ok)]
        }
    }

    private func applySlaveOf(_ target: [String]) {
        if target.count == 2 && target[0].uppercased() == "NO" && target[1].uppercased() == "ONE" {
            role = .master
            masterHost = "?"
            masterPort = 0
        } else if target.count == 2 {
            role = .replica
            masterHost = target[0]
            masterPort = Int(target[1]) ?? 0
            masterLinkUp = linkUpAfterSlaveOf
        }
    }
}

/// A sentinel run id made of one repeated hex digit.
func runID(_ digit: Character) -> String { String(repeating: String(digit), count: 40) }
