import RESP
import XCTest
@testable import SentinelCore

/// `INFO` (`Commands/InfoCommand.swift`, SENTINEL-PROTOCOL.md §10.4): the sentinel section and
/// the reply's type.
final class InfoCommandTests: ClientCommandTestCase {
    func testInfoSentinelSection() throws {
        let h = try makeHarness("sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))\nsentinel known-replica mymaster 127.0.0.1 6380")
        let c = h.connectClient()
        guard let text = h.send(c, "INFO", "sentinel").text else { return XCTFail("INFO is not a bulk string") }
        XCTAssertEqual(text, """
        # Sentinel\r
        sentinel_masters:1\r
        sentinel_tilt:0\r
        sentinel_tilt_since_seconds:-1\r
        sentinel_total_tilt:0\r
        sentinel_running_scripts:0\r
        sentinel_scripts_queue_length:0\r
        sentinel_simulate_failure_flags:0\r
        master0:name=mymaster,status=ok,address=127.0.0.1:6379,slaves=1,sentinels=2\r

        """)
    }

    func testInfoIsABulkStringEvenInRESP3AndHasAllSections() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        h.send(c, "HELLO", "3")
        let reply = h.send(c, "INFO")
        guard case .bulkString(let bytes) = reply else { return XCTFail("not bulk: \(reply)") }
        let text = String(decoding: bytes, as: UTF8.self)
        for header in ["# Server", "# Clients", "# Stats", "# CPU", "# Sentinel"] {
            XCTAssertTrue(text.contains(header + "\r\n"), header)
        }
        XCTAssertTrue(text.contains("redis_mode:sentinel\r\n"))
    }
}
