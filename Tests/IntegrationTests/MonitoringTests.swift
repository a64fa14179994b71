import Foundation
import Glibc
import RESP
import XCTest

/// A master, two replicas and three swift-sentinels: discovery of replicas and peers, SDOWN of
/// a replica, and a restarted sentinel that remembers what it learnt.
final class MonitoringTests: IntegrationTestCase {
    private var master: RedisNode!
    private var replicas: [RedisNode] = []
    private var fleet: [SentinelNode] = []

    private func startFleet() throws {
        master = try startRedis("master")
        replicas = [try startRedis("replica1", replicaOf: master), try startRedis("replica2", replicaOf: master)]
        let lines = monitorLines(master: master)
        fleet = try (1...3).map { try startSentinel("s\($0)", lines: lines) }
        try waitForDiscovery(fleet, replicas: 2)
    }

    func testSentinelsDiscoverReplicasAndEachOther() throws {
        try startFleet()
        let ids = try Dictionary(uniqueKeysWithValues: fleet.map { ($0.port, try query($0.port, "SENTINEL", "MYID").text ?? "") })

        for node in fleet {
            let peers = try query(node.port, "SENTINEL", "SENTINELS", "mymaster").elements ?? []
            XCTAssertEqual(peers.count, 2, "\(node.name) SENTINEL SENTINELS: \(peers.map(\.debugText))")
            let seen = Set(peers.map { "\($0.fieldDictionary["ip"] ?? ""):\($0.fieldDictionary["port"] ?? ""):\($0.fieldDictionary["runid"] ?? "")" })
            let expected = Set(fleet.filter { $0 !== node }.map { "127.0.0.1:\($0.port):\(ids[$0.port] ?? "")" })
            XCTAssertEqual(seen, expected, "\(node.name) knows other peers than expected")
            // A just-discovered peer is `disconnected` until its link is up.
            try waitUntil("\(node.name) has connected links to both peers (flags sentinel)") {
                try (query(node.port, "SENTINEL", "SENTINELS", "mymaster").elements ?? [])
                    .allSatisfy { $0.fieldDictionary["flags"] == "sentinel" }
            }

            let replicaEntries = try query(node.port, "SENTINEL", "REPLICAS", "mymaster").elements ?? []
            XCTAssertEqual(Set(replicaEntries.map { $0.fieldDictionary["name"] ?? "" }), Set(replicas.map(\.address)), node.name)

            try waitUntil("\(node.name) INFO sentinel shows slaves=2,sentinels=3") {
                (try query(node.port, "INFO", "sentinel").text ?? "")
                    .contains("master0:name=mymaster,status=ok,address=127.0.0.1:\(master.port),slaves=2,sentinels=3\r\n")
            }
        }

        // A stopped replica goes SDOWN, and comes back.
        let events = try subscribe(fleet[0].port)
        let stopped = replicas[0]
        let details = "slave \(stopped.address) 127.0.0.1 \(stopped.port) @ mymaster 127.0.0.1 \(master.port)"
        stopped.process.signal(SIGSTOP)
        try waitUntil("+sdown for the stopped replica on s1; events: \(events.events)") {
            events.hasEvent("+sdown", containing: details)
        }
        let flags = try query(fleet[0].port, "SENTINEL", "REPLICAS", "mymaster").elements?
            .map(\.fieldDictionary).first { $0["name"] == stopped.address }?["flags"] ?? ""
        XCTAssertTrue(flags.hasPrefix("s_down,slave"), flags)
        stopped.process.signal(SIGCONT)
        try waitUntil("-sdown for the continued replica on s1; events: \(events.events)") {
            events.hasEvent("-sdown", containing: details)
        }
        XCTAssertFalse(events.hasEvent("+sdown", containing: "master mymaster"), "the master went SDOWN: \(events.events)")
        XCTAssertFalse(events.hasEvent("+odown", containing: "mymaster"), "\(events.events)")
    }

    func testRestartedSentinelRemembersReplicasAndPeers() throws {
        try startFleet()
        let restarted = fleet[0]
        try waitUntil("s1's config file has 2 known-replica and 2 known-sentinel lines") {
            let text = try String(contentsOfFile: restarted.configPath, encoding: .utf8)
            let lines = text.split(separator: "\n")
            return lines.filter { $0.hasPrefix("sentinel known-replica mymaster 127.0.0.1 ") }.count == 2
                && lines.filter { $0.hasPrefix("sentinel known-sentinel mymaster 127.0.0.1 ") }.count == 2
        }
        let text = try String(contentsOfFile: restarted.configPath, encoding: .utf8)
        for replica in replicas {
            XCTAssertTrue(text.contains("sentinel known-replica mymaster 127.0.0.1 \(replica.port)\n"), text)
        }
        for peer in fleet.dropFirst() {
            let id = try query(peer.port, "SENTINEL", "MYID").text ?? ""
            XCTAssertTrue(text.contains("sentinel known-sentinel mymaster 127.0.0.1 \(peer.port) \(id)\n"), text)
        }
        let myID = try query(restarted.port, "SENTINEL", "MYID").text ?? ""

        restarted.process.signal(SIGTERM)
        XCTAssertTrue(restarted.process.waitForExit(timeout: 20), "s1 still runs 20 s after SIGTERM")
        XCTAssertEqual(restarted.process.exitStatus, 0)
        try restartSentinel(restarted)

        // Right after it answers PING, from the file alone.
        let fields = try sentinelMaster(restarted)
        XCTAssertEqual(fields["num-slaves"], "2", "\(fields)")
        XCTAssertEqual(fields["num-other-sentinels"], "2", "\(fields)")
        XCTAssertEqual(try query(restarted.port, "SENTINEL", "MYID").text, myID)
        XCTAssertEqual(try masterAddress(restarted), master.address)
        // And it stays in agreement with the live fleet.
        try waitForDiscovery(fleet, replicas: 2)
    }
}
