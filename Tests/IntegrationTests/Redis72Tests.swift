import Foundation
import Glibc
import RESP
import XCTest

/// Redis 7.2's behaviours against a real swift-sentinel: `redis-compatibility 7.2` (the command
/// table and version it presents, kept across a rewrite and a restart) and `SENTINEL CONFIG SET
/// loglevel`, which changes what the log file gets and is written to the configuration file.
final class Redis72Tests: IntegrationTestCase {
    func testRedisCompatibility72PresentsRedis72AndSurvivesARestart() throws {
        let master = try startRedis("master")
        let sentinel = try startSentinel("s1", lines: "redis-compatibility 7.2\n" + monitorLines(master: master))
        func check() throws {
            let names = (try query(sentinel.port, "COMMAND", "LIST").elements ?? []).compactMap(\.text)
            XCTAssertEqual(names.count, 73)
            XCTAssertTrue(names.contains("client|setinfo"))
            XCTAssertEqual(try info(sentinel.port, "server")["redis_version"], "7.2.4")
        }
        try check()
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "CONFIG", "SET", "announce-port", "1234", "resolve-hostnames", "no"), .ok)
        let text = (try? String(contentsOfFile: sentinel.configPath, encoding: .utf8)) ?? ""
        XCTAssertTrue(text.contains("redis-compatibility 7.2\n"), text)
        sentinel.process.stop()
        try restartSentinel(sentinel)
        try check()
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "CONFIG", "GET", "announce-port").elements?.compactMap(\.text),
                       ["announce-port", "1234"])
    }

    func testLogLevelSetAtRuntimeChangesTheLogAndIsKept() throws {
        let master = try startRedis("master")
        // A second master nobody listens for: its failed reconnections are debug-level events.
        let unreachable = try freePort()
        let sentinel = try startSentinel("s1", lines: monitorLines(master: master) + "sentinel monitor gone 127.0.0.1 \(unreachable) 2\n")
        try waitUntil("the sentinel saw its first master") { try sentinelMaster(sentinel)["flags"] == "master" }
        XCTAssertFalse(sentinel.process.log.contains("-cmd-link-reconnection"))
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "CONFIG", "SET", "loglevel", "debug"), .ok)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "CONFIG", "GET", "loglevel").elements?.compactMap(\.text), ["loglevel", "debug"])
        try waitUntil("debug lines (-cmd-link-reconnection master gone) in the log") {
            sentinel.process.log.contains("-cmd-link-reconnection master gone 127.0.0.1 \(unreachable)")
        }
        let text = (try? String(contentsOfFile: sentinel.configPath, encoding: .utf8)) ?? ""
        XCTAssertTrue(text.contains("\nloglevel debug\n"), text)

        sentinel.process.stop()
        try restartSentinel(sentinel)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "CONFIG", "GET", "loglevel").elements?.compactMap(\.text), ["loglevel", "debug"])
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "CONFIG", "SET", "loglevel", "loud"),
                       .errorText("ERR Invalid value 'loud' to SENTINEL CONFIG SET 'loglevel'"))
    }
}
