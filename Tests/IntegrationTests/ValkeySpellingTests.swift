import Foundation
import Glibc
import RESP
import XCTest

/// Valkey's spellings against a real swift-sentinel and real redis-servers:
/// `primary-reboot-down-after-period` in the file and in SENTINEL SET (kept by the rewrite,
/// loaded again after a restart), `SENTINEL FAILOVER … COORDINATED` (hands over, or aborts
/// without promoting behind the master's back: `-failover-abort-slave-timeout`,
/// `-failover-abort-master-timeout`), and `sentinel_total_tilt`.
final class ValkeySpellingTests: IntegrationTestCase {
    private func configText(_ node: SentinelNode) -> String {
        (try? String(contentsOfFile: node.configPath, encoding: .utf8)) ?? ""
    }

    func testPrimaryRebootSpellingIsReadSetRewrittenAndLoadedAgain() throws {
        let master = try startRedis("master")
        let sentinel = try startSentinel("s1", lines: monitorLines(master: master)
                                         + "sentinel primary-reboot-down-after-period mymaster 5000\n")
        let events = try subscribe(sentinel.port)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "SET", "mymaster", "primary-reboot-down-after-period", "7000"), .ok)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "SET", "mymaster", "master-reboot-down-after-period", "8000"), .ok)
        try waitUntil("+set events for both spellings; got \(events.events)") {
            events.hasEvent("+set", containing: "primary-reboot-down-after-period 7000")
                && events.hasEvent("+set", containing: "master-reboot-down-after-period 8000")
        }
        var text = configText(sentinel)
        XCTAssertTrue(text.contains("sentinel primary-reboot-down-after-period mymaster 8000\n"), text)
        XCTAssertFalse(text.contains("master-reboot-down-after-period"), text)

        sentinel.process.stop()
        try restartSentinel(sentinel)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "FLUSHCONFIG"), .ok)
        text = configText(sentinel)
        XCTAssertTrue(text.contains("sentinel primary-reboot-down-after-period mymaster 8000\n"), text)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "SET", "mymaster", "primary-reboot-down-after-period", "-5"),
                       .errorText("ERR Invalid argument '-5' for SENTINEL SET 'primary-reboot-down-after-period'"))
    }

    /// A master and one replica watched by one swift-sentinel whose quorum (2) it cannot reach
    /// alone, so that only SENTINEL FAILOVER starts a failover.
    private func startPair(masterArguments: [String] = []) throws -> (master: RedisNode, replica: RedisNode, sentinel: SentinelNode) {
        let master = try startRedis("master", extraArguments: masterArguments)
        let replica = try startRedis("replica", replicaOf: master)
        var options = MonitorOptions()
        options.failoverTimeout = 3000
        let sentinel = try startSentinel("s1", lines: monitorLines(master: master, options))
        try waitForDiscovery([sentinel], replicas: 1)
        try waitUntil("the replica's link to the master is up") { try role(replica)["master_link_status"] == "up" }
        return (master, replica, sentinel)
    }

    /// Asks for a coordinated failover until the replica is eligible (its INFO must be fresh).
    private func requestCoordinatedFailover(_ sentinel: SentinelNode) throws {
        try waitUntil("SENTINEL FAILOVER mymaster COORDINATED is accepted") {
            try query(sentinel.port, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok
        }
    }

    func testCoordinatedFailoverHandsOverThroughTheMaster() throws {
        let (master, replica, sentinel) = try startPair()
        let events = try subscribe(sentinel.port)
        try requestCoordinatedFailover(sentinel)
        try waitUntil("+switch-master to the replica; events: \(events.events)") {
            events.hasEvent("+switch-master", containing: "127.0.0.1 \(replica.port)")
        }
        XCTAssertTrue(events.hasEvent("+coordinated-failover-sent", containing: "slave \(replica.address)"))
        XCTAssertFalse(events.events.contains { $0.channel == "-coordinated-failover-fallback" })
        try waitUntil("the old master replicates the new one") {
            let fields = try role(master)
            return fields["role"] == "slave" && fields["master_port"] == String(replica.port)
        }
    }

    func testCoordinatedFailoverRefusedByTheMasterPromotesNothing() throws {
        let (_, replica, sentinel) = try startPair(masterArguments: ["--rename-command", "FAILOVER", ""])
        let events = try subscribe(sentinel.port)
        try requestCoordinatedFailover(sentinel)
        try waitUntil("-failover-abort-slave-timeout after the 3 s failover-timeout; events: \(events.events)", timeout: 30) {
            events.hasEvent("-failover-abort-slave-timeout", containing: "master mymaster")
        }
        XCTAssertFalse(events.events.contains { $0.channel == "-coordinated-failover-fallback" || $0.channel == "+switch-master" })
        XCTAssertEqual(try role(replica)["role"], "slave")
        XCTAssertTrue(sentinel.process.log.contains("Coordinated failover of 'mymaster': the master answered FAILOVER with ERR unknown command"),
                      sentinel.process.logTail())
        try waitUntil("the master is no longer failing over") {
            !(try sentinelMaster(sentinel)["flags"] ?? "failover_in_progress").contains("failover_in_progress")
        }
    }

    func testCoordinatedFailoverOfAStoppedMasterAbortsWithMasterTimeout() throws {
        let (master, replica, sentinel) = try startPair()
        let events = try subscribe(sentinel.port)
        master.process.signal(SIGSTOP)
        try waitUntil("+sdown of the stopped master; events: \(events.events)") {
            events.hasEvent("+sdown", containing: "master mymaster")
        }
        try requestCoordinatedFailover(sentinel)
        XCTAssertTrue(try sentinelMaster(sentinel)["flags"]?.contains("coordinated_failover") ?? false)
        try waitUntil("-failover-abort-master-timeout; events: \(events.events)", timeout: 30) {
            events.hasEvent("-failover-abort-master-timeout", containing: "master mymaster 127.0.0.1 \(master.port)")
        }
        XCTAssertFalse(events.events.contains { $0.channel == "+coordinated-failover-sent" || $0.channel == "+switch-master" })
        master.process.signal(SIGCONT)
        XCTAssertEqual(try role(replica)["role"], "slave")
    }

    func testTotalTiltCountsEveryTilt() throws {
        let master = try startRedis("master")
        let sentinel = try startSentinel("s1", lines: monitorLines(master: master))
        XCTAssertEqual(try info(sentinel.port, "sentinel")["sentinel_total_tilt"], "0")
        let events = try subscribe(sentinel.port)
        // A 1 ms trigger makes every timer tick a stall.
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "DEBUG", "tilt-trigger", "1"), .ok)
        try waitUntil("sentinel_total_tilt reaches 2") { Int(try info(sentinel.port, "sentinel")["sentinel_total_tilt"] ?? "") ?? 0 >= 2 }
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "DEBUG", "tilt-trigger", "2000"), .ok)
        let total = try info(sentinel.port, "sentinel")["sentinel_total_tilt"] ?? ""
        try waitUntil("one +tilt event per counted tilt (\(total)); got \(events.events.filter { $0.channel == "+tilt" }.count)") {
            String(events.events.filter { $0.channel == "+tilt" }.count) == total
        }
        XCTAssertEqual(try info(sentinel.port, "sentinel")["sentinel_tilt"], "1")
    }
}
