import Foundation
import Glibc
import RESP
import XCTest

/// Helpers shared by the failover scenarios (swift-only and mixed fleets).
class FailoverTestCase: IntegrationTestCase {
    var master: RedisNode!
    var replicas: [RedisNode] = []
    var fleet: [SentinelNode] = []

    /// A master, two replicas in sync, and sentinels of the given kinds, all discovered.
    ///
    /// Mixed fleets use down-after 2000. With 1000, a redis-sentinel observer that switched to the
    /// new master flagged it `+sdown` ~1010 ms after `+switch-master` and, its peers'
    /// `master_down` answers about the old master being under 5 s old, `+odown #quorum 3/2` in the
    /// same tick, then started a second failover (epoch 2) that the swift-sentinel voted for:
    /// 3 of 6 mixed runs, 0 of 9 redis-sentinel-only runs. A likely cause is redis-sentinel's
    /// one-reconnect-per-second throttle, still running for the dead master's link, delaying its
    /// first PING to the fresh master past 1000 ms; why mixed fleets hit it more often is not
    /// established (see the suite's report).
    func startFleet(_ kinds: [SentinelNode.Kind], debugCommand: Bool = false) throws {
        let downAfter = kinds.contains(.redis) ? 2000 : 1000
        master = try startRedis("master", debugCommand: debugCommand)
        replicas = [try startRedis("replica1", replicaOf: master), try startRedis("replica2", replicaOf: master)]
        try waitUntil("both replicas report master_link_status:up") {
            try replicas.allSatisfy { try role($0)["master_link_status"] == "up" }
        }
        let lines = monitorLines(master: master, MonitorOptions(quorum: 2, downAfterMilliseconds: downAfter, failoverTimeout: 15000))
        fleet = try kinds.enumerated().map { index, kind in try startSentinel("s\(index + 1)-\(kind.rawValue)", kind: kind, lines: lines) }
        try waitForDiscovery(fleet, replicas: 2)
    }

    /// Waits for the fleet to agree on a promoted replica and checks the replicas' roles;
    /// returns (promoted, other).
    /// How the replica was promoted: `SLAVEOF NO ONE` from the leader, or the old master's
    /// own `FAILOVER TO` (a coordinated `SENTINEL FAILOVER`).
    enum Promotion { case slaveOfNoOne, serverFailover }

    func verifyFailover(from old: RedisNode, promotion: Promotion = .slaveOfNoOne) throws -> (RedisNode, RedisNode) {
        let address = try waitForAgreedNewMaster(fleet, old: old)
        guard let promoted = replicas.first(where: { $0.address == address }) else {
            XCTFail("the sentinels agree on \(address), which is not one of the replicas \(replicas.map(\.address))")
            throw IntegrationError("unexpected new master \(address)")
        }
        let other = replicas.first { $0 !== promoted }!
        try waitUntil("the promoted replica \(promoted.address) reports role:master") {
            try role(promoted)["role"] == "master"
        }
        try waitUntil("the other replica \(other.address) replicates from \(promoted.address) with master_link_status:up; now \((try? self.role(other)) ?? [:])") {
            let fields = try role(other)
            return fields["role"] == "slave" && fields["master_host"] == "127.0.0.1"
                && fields["master_port"] == String(promoted.port) && fields["master_link_status"] == "up"
        }
        XCTAssertEqual(try role(other)["role"], "slave", "both replicas are masters: more than one was promoted")
        let stats = parseInfo(try query(promoted.port, "INFO", "commandstats"))
        switch promotion {
        case .slaveOfNoOne:
            // Exactly one SLAVEOF reached the promoted replica: the leader's SLAVEOF NO ONE.
            XCTAssertTrue((stats["cmdstat_slaveof"] ?? "").hasPrefix("calls=1,"),
                          "the promoted replica received \(stats["cmdstat_slaveof"] ?? "no") SLAVEOF commands")
        case .serverFailover:
            // The old master handed over by itself; the replica was never told SLAVEOF.
            XCTAssertNil(stats["cmdstat_slaveof"], "the promoted replica received SLAVEOF: \(stats["cmdstat_slaveof"] ?? "")")
            let oldStats = parseInfo(try query(old.port, "INFO", "commandstats"))
            XCTAssertTrue((oldStats["cmdstat_failover"] ?? "").hasPrefix("calls=1,"),
                          "the old master received \(oldStats["cmdstat_failover"] ?? "no") FAILOVER commands")
        }
        // Each sentinel ends the failover showing the new master in SENTINEL MASTER too.
        try waitUntil("every sentinel's SENTINEL MASTER shows port \(promoted.port) with no failover in progress; now: "
                      + fleet.map { node in
                          let fields = (try? self.sentinelMaster(node)) ?? [:]
                          return "\(node.name) \(fields["port"] ?? "?") \(fields["flags"] ?? "?")"
                      }.joined(separator: ", ")) {
            try fleet.allSatisfy { node in
                let fields = try sentinelMaster(node)
                return fields["port"] == String(promoted.port) && fields["flags"] == "master"
            }
        }
        return (promoted, other)
    }
}

/// Three swift-sentinels fail a master over: crash, hang, and on request.
final class FailoverTests: FailoverTestCase {
    func testKillNineOfMasterPromotesOneReplicaAndOldMasterRejoins() throws {
        try startFleet([.swift, .swift, .swift])
        let events = try subscribe(fleet[0].port)
        let allEvents = try fleet.map { try subscribe($0.port) }
        let old = master!
        old.process.signal(SIGKILL)
        XCTAssertTrue(old.process.waitForExit(timeout: 10))

        let (promoted, _) = try verifyFailover(from: old)
        try waitUntil("+switch-master on s1; events: \(events.events)") {
            events.hasEvent("+switch-master", containing: "mymaster 127.0.0.1 \(old.port) 127.0.0.1 \(promoted.port)")
        }
        // The leader (whichever it was) saw the master ODOWN; followers may switch before their own ODOWN.
        XCTAssertTrue(allEvents.contains { $0.hasEvent("+odown", containing: "master mymaster 127.0.0.1 \(old.port)") },
                      "no sentinel published +odown for the killed master")
        XCTAssertEqual(allEvents.filter { $0.hasEvent("+elected-leader", containing: "master mymaster 127.0.0.1 \(old.port)") }.count, 1,
                       "not exactly one sentinel was elected leader")

        // The old master comes back on its port as a master and is converted to a replica.
        try restartRedis(old)
        try waitUntil("the restarted old master replicates from \(promoted.address); now \((try? self.role(old)) ?? [:])", timeout: 60) {
            let fields = try role(old)
            return fields["role"] == "slave" && fields["master_port"] == String(promoted.port)
        }
        // Any sentinel may be the one that converts it.
        try waitUntil("+convert-to-slave for the old master on some sentinel") {
            allEvents.contains { $0.hasEvent("+convert-to-slave", containing: "slave \(old.address) 127.0.0.1 \(old.port) @ mymaster 127.0.0.1 \(promoted.port)") }
        }
        try waitForDiscovery(fleet, replicas: 2)
    }

    func testDebugSleepOfMasterFailsOver() throws {
        try startFleet([.swift, .swift, .swift], debugCommand: true)
        let old = master!
        // Hang the master from its own connection; its reply is never awaited.
        let sleeper = try RedisConnection(port: old.port)
        try sleeper.send(["DEBUG", "SLEEP", "30"])

        let (promoted, other) = try verifyFailover(from: old)
        XCTAssertNotEqual(promoted.port, other.port)
        // Do not wait out the sleep in tearDown.
        old.process.signal(SIGKILL)
        sleeper.close()
    }

    func testSentinelFailoverForcePromotesWithSlaveOfNoOne() throws {
        try startFleet([.swift, .swift, .swift])
        let old = master!
        XCTAssertEqual(try query(fleet[1].port, "SENTINEL", "FAILOVER", "mymaster", "FORCE"), .ok)
        let (promoted, _) = try verifyFailover(from: old, promotion: .slaveOfNoOne)
        try waitUntil("the old master \(old.address) (still alive) becomes a replica of \(promoted.address); now \((try? self.role(old)) ?? [:])", timeout: 60) {
            let fields = try role(old)
            return fields["role"] == "slave" && fields["master_port"] == String(promoted.port)
        }
    }

    func testSentinelFailoverCommandPromotesAReplica() throws {
        try startFleet([.swift, .swift, .swift])
        let old = master!
        XCTAssertEqual(try query(fleet[1].port, "SENTINEL", "FAILOVER", "mymaster"), .ok)
        let (promoted, _) = try verifyFailover(from: old, promotion: .serverFailover)
        try waitUntil("the old master \(old.address) (still alive) becomes a replica of \(promoted.address); now \((try? self.role(old)) ?? [:])", timeout: 60) {
            let fields = try role(old)
            return fields["role"] == "slave" && fields["master_port"] == String(promoted.port)
        }
    }
}

/// A fleet of swift-sentinels and real redis-sentinels: discovery, reply fields, and failovers.
final class MixedFleetTests: FailoverTestCase {
    func testSwiftAndRedisSentinelsSeeEachOtherAndAgreeOnFields() throws {
        try startFleet([.swift, .redis, .redis])
        let swift = fleet[0]
        let redis = fleet[1]

        let swiftFields = try sentinelMaster(swift)
        let redisFields = try sentinelMaster(redis)
        let swiftKeys = try query(swift.port, "SENTINEL", "MASTER", "mymaster").fieldPairs.map(\.0)
        let redisKeys = try query(redis.port, "SENTINEL", "MASTER", "mymaster").fieldPairs.map(\.0)
        XCTAssertEqual(swiftKeys, redisKeys, "SENTINEL MASTER field names differ between swift-sentinel and redis-sentinel")
        for key in ["name", "ip", "port", "runid", "flags", "num-slaves", "num-other-sentinels", "quorum",
                    "down-after-milliseconds", "failover-timeout", "parallel-syncs", "config-epoch", "role-reported"] {
            XCTAssertEqual(swiftFields[key], redisFields[key], "field \(key)")
        }

        let swiftReplicaKeys = try query(swift.port, "SENTINEL", "REPLICAS", "mymaster").elements?.first?.fieldPairs.map(\.0)
        let redisReplicaKeys = try query(redis.port, "SENTINEL", "REPLICAS", "mymaster").elements?.first?.fieldPairs.map(\.0)
        XCTAssertEqual(swiftReplicaKeys, redisReplicaKeys, "SENTINEL REPLICAS field names differ")

        // Each side lists the other with the right run id.
        let swiftID = try query(swift.port, "SENTINEL", "MYID").text ?? ""
        for node in fleet.dropFirst() {
            let peers = (try query(node.port, "SENTINEL", "SENTINELS", "mymaster").elements ?? []).map(\.fieldDictionary)
            XCTAssertTrue(peers.contains { $0["runid"] == swiftID && $0["port"] == String(swift.port) },
                          "\(node.name) does not list swift-sentinel: \(peers)")
        }
        let swiftPeers = (try query(swift.port, "SENTINEL", "SENTINELS", "mymaster").elements ?? []).map(\.fieldDictionary)
        for node in fleet.dropFirst() {
            let id = try query(node.port, "SENTINEL", "MYID").text ?? ""
            XCTAssertTrue(swiftPeers.contains { $0["runid"] == id && $0["port"] == String(node.port) }, "swift-sentinel misses \(node.name): \(swiftPeers)")
        }
        let swiftPeerKeys = try query(swift.port, "SENTINEL", "SENTINELS", "mymaster").elements?.first?.fieldPairs.map(\.0)
        let redisPeerKeys = try query(redis.port, "SENTINEL", "SENTINELS", "mymaster").elements?.first?.fieldPairs.map(\.0)
        XCTAssertEqual(swiftPeerKeys, redisPeerKeys, "SENTINEL SENTINELS field names differ")
    }

    func testOneSwiftTwoRedisSentinelsFailOverAKilledMaster() throws {
        try startFleet([.swift, .redis, .redis])
        master.process.signal(SIGKILL)
        _ = try verifyFailover(from: master)
    }

    func testTwoSwiftOneRedisSentinelFailOverAKilledMaster() throws {
        try startFleet([.swift, .swift, .redis])
        master.process.signal(SIGKILL)
        _ = try verifyFailover(from: master)
    }
}
