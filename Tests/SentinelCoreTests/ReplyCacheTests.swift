import RESP
import XCTest
@testable import SentinelCore

/// The reply cache must never answer with a stale reply: every input that can change what a
/// query shows makes the next query encode again, even within the same millisecond.
final class ReplyCacheTests: XCTestCase {
    func makeHarness() throws -> (SentinelHarness, FakeRedis) {
        let h = try SentinelHarness(config: MonitoringTestCase.config)
        let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        return (h, master)
    }

    func fields(_ reply: RESPValue) -> [String: String] {
        var fields: [String: String] = [:]
        let items = reply.elements ?? []
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            if let key = items[index].text, let value = items[index + 1].text { fields[key] = value }
        }
        return fields
    }

    func testAConfigurationChangeInTheSameMillisecondIsShownAtOnce() throws {
        let (h, _) = try makeHarness()
        h.run(for: 300)
        let c = h.connectClient()
        XCTAssertEqual(fields(h.send(c, "SENTINEL", "MASTER", "mymaster"))["quorum"], "2")
        XCTAssertEqual(fields(h.send(c, "SENTINEL", "MASTER", "mymaster"))["quorum"], "2")
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "1"), .ok)
        XCTAssertEqual(fields(h.send(c, "SENTINEL", "MASTER", "mymaster"))["quorum"], "1")
        let masters = h.send(c, "SENTINEL", "MASTERS").elements ?? []
        XCTAssertEqual(masters.count, 1)
        XCTAssertEqual(masters.first.map(fields)?["quorum"], "1")
    }

    func testAHelloInTheSameMillisecondIsShownAtOnce() throws {
        let (h, master) = try makeHarness()
        h.run(for: 300)
        let c = h.connectClient()
        let before = h.send(c, "INFO", "sentinel").text ?? ""
        XCTAssertTrue(before.contains("sentinels=1\r\n"), before)
        XCTAssertEqual(fields(h.send(c, "SENTINEL", "MASTER", "mymaster"))["num-other-sentinels"], "0")
        h.deliverHello("127.0.0.1,26380,\(runID("b")),0,mymaster,127.0.0.1,6379,0", via: master)
        let after = h.send(c, "INFO", "sentinel").text ?? ""
        XCTAssertTrue(after.contains("sentinels=2\r\n"), after)
        XCTAssertEqual(fields(h.send(c, "SENTINEL", "MASTER", "mymaster"))["num-other-sentinels"], "1")
    }

    func testAgesMoveOnWithTheClockAndEachProtocolGetsItsOwnEncoding() throws {
        let (h, _) = try makeHarness()
        h.run(for: 300)
        let c = h.connectClient()
        let first = fields(h.send(c, "SENTINEL", "MASTER", "mymaster"))["role-reported-time"]
        h.advance(by: 7)
        let later = fields(h.send(c, "SENTINEL", "MASTER", "mymaster"))["role-reported-time"]
        XCTAssertEqual(first.flatMap { Int($0) }.map { $0 + 7 }, later.flatMap { Int($0) })
        let resp3 = h.connectClient()
        _ = h.send(resp3, "HELLO", "3")
        guard case .map(let entries) = h.send(resp3, "SENTINEL", "MASTER", "mymaster") else {
            return XCTFail("RESP3 SENTINEL MASTER is not a map")
        }
        XCTAssertEqual(entries.first?.key.text, "name")
        XCTAssertEqual(h.send(c, "SENTINEL", "MASTER", "mymaster").elements?.first?.text, "name")
    }
}
