import Foundation
import Glibc
import RESP
import XCTest

/// The real swift-sentinel against instances, peers and clients that send extreme values: it
/// must stay up, keep answering, and start again from the file it rewrote.
final class HostileInstanceTests: IntegrationTestCase {
    static let replicaRunID = String(repeating: "7", count: 40)
    static let peerRunID = String(repeating: "e", count: 40)

    /// A sentinel monitoring `master` alone (quorum 1), down-after 1000 ms.
    func startLoneSentinel(masterPort: Int) throws -> SentinelNode {
        try startSentinel("s1", lines: """
        sentinel monitor mymaster 127.0.0.1 \(masterPort) 1
        sentinel down-after-milliseconds mymaster 1000
        sentinel failover-timeout mymaster 15000

        """)
    }

    /// Stops the sentinel with SIGTERM, starts it again from its rewritten file and waits until
    /// it answers; fails if it does not come back.
    func restart(_ sentinel: SentinelNode) throws {
        sentinel.process.stop()
        XCTAssertTrue(sentinel.process.exitedNormally, "the sentinel did not exit by itself: \(sentinel.process.logTail())")
        try restartSentinel(sentinel)
    }

    /// Waits until the sentinel knows one replica, connected, with its INFO read (a failover
    /// may then promote it).
    func waitUntilReplicaIsReady(_ sentinel: SentinelNode) throws {
        try waitUntil("the replica is discovered and its INFO read") {
            guard let replica = try replicaFields(sentinel).first else { return false }
            return replica["flags"] == "slave" && replica["master-link-status"] == "ok"
        }
    }

    func replicaFields(_ sentinel: SentinelNode) throws -> [[String: String]] {
        (try query(sentinel.port, "SENTINEL", "REPLICAS", "mymaster").elements ?? []).map(\.fieldDictionary)
    }

    func testReplicaReportingExtremeNumbersNeitherStopsTheSentinelNorItsRestart() throws {
        let replica = try FakeInstanceServer(info: "")
        let master = try FakeInstanceServer(info: """
        # Replication\r
        role:master\r
        connected_slaves:1\r
        slave0:ip=127.0.0.1,port=\(replica.port),state=online,offset=0,lag=0\r

        """)
        replica.info = """
        # Server\r
        run_id:\(Self.replicaRunID)\r
        # Replication\r
        role:slave\r
        master_host:127.0.0.1\r
        master_port:99999999999999999999\r
        master_link_status:down\r
        master_link_down_since_seconds:9223372036854775807\r
        slave_repl_offset:99999999999999999999\r
        slave_priority:99999999999\r

        """
        let sentinel = try startLoneSentinel(masterPort: master.port)
        try waitUntil("the replica's INFO is read") {
            try replicaFields(sentinel).first?["master-link-down-time"] == "1000000000000000"
        }
        XCTAssertEqual(try replicaFields(sentinel).first?["slave-repl-offset"], String(Int64.max))
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "FAILOVER", "mymaster", "FORCE"),
                       .errorText("NOGOODSLAVE No suitable replica to promote"))
        XCTAssertTrue(sentinel.process.isRunning)
        // The replica is in the rewritten file; the restarted sentinel reads the same INFO.
        try restart(sentinel)
        try waitUntil("the restarted sentinel reads the replica's INFO") {
            try replicaFields(sentinel).first?["master-link-down-time"] == "1000000000000000"
        }
        XCTAssertEqual(try query(sentinel.port, "PING"), .status("PONG"))
    }

    func testHugeEpochsAndBadAddressesFromPeersNeitherStopNorMisleadTheSentinel() throws {
        let master = try startRedis("master")
        _ = try startRedis("replica", replicaOf: master)
        let sentinel = try startLoneSentinel(masterPort: master.port)
        try waitUntilReplicaIsReady(sentinel)
        let largest = Int64.max
        let peerPort = try freePort()
        func hello(_ sentinelHost: String, _ epoch: String, _ masterHost: String, _ masterPort: Int, _ configEpoch: String) -> String {
            "\(sentinelHost),\(peerPort),\(Self.peerRunID),\(epoch),mymaster,\(masterHost),\(masterPort),\(configEpoch)"
        }
        // Addresses that are not addresses are ignored, whatever epoch comes with them.
        for bad in [hello("evil host name", "5", "127.0.0.1", master.port, "5"),
                    hello("127.0.0.1", "5", "evil host name", 7000, "5"),
                    hello("127.0.0.1", "5", "127.0.0.1", 70000, "5")] {
            XCTAssertEqual(try query(sentinel.port, "PUBLISH", "__sentinel__:hello", bad), .integer(1))
        }
        XCTAssertEqual(try masterAddress(sentinel), master.address)
        XCTAssertEqual(try sentinelMaster(sentinel)["num-other-sentinels"], "0")
        // A peer drives the epoch to one below the largest; one forced failover still fits.
        XCTAssertEqual(try query(sentinel.port, "PUBLISH", "__sentinel__:hello",
                                 hello("127.0.0.1", String(largest - 1), "127.0.0.1", master.port, "0")), .integer(1))
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "FAILOVER", "mymaster", "FORCE"), .ok)
        try waitUntil("the failover ends") { try masterAddress(sentinel) != master.address }
        XCTAssertEqual(try sentinelMaster(sentinel)["config-epoch"], String(largest))
        try waitUntil("the failover is over") { try sentinelMaster(sentinel)["flags"] == "master" }
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "FAILOVER", "mymaster", "FORCE"),
                       .errorText("ERR The current epoch is the largest possible: no new failover can start"))
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", String(master.port),
                                 "9223372036854775808", Self.peerRunID), .errorText("ERR value is not an integer or out of range"))
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", String(master.port),
                                 String(largest), Self.peerRunID).elements?.count, 3)
        // After a restart the epoch is the same, not smaller.
        try restart(sentinel)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "FLUSHCONFIG"), .ok)
        let text = try String(contentsOfFile: sentinel.configPath, encoding: .utf8)
        XCTAssertTrue(text.contains("sentinel current-epoch \(largest)\n"), text)
        XCTAssertEqual(try sentinelMaster(sentinel)["config-epoch"], String(largest))
    }

    func testHugeTimingsFromClientsNeitherStopTheSentinelNorItsRestart() throws {
        let master = try startRedis("master")
        let replica = try startRedis("replica", replicaOf: master)
        let sentinel = try startLoneSentinel(masterPort: master.port)
        try waitUntilReplicaIsReady(sentinel)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "922337203685477581"), .ok)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "FAILOVER", "mymaster", "FORCE"), .ok)
        try waitUntil("the failover ends") { try masterAddress(sentinel) == replica.address }
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "1000",
                                 "failover-timeout", "9223372036854775807", "quorum", "9223372036854775807"), .ok)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "SET", "mymaster", "quorum", "1"), .ok)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "DEBUG", "publish-period", "9223372036854775807",
                                 "ask-period", "9223372036854775807", "script-retry-delay", "9223372036854775807"), .ok)
        // The new master stops answering: it is found down and a failover is tried, with every
        // timer rule computed from the huge values.
        replica.process.signal(SIGSTOP)
        defer { replica.process.signal(SIGCONT) }
        try waitUntil("the new master is found objectively down and a failover is tried") {
            let log = (try? String(contentsOfFile: sentinel.logPath, encoding: .utf8)) ?? ""
            return log.contains("+odown") && log.components(separatedBy: "+try-failover").count == 3
        }
        XCTAssertEqual(try query(sentinel.port, "PING"), .status("PONG"))
        replica.process.signal(SIGCONT)
        try restart(sentinel)
        XCTAssertEqual(try sentinelMaster(sentinel)["failover-timeout"], "1000000000000000")
        XCTAssertEqual(try sentinelMaster(sentinel)["quorum"], "1")
    }

    func testAMasterListingThousandsOfUnreachableReplicasLeavesTheSentinelResponsive() throws {
        let count = 2000
        var lines = ["# Replication", "role:master", "connected_slaves:\(count)"]
        for index in 0..<count {
            // Loopback addresses where nothing listens: every connection is refused at once,
            // so links close and reconnect all the time.
            lines.append("slave\(index):ip=127.0.\(10 + index / 250).\(1 + index % 250),port=9,state=online,offset=0,lag=0")
        }
        let master = try FakeInstanceServer(info: lines.joined(separator: "\r\n") + "\r\n")
        let sentinel = try startLoneSentinel(masterPort: master.port)
        try waitUntil("every replica is listed", timeout: 60) { try sentinelMaster(sentinel)["num-slaves"] == String(count) }
        // Several rounds of reconnections later it still answers every request.
        let connection = try RedisConnection(port: sentinel.port, timeout: 10)
        for _ in 0..<30 {
            XCTAssertEqual(try connection.command("PING"), .status("PONG"))
            XCTAssertEqual(try connection.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"),
                           .array([.bulk("127.0.0.1"), .bulk(String(master.port))]))
            usleep(100_000)
        }
        // Its timer kept running on time all along: a stalled loop would have entered TILT.
        let log = try String(contentsOfFile: sentinel.logPath, encoding: .utf8)
        XCTAssertFalse(log.contains("+tilt"), "the event loop stalled")
        try restart(sentinel)
        XCTAssertEqual(try sentinelMaster(sentinel)["num-slaves"], String(count))
    }
}
