import Foundation
import Glibc
import RESP
import XCTest

/// `requirepass` on the sentinel, and password-protected Redis servers behind `sentinel auth-pass`.
final class SecurityTests: FailoverTestCase {
    func testRequirepassOnTheSentinelMatchesRedisSentinel() throws {
        let master = try startRedis("master")
        let lines = "requirepass sentinel-secret\n" + monitorLines(master: master, MonitorOptions(quorum: 1))
        let swift = try startSentinel("swift", kind: .swift, lines: lines)
        let redis = try startSentinel("redis", kind: .redis, lines: lines)

        for node in [swift, redis] {
            let client = try RedisConnection(port: node.port)
            XCTAssertEqual(try client.command("PING"), .errorText("NOAUTH Authentication required."), node.name)
            XCTAssertEqual(try client.command("SENTINEL", "MASTERS"), .errorText("NOAUTH Authentication required."), node.name)
            XCTAssertEqual(try client.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"),
                           .errorText("NOAUTH Authentication required."), node.name)
            XCTAssertEqual(try client.command("AUTH", "wrong"),
                           .errorText("WRONGPASS invalid username-password pair or user is disabled."), node.name)
            XCTAssertEqual(try client.command("AUTH", "default", "wrong"),
                           .errorText("WRONGPASS invalid username-password pair or user is disabled."), node.name)
            XCTAssertEqual(try client.command("PING"), .errorText("NOAUTH Authentication required."), node.name)
            XCTAssertEqual(try client.command("AUTH", "sentinel-secret"), .ok, node.name)
            XCTAssertEqual(try client.command("PING"), .status("PONG"), node.name)
            let masters = try client.command("SENTINEL", "MASTERS")
            XCTAssertEqual(masters.elements?.first?.fieldDictionary["port"], String(master.port), "\(node.name): \(masters.debugText)")
            // Another connection starts unauthenticated again; AUTH with the user name works too.
            let other = try RedisConnection(port: node.port)
            XCTAssertEqual(try other.command("PING"), .errorText("NOAUTH Authentication required."), node.name)
            XCTAssertEqual(try other.command("AUTH", "default", "sentinel-secret"), .ok, node.name)
            XCTAssertEqual(try other.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"),
                           .array([.bulk("127.0.0.1"), .bulk(String(master.port))]), node.name)
        }
    }

    func testPasswordProtectedServersAreDiscoveredAndFailedOver() throws {
        let secret = "redis-secret"
        let auth = ["--requirepass", secret, "--masterauth", secret]
        master = try startRedis("master", extraArguments: auth)
        master.password = secret
        replicas = try ["replica1", "replica2"].map { name in
            let node = try startRedis(name, replicaOf: master, extraArguments: auth)
            node.password = secret
            return node
        }
        // The servers really are protected.
        XCTAssertEqual(try query(master.port, "PING"), .errorText("NOAUTH Authentication required."))
        try waitUntil("both replicas report master_link_status:up") {
            try replicas.allSatisfy { try role($0)["master_link_status"] == "up" }
        }
        let lines = monitorLines(master: master, MonitorOptions(quorum: 2, downAfterMilliseconds: 1000, failoverTimeout: 10000))
            + "sentinel auth-pass mymaster \(secret)\n"
        fleet = try (1...3).map { try startSentinel("s\($0)", lines: lines) }
        try waitForDiscovery(fleet, replicas: 2)
        for node in fleet {
            let fields = try sentinelMaster(node)
            XCTAssertEqual(fields["flags"], "master", "\(node.name): \(fields)")
            XCTAssertFalse((fields["runid"] ?? "").isEmpty, "\(node.name) has no INFO from the master: \(fields)")
            let replicaEntries = (try query(node.port, "SENTINEL", "REPLICAS", "mymaster").elements ?? []).map(\.fieldDictionary)
            XCTAssertEqual(Set(replicaEntries.map { $0["name"] ?? "" }), Set(replicas.map(\.address)), node.name)
            XCTAssertTrue(replicaEntries.allSatisfy { $0["master-link-status"] == "ok" }, "\(node.name): \(replicaEntries)")
        }

        let old = master!
        old.process.signal(SIGKILL)
        XCTAssertTrue(old.process.waitForExit(timeout: 10))
        // verifyFailover reads the servers through role(), which authenticates.
        let address = try waitForAgreedNewMaster(fleet, old: old)
        guard let promoted = replicas.first(where: { $0.address == address }) else {
            return XCTFail("the sentinels agree on \(address), which is not one of the replicas \(replicas.map(\.address))")
        }
        let other = replicas.first { $0 !== promoted }!
        try waitUntil("the promoted replica \(promoted.address) reports role:master") { try role(promoted)["role"] == "master" }
        try waitUntil("the other replica replicates \(promoted.address) with master_link_status:up; now \((try? self.role(other)) ?? [:])") {
            let fields = try role(other)
            return fields["role"] == "slave" && fields["master_port"] == String(promoted.port) && fields["master_link_status"] == "up"
        }
        try waitUntil("every sentinel shows \(promoted.address) with flags master and the other replica linked") {
            try fleet.allSatisfy { node in
                let fields = try sentinelMaster(node)
                let entries = (try query(node.port, "SENTINEL", "REPLICAS", "mymaster").elements ?? []).map(\.fieldDictionary)
                return fields["port"] == String(promoted.port) && fields["flags"] == "master"
                    && entries.contains { $0["name"] == other.address && $0["master-link-status"] == "ok" && $0["flags"] == "slave" }
            }
        }
        // A write with the password reaches the promoted master and its replica.
        XCTAssertEqual(try redisQuery(promoted, "SET", "after-failover", "1"), .ok)
        try waitUntil("the other replica has the key written after the failover") {
            try redisQuery(other, "GET", "after-failover") == .bulk("1")
        }
    }
}
