import RESP
import XCTest
@testable import SentinelCore

/// `SHUTDOWN` and its flags, with redis-sentinel 7.0.15's replies (run against it): only a
/// well-formed shutdown request stops the daemon.
final class ShutdownCommandTests: XCTestCase {
    static let config = """
    port 26379
    sentinel myid 0123456789abcdef0123456789abcdef01234567
    sentinel monitor mymaster 127.0.0.1 6379 2
    """

    private func exits(_ effects: [SentinelEffect]) -> Bool {
        effects.contains { if case .exit(code: 0) = $0 { return true } else { return false } }
    }

    private func replies(_ effects: [SentinelEffect], to client: ClientID) -> [RESPValue] {
        var parser = RESPReplyParser()
        for case .sendToClient(let target, let bytes) in effects where target == client { parser.append(bytes) }
        var values: [RESPValue] = []
        while let value = try? parser.next() { values.append(value) }
        return values
    }

    func testMalformedShutdownsAnswerAndKeepRunning() throws {
        let h = try SentinelHarness(config: Self.config)
        let c = h.connectClient()
        let cases: [([String], String)] = [
            (["SHUTDOWN", "ABORT"], "ERR No shutdown in progress."),
            (["shutdown", "AbOrT", "abort"], "ERR No shutdown in progress."),
            (["SHUTDOWN", "bogus"], "ERR syntax error"),
            (["SHUTDOWN", "NOW", "bogus"], "ERR syntax error"),
            (["SHUTDOWN", "NOSAVE", "ABORT"], "ERR syntax error"),
            (["SHUTDOWN", "ABORT", "NOW"], "ERR syntax error"),
            (["SHUTDOWN", "FORCE", "ABORT"], "ERR syntax error"),
            (["SHUTDOWN", "SAVE", "NOSAVE"], "ERR syntax error"),
            (["SHUTDOWN", "save\r\n"], "ERR syntax error"),
        ]
        for (command, expected) in cases {
            let effects = h.feed(.clientCommand(c, command.map { RequestArgument(Array($0.utf8)) }))
            XCTAssertFalse(exits(effects), "\(command) stopped the sentinel")
            XCTAssertEqual(replies(effects, to: c), [.errorText(expected)], "\(command)")
        }
        XCTAssertEqual(h.send(c, "PING"), .status("PONG"))
    }

    func testWellFormedShutdownsStopWithoutReply() throws {
        for command in [["SHUTDOWN"], ["shutdown", "nosave"], ["SHUTDOWN", "SAVE", "NOW", "FORCE"], ["SHUTDOWN", "now", "now"]] {
            let h = try SentinelHarness(config: Self.config)
            let c = h.connectClient()
            let effects = h.feed(.clientCommand(c, command.map { RequestArgument(Array($0.utf8)) }))
            XCTAssertTrue(exits(effects), "\(command) did not stop the sentinel")
            XCTAssertEqual(replies(effects, to: c), [], "\(command)")
        }
    }
}
