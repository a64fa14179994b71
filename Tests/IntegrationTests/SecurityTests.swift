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

    /// CVE-2021-32675: before AUTH, Redis refuses a request of more than 10 arguments or with
    /// an argument longer than 16384 bytes, and closes the connection, so an unauthenticated
    /// client cannot make the server hold large requests. The limits are checked per command:
    /// an AUTH earlier in the same write lifts them for what follows it.
    func testUnauthenticatedRequestLimitsMatchRedisSentinel() throws {
        let lines = "requirepass sentinel-secret\n"
        let swift = try startSentinel("swift", kind: .swift, lines: lines)
        let redis = try startSentinel("redis", kind: .redis, lines: lines)
        let longArgument = String(repeating: "x", count: 16385)
        let elevenArguments = ["ACL", "DELUSER"] + (1...9).map { "user\($0)" }

        for node in [swift, redis] {
            let tooMany = try RedisConnection(port: node.port)
            try tooMany.sendRaw(Array("*11\r\n".utf8))
            XCTAssertEqual(try tooMany.readReply(), .errorText("ERR Protocol error: unauthenticated multibulk length"), node.name)
            XCTAssertTrue(tooMany.waitForPeerClose(), node.name)

            let tooLong = try RedisConnection(port: node.port)
            try tooLong.sendRaw(Array("*2\r\n$4\r\nPING\r\n$16385\r\n".utf8))
            XCTAssertEqual(try tooLong.readReply(), .errorText("ERR Protocol error: unauthenticated bulk length"), node.name)
            XCTAssertTrue(tooLong.waitForPeerClose(), node.name)

            // At the limits, requests are read (and refused for want of AUTH).
            let atLimits = try RedisConnection(port: node.port)
            XCTAssertEqual(try atLimits.command("PING", String(repeating: "x", count: 16384)),
                           .errorText("NOAUTH Authentication required."), node.name)
            XCTAssertEqual(try atLimits.command("ACL", "DELUSER", "a", "b", "c", "d", "e", "f", "g", "h"),
                           .errorText("NOAUTH Authentication required."), node.name)

            // AUTH, then large requests, all in one write.
            var batch: [UInt8] = []
            RESPEncoder.encodeCommand(["AUTH", "sentinel-secret"], into: &batch)
            RESPEncoder.encodeCommand(["PING", longArgument], into: &batch)
            RESPEncoder.encodeCommand(elevenArguments, into: &batch)
            let authenticated = try RedisConnection(port: node.port)
            try authenticated.sendRaw(batch)
            XCTAssertEqual(try authenticated.readReply(), .ok, node.name)
            XCTAssertEqual(try authenticated.readReply(), .bulk(longArgument), node.name)
            XCTAssertEqual(try authenticated.readReply(), .integer(0), node.name)

            // A failed AUTH in the same write lifts nothing.
            batch = []
            RESPEncoder.encodeCommand(["AUTH", "wrong"], into: &batch)
            RESPEncoder.encodeCommand(elevenArguments, into: &batch)
            let refused = try RedisConnection(port: node.port)
            try refused.sendRaw(batch)
            XCTAssertEqual(try refused.readReply(), .errorText("WRONGPASS invalid username-password pair or user is disabled."), node.name)
            XCTAssertEqual(try refused.readReply(), .errorText("ERR Protocol error: unauthenticated multibulk length"), node.name)
            XCTAssertTrue(refused.waitForPeerClose(), node.name)
        }

        // Unauthenticated clients announcing 512 MB arguments and sending 32 MB each do not
        // make the process grow: each is closed at its header.
        let before = try residentKilobytes(swift.process.pid)
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<4 {
            let client = try RedisConnection(port: swift.port)
            try client.sendRaw(Array("*2\r\n$4\r\nPING\r\n$536870912\r\n".utf8))
            for _ in 0..<32 {
                guard (try? client.sendRaw(chunk)) != nil else { break }
            }
            XCTAssertEqual(try client.readReply(), .errorText("ERR Protocol error: unauthenticated bulk length"))
            XCTAssertTrue(client.waitForPeerClose())
        }
        let after = try residentKilobytes(swift.process.pid)
        XCTAssertLessThan(after - before, 16 * 1024, "resident memory grew from \(before) kB to \(after) kB")
        XCTAssertEqual(try query(swift.port, "AUTH", "sentinel-secret"), .ok)
    }

    /// `VmRSS` of a process, in kB.
    private func residentKilobytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ")[1]) else { throw IntegrationError("no VmRSS for pid \(pid)") }
        return kilobytes
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
