import RESP
import XCTest
@testable import SentinelCore

/// What swift-sentinel does better than Redis around a failover: a returning old master is
/// converted at once when every peer's hello confirms the new configuration, and an election
/// stops when the master is no longer objectively down.
final class AfterFailoverTests: FailoverTestCase {
    /// Runs a failover to 6381 and returns the world with the old master (6379) crashed.
    func failedOver() throws -> World {
        let w = try makeWorld()
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: true)
        w.r2.offset = 5000
        crash(w.master, in: w.h)
        XCTAssertTrue(w.h.run(until: { !w.h.events("+switch-master").isEmpty }, limit: 20_000))
        return w
    }

    /// The old master comes back as a master with its old data.
    func restart(_ server: FakeRedis) {
        server.role = .master
        server.connectedReplicas = []
        server.acceptsConnections = true
    }

    /// A hello from peer `digit` announcing 127.0.0.1:6381 at config epoch 1.
    func confirmingHello(_ digit: Character, port: Int) -> String {
        "127.0.0.1,\(port),\(runID(digit)),1,mymaster,127.0.0.1,6381,1"
    }

    /// The old master's entry after the switch, down for a while, then back as a master.
    func returnOldMaster(_ w: World) {
        w.h.run(for: 10_000)
        w.h.clearRecords()
        restart(w.master)
    }

    func testReturningOldMasterIsConvertedAtOnceWhenPeersConfirm() throws {
        let w = try failedOver()
        let h = w.h
        returnOldMaster(w)
        // Both peers announce the new configuration while the old master is back.
        var isConverted = false
        let deadline = h.now + 20_000
        while h.now < deadline && !isConverted {
            h.deliverHello(confirmingHello("b", port: 26380), via: w.r2)
            h.deliverHello(confirmingHello("c", port: 26381), via: w.r2)
            h.run(for: 200)
            isConverted = !h.events("+convert-to-slave").isEmpty
        }
        XCTAssertEqual(h.events("+convert-to-slave"), [replicaDetails(6379, master: 6381)])
        // Converted without Redis's 8 s wait after it reported itself master again.
        let back = try XCTUnwrap(h.eventTime("-role-change"))
        let converted = try XCTUnwrap(h.eventTime("+convert-to-slave"))
        XCTAssertLessThan(converted - back, 8_000)
        XCTAssertEqual(w.master.role, .replica)
        XCTAssertEqual(w.master.masterPort, 6381)
    }

    func testAReplicaPromotedByAFailoverWeMissedIsNotConvertedOnOlderHellos() throws {
        let w = try failedOver()
        let h = w.h
        h.run(for: 10_000)
        h.clearRecords()
        // 6380 turns master: a peer promoted it in a failover we have not heard of yet. Until
        // we see it, the peers' hellos still show our view (6381 at epoch 1).
        w.r1.role = .master
        var steps = 0
        while h.events("-role-change").isEmpty && steps < 200 {
            if steps % 10 == 0 {
                h.deliverHello(confirmingHello("b", port: 26380), via: w.r2)
                h.deliverHello(confirmingHello("c", port: 26381), via: w.r2)
            }
            h.run(for: 100)
            steps += 1
        }
        XCTAssertFalse(h.events("-role-change").isEmpty)
        // Those hellos predate its claim: they do not let us convert it at once.
        h.run(for: 3_000)
        XCTAssertTrue(h.events("+convert-to-slave").isEmpty)
        XCTAssertEqual(w.r1.role, .master)
    }

    func testReturningOldMasterWaitsWithoutConfirmation() throws {
        let w = try failedOver()
        let h = w.h
        returnOldMaster(w)
        // No hello from the peers: Redis's guard applies (8 s after the role change).
        XCTAssertTrue(h.run(until: { !h.events("+convert-to-slave").isEmpty }, limit: 30_000))
        let back = try XCTUnwrap(h.eventTime("-role-change"))
        let converted = try XCTUnwrap(h.eventTime("+convert-to-slave"))
        XCTAssertGreaterThanOrEqual(converted - back, 8_000)
    }

    func testElectionStopsWhenTheMasterComesBack() throws {
        let w = try makeWorld()
        let h = w.h
        // Peers agree it is down but never vote for us.
        w.peers[0].isMasterDownReply = peerAnswer(down: true, votesFor: "*")
        w.peers[1].isMasterDownReply = peerAnswer(down: true, votesFor: "*")
        crash(w.master, in: h)
        XCTAssertTrue(h.run(until: { !h.events("+try-failover").isEmpty }, limit: 20_000))
        // The master answers again before anyone is elected.
        w.master.acceptsConnections = true
        XCTAssertTrue(h.run(until: { !h.events("-failover-abort-master-up").isEmpty }, limit: 10_000))
        XCTAssertEqual(h.events("-failover-abort-master-up"), [masterDetails])
        XCTAssertEqual(h.events("+elected-leader"), [])
        XCTAssertFalse(h.masterFields("mymaster")["flags"]?.contains("failover_in_progress") ?? true)
    }
}
