import RESP
import XCTest
@testable import SentinelCore

/// The one order of a turn: durable writes, then messages, then starts; results of writes and
/// starts go back to the core within the same turn.
final class TurnExecutorTests: XCTestCase {
    static let myID = "0123456789abcdef0123456789abcdef01234567"
    static let candidate = String(repeating: "b", count: 40)

    /// Records every call, in order.
    struct RecordingIO: SentinelIO {
        enum Call: Equatable {
            case wroteConfiguration(String)
            case performed(String)
            case started(String)
        }
        var calls: [Call] = []
        var failWrites: String?
        /// `perform` reports the process gone from this message on (0-based).
        var goneFromMessage: Int?
        var performedCount = 0

        mutating func writeConfiguration(_ file: [UInt8], to destination: ConfigurationDestination) -> String? {
            calls.append(.wroteConfiguration(String(decoding: file, as: UTF8.self)))
            return failWrites
        }

        mutating func writeACLFile(path: String, contents: [UInt8]) -> String? {
            calls.append(.wroteConfiguration("acl \(path)"))
            return failWrites
        }

        mutating func perform(_ message: SentinelEffect) -> Bool {
            if let goneFromMessage, performedCount >= goneFromMessage { return false }
            performedCount += 1
            calls.append(.performed(Self.describe(message)))
            return true
        }

        mutating func start(_ effect: SentinelEffect) -> [SentinelInput] {
            calls.append(.started(Self.describe(effect)))
            if case .runScript(let id, _) = effect { return [.scriptStarted(id, pid: 1234)] }
            return []
        }

        static func describe(_ effect: SentinelEffect) -> String {
            switch effect {
            case .sendToClient(let client, let bytes): return "reply \(client) \(String(decoding: bytes, as: UTF8.self))"
            case .event(let event): return "event \(event.logLine)"
            case .runScript(_, let arguments): return "script \(arguments.joined(separator: " "))"
            case .log(_, let text): return "log \(text)"
            default: return "\(effect)"
            }
        }
    }

    func makeSentinel() throws -> Sentinel {
        let text = """
        sentinel myid \(Self.myID)
        sentinel monitor mymaster 127.0.0.1 6379 2
        sentinel notification-script mymaster /bin/notify

        """
        let configuration = try ConfigurationParser.parse(text: text, fileName: "sentinel.conf") { _ in "" }
        var sentinel = Sentinel(configuration: configuration, configurationText: text, environment: SentinelEnvironment(),
                                randomSeed: 1, now: Timestamp(monotonic: 1000, wallClock: 1_700_000_000_000))
        var turn = Turn()
        sentinel.start(into: &turn)
        var io = RecordingIO()
        TurnExecutor.run(&turn, core: &sentinel, io: &io, at: Timestamp(monotonic: 1000, wallClock: 1_700_000_000_000))
        return sentinel
    }

    /// A peer's vote request: `SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 6379 7 <candidate>`.
    func voteRequest(into turn: inout Turn, of sentinel: inout Sentinel) {
        let time = Timestamp(monotonic: 2000, wallClock: 1_700_000_001_000)
        sentinel.handle(.clientConnected(ClientID(1), remoteAddress: "127.0.0.1:50000", localAddress: "127.0.0.1:26379"), at: time, into: &turn)
        sentinel.handle(.clientCommand(ClientID(1), ["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "7", Self.candidate].map { RequestArgument(Array($0.utf8)) }),
                        at: time, into: &turn)
    }

    func testAVoteIsWrittenBeforeItsReplyAndItsNotificationScript() throws {
        var sentinel = try makeSentinel()
        var turn = Turn()
        voteRequest(into: &turn, of: &sentinel)
        var io = RecordingIO()
        XCTAssertTrue(TurnExecutor.run(&turn, core: &sentinel, io: &io, at: Timestamp(monotonic: 2000, wallClock: 1_700_000_001_000)))
        XCTAssertTrue(turn.isEmpty)
        guard let write = io.calls.firstIndex(where: { if case .wroteConfiguration(let text) = $0 { text.contains("sentinel leader-epoch mymaster 7") } else { false } }),
              let reply = io.calls.firstIndex(where: { if case .performed(let text) = $0 { text.contains(Self.candidate) && text.hasPrefix("reply") } else { false } }),
              let script = io.calls.firstIndex(of: .started("script /bin/notify +vote-for-leader \(Self.candidate) 7")) else {
            return XCTFail("\(io.calls)")
        }
        XCTAssertLessThan(write, reply, "the vote left before it was on disk")
        XCTAssertLessThan(write, script, "the notification script ran before the vote was on disk")
        XCTAssertLessThan(reply, script, "starts come after the messages of their turn")
        // The write's result is handed back in the same turn: its log line is among the messages.
        XCTAssertTrue(io.calls.contains(.performed("log Sentinel new configuration saved on disk")))
    }

    func testEveryRequestOfATurnIsWrittenOnce() throws {
        var sentinel = try makeSentinel()
        var turn = Turn()
        voteRequest(into: &turn, of: &sentinel)
        let time = Timestamp(monotonic: 2000, wallClock: 1_700_000_001_000)
        sentinel.handle(.clientCommand(ClientID(1), ["SENTINEL", "SET", "mymaster", "quorum", "3"].map { RequestArgument(Array($0.utf8)) }), at: time, into: &turn)
        var io = RecordingIO()
        TurnExecutor.run(&turn, core: &sentinel, io: &io, at: time)
        let writes = io.calls.filter { if case .wroteConfiguration = $0 { true } else { false } }
        XCTAssertEqual(writes.count, 1, "\(io.calls)")
        // The SET's +OK waited for the write, so it comes after the vote's reply.
        let replies = io.calls.compactMap { if case .performed(let text) = $0, text.hasPrefix("reply") { text } else { nil } }
        XCTAssertEqual(replies.last, "reply 1 +OK\r\n")
    }

    func testAWriteThatFailsIsReportedAndTheTurnGoesOn() throws {
        var sentinel = try makeSentinel()
        var turn = Turn()
        voteRequest(into: &turn, of: &sentinel)
        var io = RecordingIO(failWrites: "No space left on device")
        XCTAssertTrue(TurnExecutor.run(&turn, core: &sentinel, io: &io, at: Timestamp(monotonic: 2000, wallClock: 1_700_000_001_000)))
        XCTAssertTrue(io.calls.contains(.performed("log WARNING: Sentinel was not able to save the new configuration on disk!!!: No space left on device")))
    }

    func testAProcessGoneMidTurnStopsTheTurn() throws {
        var sentinel = try makeSentinel()
        var turn = Turn()
        voteRequest(into: &turn, of: &sentinel)
        var io = RecordingIO(goneFromMessage: 0)
        XCTAssertFalse(TurnExecutor.run(&turn, core: &sentinel, io: &io, at: Timestamp(monotonic: 2000, wallClock: 1_700_000_001_000)))
        // The write happened; nothing after it did.
        XCTAssertEqual(io.calls.count, 1, "\(io.calls)")
        guard case .wroteConfiguration = io.calls[0] else { return XCTFail("\(io.calls)") }
    }

    func testTheBrokenRuleSendsFirst() throws {
        var sentinel = try makeSentinel()
        sentinel.deliberateDefects = .sendBeforePersisting
        var turn = Turn()
        voteRequest(into: &turn, of: &sentinel)
        var io = RecordingIO()
        TurnExecutor.run(&turn, core: &sentinel, io: &io, at: Timestamp(monotonic: 2000, wallClock: 1_700_000_001_000))
        guard case .performed = io.calls.first else { return XCTFail("\(io.calls)") }
    }

    /// Replies to one client in a row are one write; anything between them keeps them apart.
    func testRepliesToOneClientInARowAreJoined() {
        var turn = Turn()
        turn.append(.sendToClient(ClientID(1), Array("+PONG\r\n".utf8)))
        turn.append(.sendToClient(ClientID(1), Array(":1\r\n".utf8)))
        turn.append(.sendToClient(ClientID(2), Array("+OK\r\n".utf8)))
        turn.append(.log(.notice, "a"))
        turn.append(.sendToClient(ClientID(2), Array("+QUEUED\r\n".utf8)))
        turn.append(.closeClient(ClientID(2)))
        turn.append(.sendToClient(ClientID(1), Array("$-1\r\n".utf8)))
        XCTAssertFalse(turn.isEmpty)
        let messages = turn.take(.message).map { effect -> String in
            switch effect {
            case .sendToClient(let client, let bytes): return "\(client.rawValue) \(String(decoding: bytes, as: UTF8.self))"
            case .log: return "log"
            case .closeClient(let client): return "close \(client.rawValue)"
            default: return "\(effect)"
            }
        }
        XCTAssertEqual(messages, ["1 +PONG\r\n:1\r\n", "2 +OK\r\n", "log", "2 +QUEUED\r\n", "close 2", "1 $-1\r\n"])
        XCTAssertTrue(turn.isEmpty)
    }

    func testEffectsAreSortedByPhase() {
        var turn = Turn()
        turn.append(.scheduleTick(afterMilliseconds: 100))
        turn.append(.log(.notice, "a"))
        turn.append(.persistConfiguration(ticket: 1))
        turn.append(.sendToClient(ClientID(1), [1]))
        XCTAssertEqual(turn.take(.durable).count, 1)
        let messages = turn.take(.message)
        XCTAssertEqual(messages.count, 2)
        guard case .log = messages[0], case .sendToClient = messages[1] else { return XCTFail("\(messages)") }
        XCTAssertEqual(turn.take(.start).count, 1)
        XCTAssertTrue(turn.isEmpty)
    }
}
