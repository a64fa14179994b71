import RESP
import XCTest
@testable import SentinelCore

/// The SLAVEOF transaction (`Failover/ReplicaOfTransaction.swift`, SENTINEL-PROTOCOL.md §8.6):
/// six commands in one order, each through the master's rename table.
final class ReplicaOfTransactionTests: FailoverTestCase {
    /// The commands `server` received from the first MULTI on, at most `count`.
    func transaction(_ server: FakeRedis, count: Int = 6) -> [[String]] {
        let sent = server.received.map(\.arguments)
        guard let start = sent.firstIndex(of: ["MULTI"]) else { return [] }
        return Array(sent[start..<min(sent.count, start + count)])
    }

    func testRenamedCommandsAreSentUnderTheirNewNames() throws {
        let w = try makeWorld(extra: """
            sentinel rename-command mymaster SLAVEOF REPLICAOF2
            sentinel rename-command mymaster CONFIG CFG
            sentinel rename-command mymaster CLIENT CLT

            """)
        w.r1.offset = 9_000
        w.h.run(for: 10_100)
        let c = w.h.connectClient()
        XCTAssertEqual(w.h.send(c, "SENTINEL", "FAILOVER", "mymaster", "FORCE"), .ok)
        XCTAssertTrue(w.h.run(until: { !w.h.events("+failover-state-wait-promotion").isEmpty }, limit: 5_000))
        XCTAssertEqual(transaction(w.r1), [
            ["MULTI"], ["REPLICAOF2", "NO", "ONE"], ["CFG", "REWRITE"], ["CLT", "KILL", "TYPE", "normal"],
            ["CLT", "KILL", "TYPE", "pubsub"], ["EXEC"],
        ])
    }

    func testNothingIsSentWithoutACommandConnection() throws {
        let w = try makeWorld()
        let replicaID = try XCTUnwrap(w.h.sentinel.instances.values.first { $0.name == "127.0.0.1:6380" }?.id)
        crash(w.r1, in: w.h)
        var turn = Turn()
        XCTAssertFalse(w.h.sentinel.sendReplicaOf(replicaID, target: HostPort(host: "127.0.0.1", port: 6381), turn: &turn))
        XCTAssertTrue(turn.isEmpty)
        // On a connected link: the six commands, each one message.
        let otherID = try XCTUnwrap(w.h.sentinel.instances.values.first { $0.name == "127.0.0.1:6381" }?.id)
        XCTAssertTrue(w.h.sentinel.sendReplicaOf(otherID, target: HostPort(host: "127.0.0.1", port: 6379), turn: &turn))
        let sent = turn.messages.compactMap { effect -> String? in
            if case .sendOnConnection(_, let bytes) = effect { return String(decoding: bytes, as: UTF8.self) } else { return nil }
        }
        XCTAssertEqual(sent.count, 6)
        XCTAssertEqual(sent.dropFirst().first, "*3\r\n$7\r\nSLAVEOF\r\n$9\r\n127.0.0.1\r\n$4\r\n6379\r\n")
    }
}
