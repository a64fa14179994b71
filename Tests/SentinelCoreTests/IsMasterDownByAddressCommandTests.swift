import RESP
import XCTest
@testable import SentinelCore

/// Answering `SENTINEL IS-MASTER-DOWN-BY-ADDR` (`Commands/IsMasterDownByAddressCommand.swift`,
/// SENTINEL-PROTOCOL.md §6): one vote per epoch, durable before the answer, and the argument
/// checks.
final class IsMasterDownByAddressCommandTests: FailoverTestCase {
    func testVotesOncePerEpoch() throws {
        let w = try makeWorld(peers: [])
        let h = w.h
        let c = h.connectClient()
        let a = runID("a"), b = runID("b")
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0", "*"),
                       .array([.integer(0), .bulk("*"), .integer(0)]))
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "4", a),
                       .array([.integer(0), .bulk(a), .integer(4)]))
        XCTAssertEqual(h.events("+new-epoch"), ["4"])
        XCTAssertEqual(h.events("+vote-for-leader"), ["\(a) 4"])
        XCTAssertEqual(h.sentinel.currentEpoch, 4)
        let config = h.persistedConfigurations.last ?? ""
        XCTAssertTrue(config.contains("sentinel leader-epoch mymaster 4"), config)
        XCTAssertTrue(config.contains("sentinel current-epoch 4"), config)
        // A second candidate in the same epoch (or a lower one) gets the first vote back.
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "4", b),
                       .array([.integer(0), .bulk(a), .integer(4)]))
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "3", b),
                       .array([.integer(0), .bulk(a), .integer(4)]))
        XCTAssertEqual(h.events("+vote-for-leader").count, 1)
        // A later epoch gets a new vote.
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "5", b),
                       .array([.integer(0), .bulk(b), .integer(5)]))
        XCTAssertEqual(h.events("+vote-for-leader").last, "\(b) 5")
    }

    func testReportsDownAndValidatesArguments() throws {
        let w = try makeWorld(peers: [])
        let h = w.h
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "x", "0", "*"),
                       .errorText("ERR value is not an integer or out of range"))
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "-1", "*"),
                       .errorText("ERR value is not an integer or out of range"))
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0"),
                       .errorText("ERR wrong number of arguments for 'sentinel|is-master-down-by-addr' command"))
        // Unknown address: not down, no vote.
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "10.9.9.9", "6379", "7", runID("b")),
                       .array([.integer(0), .bulk("*"), .integer(0)]))
        crash(w.master, in: h)
        h.run(until: { !h.events("+sdown").isEmpty }, limit: 8_000)
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0", "*"),
                       .array([.integer(1), .bulk("*"), .integer(0)]))
    }
}
