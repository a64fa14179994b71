import Foundation
import Glibc
import RESP
import XCTest

/// TLS as redis-sentinel does it, against real TLS-only redis-servers: `redis-cli --tls` on the
/// TLS port, refused plain-text clients and certificates, redis-py's `Sentinel(ssl=True)`
/// through a failover, a mixed fleet with redis-sentinel over TLS, and certificates rotated
/// on disk without a restart.
final class TLSTests: TLSTestCase {
    /// `redis-cli` prints an array one element per line: pairs into a dictionary.
    func pairs(_ output: String) -> [String: String] {
        let lines = output.split(separator: "\n").map(String.init)
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < lines.count {
            fields[lines[index]] = lines[index + 1]
            index += 2
        }
        return fields
    }

    func testTLSOnlySentinelServesRedisCliAndRefusesPlainTextAndWrongCertificates() throws {
        let master = try startTLSRedis("master")
        let nodeDirectory = "\(directory)/sentinel"
        try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
        let tlsPort = try freePort()
        let configPath = "\(nodeDirectory)/sentinel.conf"
        try ("port 0\nbind 127.0.0.1\ndir \(nodeDirectory)\n" + sentinelTLSLines(tlsPort: tlsPort)
             + monitorLines(master: master)).write(toFile: configPath, atomically: true, encoding: .utf8)
        let sentinel = try launch(name: "swift-sentinel", executable: Self.swiftSentinelBinary, arguments: [configPath],
                                  logPath: "\(nodeDirectory)/sentinel.log")
        try waitUntil("the TLS-only sentinel answers PING over TLS") {
            guard sentinel.isRunning else { throw IntegrationError("exited: \(sentinel.logTail())") }
            return try tlsCLI(tlsPort, "PING").output == "PONG\n"
        }
        // The master, reachable over TLS only, is monitored: its INFO came back on a TLS link.
        try waitUntil("SENTINEL MASTER shows the master's run id and role") {
            let fields = pairs(try tlsCLI(tlsPort, "SENTINEL", "MASTER", "mymaster").output)
            return fields["flags"] == "master" && fields["runid"]?.count == 40 && fields["role-reported"] == "master"
        }
        XCTAssertEqual(try tlsInfo(tlsPort, "server")["tcp_port"], String(tlsPort), "port 0: INFO names the TLS port")

        // Plain-text clients on the TLS port: closed without an answer, one log line for all.
        for _ in 0..<5 {
            let plain = try RedisConnection(port: tlsPort, timeout: 5)
            try plain.send(["PING"])
            XCTAssertTrue(plain.waitForPeerClose(), "a plain-text client was not closed")
        }
        // A certificate from an unknown CA, and none at all (tls-auth-clients yes by default).
        let untrusted = try tlsCLI(tlsPort, certificate: "untrusted", "PING")
        XCTAssertNotEqual(untrusted.output, "PONG\n", "\(untrusted)")
        let anonymous = try tlsCLI(tlsPort, certificate: nil, "PING")
        XCTAssertNotEqual(anonymous.output, "PONG\n", "\(anonymous)")

        XCTAssertEqual(try tlsCLI(tlsPort, "PING").output, "PONG\n", "the sentinel keeps serving")
        XCTAssertTrue(sentinel.isRunning)
        let refusals = sentinel.log.split(separator: "\n").filter { $0.contains("Error accepting a client connection") }
        XCTAssertEqual(refusals.count, 1, "seven failed handshakes within 10 s make one log line: \(refusals)")
        XCTAssertTrue(refusals[0].contains("addr=127.0.0.1:"), "\(refusals[0])")
    }

    func testCertificateSwappedOnDiskIsServedWithoutRestart() throws {
        let master = try startTLSRedis("master")
        let certificate = "\(directory)/served.crt", key = "\(directory)/served.key"
        func install(_ name: String) throws {
            // A new key first, then the certificate, each renamed into place.
            for (source, target) in [("\(name).key", key), ("\(name).crt", certificate)] {
                try? FileManager.default.removeItem(atPath: target + ".new")
                try FileManager.default.copyItem(atPath: "\(certificates)/\(source)", toPath: target + ".new")
                guard rename(target + ".new", target) == 0 else { throw IntegrationError("rename \(target)") }
            }
        }
        try install("redis")
        let tlsPort = try freePort()
        let lines = sentinelTLSLines(tlsPort: tlsPort)
            .replacingOccurrences(of: "\(certificates)/redis.crt", with: certificate)
            .replacingOccurrences(of: "\(certificates)/redis.key", with: key)
        let sentinel = try startSentinel("sentinel", lines: lines + monitorLines(master: master))
        let pid = sentinel.process.pid

        let ready = "\(directory)/ready", go = "\(directory)/go"
        try tlsClientSource.write(toFile: "\(directory)/tls_client.py", atomically: true, encoding: .utf8)
        let client = try launch(name: "tls_client.py rotation", executable: try RedisPy.python(),
                                arguments: ["\(directory)/tls_client.py", "rotation", certificates, String(tlsPort), ready, go],
                                logPath: "\(directory)/rotation.log")
        try waitUntil("the client holds a connection") {
            guard client.isRunning || FileManager.default.fileExists(atPath: ready) else { throw IntegrationError(client.logTail()) }
            return FileManager.default.fileExists(atPath: ready)
        }
        try install("rotated")
        FileManager.default.createFile(atPath: go, contents: nil)
        XCTAssertTrue(client.waitForExit(timeout: 60), client.logTail())
        let line = try XCTUnwrap(client.log.split(separator: "\n").last, client.log)
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], client.log)
        XCTAssertEqual(result["before"] as? String, "Generic-cert", "\(result)")
        XCTAssertEqual(result["after"] as? String, "Rotated-cert", "new connections get the new certificate: \(result)")
        XCTAssertEqual(result["old_connection"] as? String, "+PONG\r\n", "the connection from before keeps working: \(result)")
        XCTAssertTrue(sentinel.process.isRunning)
        XCTAssertEqual(sentinel.process.pid, pid)
        try waitUntil("the reload is logged") {
            try String(contentsOfFile: sentinel.logPath, encoding: .utf8).contains("TLS certificates and keys reloaded (the files changed)")
        }

        // SIGHUP reloads too; the TLS links to the master were never dropped.
        sentinel.process.signal(SIGHUP)
        try waitUntil("SIGHUP reloads the certificates") {
            try String(contentsOfFile: sentinel.logPath, encoding: .utf8).contains("TLS certificates and keys reloaded (SIGHUP)")
        }
        XCTAssertEqual(try sentinelMaster(sentinel)["flags"], "master")
    }

    func testRedisPyWithSSLFollowsAFailoverOfTLSOnlyServers() throws {
        let (master, replicas) = try startTLSReplicatedMaster()
        let fleet = try startTLSFleet([.swift, .swift, .swift], master: master, downAfterMilliseconds: 1000)
        let spec = fleet.map { "127.0.0.1:\($0.1)" }.joined(separator: ",")
        XCTAssertEqual(try runTLSClient(["discover", certificates, spec])["master"] as? String, master.address)
        let before = try runTLSClient(["write", certificates, spec, "before:", "50", "30"])
        XCTAssertEqual(before["written"] as? Int, 50, "\(before)")

        master.process.signal(SIGKILL)
        XCTAssertTrue(master.process.waitForExit(timeout: 10))
        let after = try runTLSClient(["write", certificates, spec, "after:", "50", "90"])
        XCTAssertEqual(after["written"] as? Int, 50, "\(after)")
        let promoted = try waitForAgreedNewMaster(fleet.map(\.0), old: master)
        XCTAssertTrue(replicas.map(\.address).contains(promoted), promoted)
        XCTAssertEqual(after["master"] as? String, promoted, "redis-py followed the sentinels over TLS: \(after)")
        let promotedPort = try XCTUnwrap(Int(promoted.split(separator: ":").last ?? ""))
        XCTAssertEqual(try tlsInfo(promotedPort, "replication")["role"], "master")
    }

    /// One swift-sentinel and two redis-sentinels, every link TLS: they find each other through
    /// hellos announcing their TLS ports, and fail over together.
    func testMixedTLSFleetWithRedisSentinelFailsOver() throws {
        let (master, replicas) = try startTLSReplicatedMaster()
        let fleet = try startTLSFleet([.swift, .redis, .redis], master: master, downAfterMilliseconds: 2000)
        let tlsPorts = Set(fleet.map { String($0.1) })
        for (node, ownPort) in fleet {
            let peers = try query(node.port, "SENTINEL", "SENTINELS", "mymaster").elements ?? []
            let ports = Set(peers.map { $0.fieldDictionary["port"] ?? "?" })
            XCTAssertEqual(ports, tlsPorts.subtracting([String(ownPort)]), "\(node.name) knows its peers by their TLS ports")
        }

        master.process.signal(SIGKILL)
        XCTAssertTrue(master.process.waitForExit(timeout: 10))
        let promoted = try waitForAgreedNewMaster(fleet.map(\.0), old: master)
        XCTAssertTrue(replicas.map(\.address).contains(promoted), promoted)
        let promotedNode = try XCTUnwrap(replicas.first { $0.address == promoted })
        let other = try XCTUnwrap(replicas.first { $0.address != promoted })
        try waitUntil("the promoted replica is master and the other replicates from it over TLS") {
            let otherRole = try tlsInfo(other.port, "replication")
            return try tlsInfo(promotedNode.port, "replication")["role"] == "master"
                && otherRole["master_port"] == String(promotedNode.port) && otherRole["master_link_status"] == "up"
        }
    }
}
