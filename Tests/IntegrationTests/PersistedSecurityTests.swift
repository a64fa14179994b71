import Foundation
import Glibc
import RESP
import XCTest

/// Users, passwords and configuration files that must mean the same after a restart.
final class PersistedSecurityTests: IntegrationTestCase {
    static let wrongPass = RESPValue.errorText("WRONGPASS invalid username-password pair or user is disabled.")

    /// ACL SETUSER / DELUSER reach the configuration file before their reply: after a kill -9
    /// right after the reply, the revoked user stays revoked and the new user works.
    func testRevokedUserStaysRevokedAfterKillNine() throws {
        let master = try startRedis("master")
        let node = try startSentinel("swift", lines: "user bob on >bob-secret +@all\n" + monitorLines(master: master, MonitorOptions(quorum: 1)))
        let admin = try RedisConnection(port: node.port)
        XCTAssertEqual(try admin.command("AUTH", "bob", "bob-secret"), .ok)
        XCTAssertEqual(try admin.command("ACL", "SETUSER", "alice", "on", ">alice-secret", "+@all", "-sentinel|reset"), .ok)
        XCTAssertEqual(try admin.command("ACL", "DELUSER", "bob"), .integer(1))
        XCTAssertTrue(admin.waitForPeerClose(), "bob's own connection is closed after the reply")

        node.process.signal(SIGKILL)
        XCTAssertTrue(node.process.waitForExit(timeout: 10))
        let file = try String(contentsOfFile: node.configPath, encoding: .utf8)
        XCTAssertFalse(file.contains("secret"), "a password in clear:\n\(file)")
        try restartSentinel(node)

        let client = try RedisConnection(port: node.port)
        XCTAssertEqual(try client.command("AUTH", "bob", "bob-secret"), Self.wrongPass)
        XCTAssertEqual(try client.command("AUTH", "alice", "alice-secret"), .ok)
        XCTAssertEqual(try client.command("SENTINEL", "RESET", "*"),
                       .errorText("NOPERM this user has no permissions to run the 'sentinel|reset' command"))
        XCTAssertEqual(try client.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"),
                       .array([.bulk("127.0.0.1"), .bulk(String(master.port))]))
    }

    /// With an `aclfile`, its users are the sentinel's from the start (the default user's
    /// password included), ACL SAVE writes them and ACL LOAD reads them back.
    func testACLFileIsLoadedSavedAndReloadedLikeRedisSentinel() throws {
        let master = try startRedis("master")
        for kind in [SentinelNode.Kind.swift, .redis] {
            let path = "\(directory)/users-\(kind.rawValue).acl"
            try "user default on >default-secret ~* &* +@all\nuser alice on >alice-secret +@all\n".write(toFile: path, atomically: true, encoding: .utf8)
            let node = try startSentinel(kind.rawValue, kind: kind, lines: "aclfile \(path)\n" + monitorLines(master: master, MonitorOptions(quorum: 1)))
            let client = try RedisConnection(port: node.port)
            XCTAssertEqual(try client.command("PING"), .errorText("NOAUTH Authentication required."), node.name)
            XCTAssertEqual(try client.command("AUTH", "default-secret"), .ok, node.name)
            XCTAssertEqual(try client.command("ACL", "SETUSER", "bob", "on", ">bob-secret", "+@all"), .ok, node.name)
            XCTAssertEqual(try client.command("ACL", "SAVE"), .ok, node.name)
            // The SHA-256 of each password, as Python's hashlib computes it.
            let saved = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertEqual(saved, """
                user alice on #0c848abb03307b06cf70cd4e29c157dc81af5e94ab3eb1d0c59a120269572376 resetchannels +@all
                user bob on #9f03ef1533a68d2f506f81ef463c1183a82a6bd40e45613f36e6fe1889cf1b99 resetchannels +@all
                user default on #0a9f34c448a4bb29e6f296695654e31d047d2e886791dfd83c120f848b518065 ~* &* +@all

                """, node.name)
            XCTAssertEqual(try client.command("ACL", "DELUSER", "alice"), .integer(1), node.name)
            XCTAssertEqual(try client.command("ACL", "LOAD"), .ok, node.name)
            XCTAssertEqual(try client.command("ACL", "USERS"), .array([.bulk("alice"), .bulk("bob"), .bulk("default")]), node.name)
            XCTAssertEqual(try RedisConnection(port: node.port).command("AUTH", "bob", "bob-secret"), .ok, node.name)

            try "user alice on bogus\n".write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertEqual(try client.command("ACL", "LOAD"),
                           .errorText("ERR \(path):1: Syntax error. WARNING: ACL errors detected, no change to the previously active ACL rules was performed"),
                           node.name)
            XCTAssertEqual(try client.command("ACL", "USERS"), .array([.bulk("alice"), .bulk("bob"), .bulk("default")]), node.name)
        }
    }

    /// A sentinel.conf with CRLF line endings and a leading comment loads its masters, its
    /// password and its bind, and its rewrite loads again with the same meaning.
    func testCRLFConfigurationLoadsAndSurvivesItsRewrite() throws {
        let master = try startRedis("master")
        let node = try startSentinel("swift", lines: "requirepass crlf-secret\n" + monitorLines(master: master, MonitorOptions(quorum: 1)))
        node.process.stop()
        let lines = try String(contentsOfFile: node.configPath, encoding: .utf8).split(separator: "\n").map(String.init)
        try (["# edited on Windows"] + lines).map { $0 + "\r\n" }.joined().write(toFile: node.configPath, atomically: true, encoding: .utf8)

        for round in ["CRLF file", "its rewrite"] {
            try restartSentinel(node)
            let client = try RedisConnection(port: node.port)
            XCTAssertEqual(try client.command("PING"), .errorText("NOAUTH Authentication required."), round)
            XCTAssertEqual(try client.command("AUTH", "crlf-secret"), .ok, round)
            XCTAssertEqual(try client.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"),
                           .array([.bulk("127.0.0.1"), .bulk(String(master.port))]), round)
            XCTAssertEqual(try client.command("SENTINEL", "FLUSHCONFIG"), .ok, round)
            let file = try String(contentsOfFile: node.configPath, encoding: .utf8)
            XCTAssertTrue(file.hasPrefix("# edited on Windows\n"), "\(round):\n\(file)")
            XCTAssertTrue(file.contains("\nbind 127.0.0.1\n") && file.contains("\nrequirepass \"crlf-secret\"\n"), "\(round):\n\(file)")
            XCTAssertFalse(file.contains("\r"), "\(round):\n\(file)")
            node.process.stop()
        }
    }

    /// An `auth-pass` that is not UTF-8 reaches the master as the configured bytes: the
    /// sentinel authenticates and reads its INFO, as redis-sentinel does.
    func testNonUTF8AuthPassAuthenticatesToTheMaster() throws {
        try FileManager.default.createDirectory(atPath: "\(directory)/master", withIntermediateDirectories: true)
        try Data("requirepass \"p\\xffw\\xe9\"\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/master/redis.conf"))
        let master = try startRedis("master")
        XCTAssertEqual(try query(master.port, "PING"), .errorText("NOAUTH Authentication required."))
        let lines = monitorLines(master: master, MonitorOptions(quorum: 1)) + "sentinel auth-pass mymaster \"p\\xffw\\xe9\"\n"
        for kind in [SentinelNode.Kind.swift, .redis] {
            let node = try startSentinel(kind.rawValue, kind: kind, lines: lines)
            try waitUntil("\(node.name) reads the master's INFO (its run id is known)") {
                let fields = try sentinelMaster(node)
                return fields["flags"] == "master" && (fields["runid"] ?? "").count == 40
            }
        }
    }
}
