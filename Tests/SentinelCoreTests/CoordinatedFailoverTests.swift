import RESP
import XCTest
@testable import SentinelCore

/// `SENTINEL FAILOVER <name>` handed over through the old master's own `FAILOVER TO`
/// (`Failover/CoordinatedFailover.swift`), and its fall-back to `SLAVEOF NO ONE`.
final class CoordinatedFailoverTests: FailoverTestCase {
    func testCoordinatedManualFailoverHandsOverThroughTheMaster() throws {
        let w = try makeWorld()
        let h = w.h
        w.r1.offset = 9_000
        h.run(for: 10_100)
        h.clearRecords()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .ok)
        h.run(until: { !h.events("+failover-end").isEmpty }, limit: 5_000)
        XCTAssertEqual(h.events("+coordinated-failover-sent"), [replicaDetails(6380) + " timeout 10000"])
        XCTAssertEqual(h.events("-coordinated-failover-fallback"), [])
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6380"])
        // The master was asked to hand over; the replica was never told SLAVEOF NO ONE.
        XCTAssertTrue(w.master.received.contains { $0.arguments == ["FAILOVER", "TO", "127.0.0.1", "6380", "TIMEOUT", "10000"] })
        XCTAssertFalse(w.r1.received.contains { $0.arguments == ["SLAVEOF", "NO", "ONE"] })
        XCTAssertEqual(w.master.role, .replica)
    }

    func testCoordinatedFailoverFallsBackWhenTheMasterRefuses() throws {
        let w = try makeWorld()
        let h = w.h
        w.r1.offset = 9_000
        w.master.failoverError = "ERR FAILOVER target replica is not online."
        h.run(for: 10_100)
        h.clearRecords()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .ok)
        h.run(until: { !h.events("+failover-end").isEmpty }, limit: 5_000)
        XCTAssertEqual(h.events("-coordinated-failover-fallback"),
                       [masterDetails + " the master answered: ERR FAILOVER target replica is not online."])
        XCTAssertTrue(w.r1.received.contains { $0.arguments == ["SLAVEOF", "NO", "ONE"] })
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6380"])
    }
}
