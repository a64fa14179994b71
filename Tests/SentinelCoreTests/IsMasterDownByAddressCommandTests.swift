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

    /// Names that share a server answer for the first of them monitored (`masterOrder`'s
    /// first, as the search of every master found it); one that moves away or is removed
    /// leaves the address to the next.
    func testTheFirstMasterMonitoredAtTheAddressAnswers() throws {
        let h = try SentinelHarness(config: """
        sentinel myid \(runID("d"))
        sentinel monitor first 10.0.1.1 6379 2
        sentinel monitor second 10.0.1.1 6379 2
        sentinel monitor third 10.0.1.2 6379 2
        sentinel monitor fourth 10.0.1.1 6379 2
        """)
        let c = h.connectClient()
        func voteFile(_ epoch: Int, at host: String) -> String {
            _ = h.send(c, "SENTINEL", "is-master-down-by-addr", host, "6379", String(epoch), runID("a"))
            return h.persistedConfigurations.last ?? ""
        }
        XCTAssertTrue(voteFile(1, at: "10.0.1.1").contains("sentinel leader-epoch first 1"))
        XCTAssertTrue(voteFile(2, at: "10.0.1.2").contains("sentinel leader-epoch third 2"))
        let first = try XCTUnwrap(h.sentinel.masterID(named: "first"))
        var turn = Turn()
        h.sentinel.resetMasterAndChangeAddress(first, to: HostPort(host: "10.0.1.3", port: 6379), now: h.time.monotonic, turn: &turn)
        let file = voteFile(3, at: "10.0.1.1")
        XCTAssertTrue(file.contains("sentinel leader-epoch second 3"), file)
        XCTAssertTrue(voteFile(4, at: "10.0.1.3").contains("sentinel leader-epoch first 4"))
        XCTAssertEqual(h.send(c, "SENTINEL", "REMOVE", "second"), .ok)
        XCTAssertTrue(voteFile(5, at: "10.0.1.1").contains("sentinel leader-epoch fourth 5"))
        XCTAssertEqual(h.sentinel.masterID(atHost: "10.0.1.9", port: 6379), nil)
        XCTAssertEqual(h.sentinel.masterID(atHost: "10.0.1.1", port: 6380), nil)
    }
}
