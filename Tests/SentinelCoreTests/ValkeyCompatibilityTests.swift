import RESP
import XCTest
@testable import SentinelCore

/// Valkey's spellings: `primary-reboot-down-after-period`, `SENTINEL FAILOVER … COORDINATED`
/// (the master hands over or nothing happens), `sentinel_total_tilt`,
/// `-failover-abort-master-timeout`.
final class ValkeyCompatibilityTests: FailoverTestCase {
    // MARK: primary-reboot-down-after-period

    func rewritten(_ h: SentinelHarness) -> String {
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FLUSHCONFIG"), .ok)
        return h.persistedConfigurations.last ?? ""
    }

    func testPrimarySpellingIsReadAndTheRewriteKeepsIt() throws {
        let w = try makeWorld(extra: "sentinel primary-reboot-down-after-period mymaster 5000\n")
        XCTAssertEqual(w.h.sentinel.currentConfiguration().masters.first?.masterRebootDownAfterPeriod, 5000)
        let text = rewritten(w.h)
        XCTAssertTrue(text.contains("sentinel primary-reboot-down-after-period mymaster 5000\n"), text)
        XCTAssertFalse(text.contains("master-reboot-down-after-period"), text)
        // The rewritten file loads again with the same value.
        let reloaded = try ConfigurationParser.parse(text: text, fileName: "s.conf") { _ in "" }
        XCTAssertEqual(reloaded.masters.first?.masterRebootDownAfterPeriod, 5000)
    }

    func testSentinelSetTakesBothSpellingsAndTheFileKeepsItsOwn() throws {
        let w = try makeWorld(extra: "sentinel master-reboot-down-after-period mymaster 5000\n")
        let h = w.h
        let c = h.connectClient()
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "primary-reboot-down-after-period", "7000"), .ok)
        XCTAssertEqual(h.events("+set"), [masterDetails + " primary-reboot-down-after-period 7000"])
        var text = h.persistedConfigurations.last ?? ""
        XCTAssertTrue(text.contains("sentinel master-reboot-down-after-period mymaster 7000\n"), text)
        XCTAssertFalse(text.contains("primary-reboot"), text)
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "PRIMARY-REBOOT-DOWN-AFTER-PERIOD", "-1"),
                       .errorText("ERR Invalid argument '-1' for SENTINEL SET 'PRIMARY-REBOOT-DOWN-AFTER-PERIOD'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "primary-reboot-down-after-period", "0"), .ok)
        text = h.persistedConfigurations.last ?? ""
        XCTAssertFalse(text.contains("reboot-down-after-period"), text)
    }

    func testEachMasterKeepsTheSpellingItsLineUsed() throws {
        let w = try makeWorld(extra: """
        sentinel monitor other 127.0.0.1 7000 1
        sentinel primary-reboot-down-after-period other 3000

        """)
        let c = w.h.connectClient()
        XCTAssertEqual(w.h.send(c, "SENTINEL", "SET", "mymaster", "primary-reboot-down-after-period", "4000"), .ok)
        XCTAssertEqual(w.h.send(c, "SENTINEL", "SET", "other", "master-reboot-down-after-period", "6000"), .ok)
        let text = w.h.persistedConfigurations.last ?? ""
        XCTAssertTrue(text.contains("sentinel master-reboot-down-after-period mymaster 4000\n"), text)
        XCTAssertTrue(text.contains("sentinel primary-reboot-down-after-period other 6000\n"), text)
        XCTAssertEqual(text.components(separatedBy: "reboot-down-after-period").count, 3, text)
    }

    // MARK: sentinel_total_tilt

    func testTotalTiltCountsEveryEntryIntoTilt() throws {
        let w = try makeWorld(peers: [])
        let h = w.h
        let c = h.connectClient()
        func field(_ name: String) -> String? {
            h.send(c, "INFO", "sentinel").text?.split(separator: "\r\n").first { $0.hasPrefix(name + ":") }.map { String($0.dropFirst(name.count + 1)) }
        }
        XCTAssertEqual(field("sentinel_total_tilt"), "0")
        for entered in 1...2 {
            h.advance(by: 3_000)
            h.tick()
            XCTAssertEqual(field("sentinel_tilt"), "1")
            XCTAssertEqual(field("sentinel_total_tilt"), String(entered))
            h.run(for: 31_000)
            XCTAssertEqual(field("sentinel_tilt"), "0")
        }
        XCTAssertEqual(h.events("+tilt").count, 2)
        XCTAssertEqual(field("sentinel_total_tilt"), "2")
    }

    // MARK: SENTINEL FAILOVER … COORDINATED

    func testCoordinatedHandsOverThroughTheMasterAndShowsTheFlag() throws {
        let w = try makeWorld()
        let h = w.h
        w.r1.offset = 9_000
        h.run(for: 10_100)
        h.clearRecords()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED"), .ok)
        XCTAssertEqual(h.masterFields("mymaster")["flags"], "master,failover_in_progress,force_failover,coordinated_failover")
        h.run(until: { !h.events("+failover-end").isEmpty }, limit: 5_000)
        XCTAssertEqual(h.events("+coordinated-failover-sent"), [replicaDetails(6380) + " timeout 10000"])
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6380"])
        XCTAssertFalse(w.r1.received.contains { $0.arguments == ["SLAVEOF", "NO", "ONE"] })
        XCTAssertFalse(h.masterFields("mymaster")["flags"]?.contains("coordinated_failover") ?? true)
    }

    func testCoordinatedNeverPromotesBehindAMasterThatRefuses() throws {
        let w = try makeWorld()
        let h = w.h
        w.r1.offset = 9_000
        w.master.failoverError = "ERR FAILOVER target replica is not online."
        h.run(for: 10_100)
        h.clearRecords()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster", "coordinated"), .ok)
        XCTAssertTrue(h.run(until: { !h.events("+coordinated-failover-sent").isEmpty }, limit: 2_000))
        h.run(for: 30_000)
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED"), .errorText("INPROG Failover already in progress"))
        XCTAssertTrue(h.run(until: { !h.events("-failover-abort-slave-timeout").isEmpty }, limit: 70_000))
        XCTAssertEqual(h.events("-coordinated-failover-fallback"), [])
        XCTAssertTrue(h.logLines.contains("Coordinated failover of 'mymaster': the master answered FAILOVER with ERR FAILOVER target replica is not online."))
        XCTAssertFalse(w.r1.received.contains { $0.arguments == ["SLAVEOF", "NO", "ONE"] })
        XCTAssertFalse(w.r2.received.contains { $0.arguments == ["SLAVEOF", "NO", "ONE"] })
        XCTAssertEqual(h.events("+switch-master"), [])
        XCTAssertEqual(h.masterFields("mymaster")["flags"], "master")
        XCTAssertEqual(h.events("-failover-abort-slave-timeout"), [masterDetails])
    }

    func testCoordinatedWithAnUnreachableMasterAbortsOneSecondBeforeTheTimeout() throws {
        let w = try makeWorld()
        let h = w.h
        h.run(for: 10_100)
        crash(w.master, in: h)
        h.clearRecords()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED"), .ok)
        XCTAssertTrue(h.run(until: { !h.events("+failover-state-send-slaveof-noone").isEmpty }, limit: 2_000))
        let sendStateEntered = h.eventTime("+failover-state-send-slaveof-noone") ?? 0
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED"), .errorText("INPROG Failover already in progress"))
        XCTAssertTrue(h.run(until: { !h.events("-failover-abort-master-timeout").isEmpty }, limit: 70_000))
        XCTAssertEqual(h.events("-failover-abort-master-timeout"), [masterDetails])
        let abortedAfter = (h.eventTime("-failover-abort-master-timeout") ?? 0) - sendStateEntered
        XCTAssertGreaterThan(abortedAfter, 60_000 - 1_000)
        XCTAssertLessThanOrEqual(abortedAfter, 60_000 - 1_000 + 100)
        XCTAssertEqual(h.events("-coordinated-failover-fallback"), [])
        XCTAssertEqual(h.events("+coordinated-failover-sent"), [])
        XCTAssertFalse(w.r1.received.contains { $0.arguments == ["SLAVEOF", "NO", "ONE"] })
        XCTAssertFalse(h.masterFields("mymaster")["flags"]?.contains("failover_in_progress") ?? true)
    }

    func testCoordinatedNeedsAMasterWithFailover() throws {
        let w = try makeWorld()
        w.master.infoOverride = w.master.infoText.replacingOccurrences(of: "redis_version:7.0.15", with: "redis_version:6.0.20")
        w.h.run(for: 10_100)
        let c = w.h.connectClient()
        XCTAssertEqual(w.h.send(c, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED"),
                       .errorText("NOGOODPRIMARY Primary does not support FAILOVER command"))
        // The default still fails over, the classic way.
        XCTAssertEqual(w.h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .ok)
        XCTAssertTrue(w.h.run(until: { !w.h.events("+switch-master").isEmpty }, limit: 5_000))
    }
}
