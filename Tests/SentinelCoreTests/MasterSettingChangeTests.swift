import RESP
import XCTest
@testable import SentinelCore

/// `SENTINEL SET` (`Commands/MasterSettingChange.swift`, SENTINEL-PROTOCOL.md §12.3): every
/// pair checked before any is applied, `+set` events, and script paths denied by default.
final class MasterSettingChangeTests: ClientCommandTestCase {
    func testSetAppliesPairsAndEmitsSetEvents() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "3", "down-after-milliseconds", "3000"), .ok)
        XCTAssertEqual(h.events("+set"), [
            "master mymaster 127.0.0.1 6379 quorum 3",
            "master mymaster 127.0.0.1 6379 down-after-milliseconds 3000",
        ])
        XCTAssertEqual(h.masterFields("mymaster")["quorum"], "3")
        XCTAssertEqual(h.masterFields("mymaster")["down-after-milliseconds"], "3000")
        XCTAssertTrue(h.persistedConfigurations.last?.contains("sentinel down-after-milliseconds mymaster 3000") ?? false)
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "auth-pass", "secret"), .ok)
        XCTAssertEqual(h.events("+set").last, "master mymaster 127.0.0.1 6379 auth-pass ******")
    }

    func testSetValidationErrors() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "0"), error("ERR Invalid argument '0' for SENTINEL SET 'quorum'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "abc"), error("ERR Invalid argument 'abc' for SENTINEL SET 'down-after-milliseconds'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "bogus", "1"), error("ERR Unknown option or number of arguments for SENTINEL SET 'bogus'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "2", "parallel-syncs"), error("ERR Unknown option or number of arguments for SENTINEL SET 'parallel-syncs'"))
        // Unlike Redis, a command with a bad pair changes nothing: the pairs before it are
        // not applied, announced or persisted either.
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "4", "failover-timeout", "-1"), error("ERR Invalid argument '-1' for SENTINEL SET 'failover-timeout'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "4", "auth-pass", "x", "bogus", "1"), error("ERR Unknown option or number of arguments for SENTINEL SET 'bogus'"))
        XCTAssertEqual(h.masterFields("mymaster")["quorum"], "2")
        XCTAssertEqual(h.events("+set"), [])
        XCTAssertTrue(h.persistedConfigurations.isEmpty)
        XCTAssertFalse(h.effects.contains { if case .closeConnection = $0 { true } else { false } }, "auth-pass of a refused command dropped the links")
    }

    func testSetScriptsDeniedByDefault() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "notification-script", "/bin/x"),
                       error("ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration"))
    }
}
