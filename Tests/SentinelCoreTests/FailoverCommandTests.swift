import RESP
import XCTest
@testable import SentinelCore

/// `SENTINEL FAILOVER` (`Commands/FailoverCommand.swift`, SENTINEL-PROTOCOL.md §8.9): a forced
/// failover needs no agreement; the modes and errors.
final class FailoverCommandTests: FailoverTestCase {
    func testForcedManualFailoverPromotesWithSlaveOfNoOne() throws {
        let w = try makeWorld()
        let h = w.h
        w.r1.offset = 9_000
        h.run(for: 10_100)
        h.clearRecords()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster", "FORCE"), .ok)
        XCTAssertEqual(h.events("+new-epoch"), ["1"])
        XCTAssertEqual(h.events("+try-failover"), [masterDetails])
        XCTAssertTrue(h.logLines.contains("Executing user requested FAILOVER of 'mymaster'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .errorText("INPROG Failover already in progress"))
        XCTAssertTrue(h.masterFields("mymaster")["flags"]?.contains("failover_in_progress,force_failover") ?? false)
        // No agreement needed: elected on the next tick even though no peer voted.
        h.run(until: { !h.events("+failover-end").isEmpty }, limit: 5_000)
        XCTAssertEqual(h.events("+vote-for-leader"), ["\(FailoverTestCase.myID) 1"])
        XCTAssertEqual(h.events("+elected-leader"), [masterDetails])
        XCTAssertEqual(h.events("+selected-slave"), [replicaDetails(6380)])
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6380"])
        // The old master was not sent SLAVEOF by the failover itself.
        XCTAssertFalse(w.master.received.contains { $0.arguments.first == "SLAVEOF" })
    }

    func testManualFailoverRejectsAnUnknownMode() throws {
        let w = try makeWorld()
        let h = w.h
        h.run(for: 10_100)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster", "SOON"),
                       .errorText("ERR syntax error: SENTINEL FAILOVER <master-name> [COORDINATED|FORCE]"))
    }

    func testManualFailoverWithoutReplicas() throws {
        let w = try makeWorld(replicas: false)
        let c = w.h.connectClient()
        XCTAssertEqual(w.h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .errorText("NOGOODSLAVE No suitable replica to promote"))
        XCTAssertTrue(w.h.events("+try-failover").isEmpty)
        XCTAssertEqual(w.h.send(c, "SENTINEL", "FAILOVER", "nope"), .errorText("ERR No such master with that name"))
    }
}
