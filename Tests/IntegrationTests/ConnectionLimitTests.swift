import Foundation
import Glibc
import RESP
import XCTest

/// `maxclients` and the open-files limit, against redis-sentinel 7.0.15 where it behaves
/// well, and what swift-sentinel does where it does not (out of descriptors, redis-sentinel
/// spins on its listener and leaves the connections hanging).
final class ConnectionLimitTests: IntegrationTestCase {
    static let refusal = RESPValue.errorText("ERR max number of clients reached")

    /// A sentinel of `kind` started through `prlimit --nofile=<openFiles>`, on a free port.
    private func startUnderOpenFilesLimit(_ name: String, kind: SentinelNode.Kind, openFiles: Int) throws -> (port: Int, logPath: String) {
        let nodeDirectory = "\(directory)/\(name)"
        try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
        let configPath = "\(nodeDirectory)/sentinel.conf"
        let logPath = "\(nodeDirectory)/sentinel.log"
        let port = try freePort()
        var text = "port \(port)\nbind 127.0.0.1\ndir \(nodeDirectory)\n"
        if kind == .redis { text += "daemonize no\nlogfile \(logPath)\n" }
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        let binary = kind == .swift ? Self.swiftSentinelBinary : Self.findExecutable("redis-sentinel")
        _ = try launch(name: "\(kind.rawValue) \(name)", executable: Self.findExecutable("prlimit"),
                       arguments: ["--nofile=\(openFiles):\(openFiles)", binary, configPath],
                       logPath: kind == .swift ? logPath : logPath + ".stdout")
        try waitUntil("\(name) answers PING") { (try? query(port, "PING")) == .status("PONG") }
        return (port, logPath)
    }

    /// The text of each log line after its `pid:X date time level ` prefix.
    private func logMessages(_ path: String) -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: false)
            return words.count == 6 ? String(words[5]) : nil
        }
    }

    func testMaxclientsRefusalMatchesRedisSentinel() throws {
        let swift = try startSentinel("swift", kind: .swift, lines: "maxclients 3\n")
        let redis = try startSentinel("redis", kind: .redis, lines: "maxclients 3\n")
        for node in [swift, redis] {
            // Start from one client, once the start-up probe's connection is gone.
            let first = try RedisConnection(port: node.port)
            try waitUntil("\(node.name) has one client") {
                parseInfo(try first.command("INFO", "clients"))["connected_clients"] == "1"
            }
            let admitted = try [first] + (0..<2).map { _ in try RedisConnection(port: node.port) }
            for connection in admitted { XCTAssertEqual(try connection.command("PING"), .status("PONG"), node.name) }
            let refused = try RedisConnection(port: node.port)
            XCTAssertEqual(try refused.readReply(), Self.refusal, node.name)
            XCTAssertTrue(refused.waitForPeerClose(), node.name)
            XCTAssertEqual(parseInfo(try admitted[1].command("INFO", "clients"))["maxclients"], "3", node.name)
            XCTAssertEqual(parseInfo(try admitted[1].command("INFO", "stats"))["rejected_connections"], "1", node.name)
            // The refused connection held no place: closing an admitted one makes room.
            admitted[0].close()
            try waitUntil("\(node.name) sees the client leave") {
                parseInfo(try admitted[1].command("INFO", "clients"))["connected_clients"] == "2"
            }
            XCTAssertEqual(try query(node.port, "PING"), .status("PONG"), node.name)
        }
    }

    func testLowOpenFilesLimitLowersMaxclientsAsRedisSentinelDoes() throws {
        let swift = try startUnderOpenFilesLimit("swift", kind: .swift, openFiles: 100)
        let redis = try startUnderOpenFilesLimit("redis", kind: .redis, openFiles: 100)
        let warnings = [
            "# You requested maxclients of 10000 requiring at least 10032 max file descriptors.",
            "# Server can't set maximum open files to 10032 because of OS error: Operation not permitted.",
            "# Current maximum open files is 100. maxclients has been reduced to 68 to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
        ]
        for (name, started) in [("swift", swift), ("redis", redis)] {
            XCTAssertEqual(parseInfo(try query(started.port, "INFO", "clients"))["maxclients"], "68", name)
            let messages = logMessages(started.logPath)
            XCTAssertEqual(messages.filter { $0.contains("maxclients") || $0.contains("open files") }, warnings, name)
        }
    }

    /// The open-files limit lowered under a running sentinel (as `prlimit --pid` does): the
    /// pending connections are turned away with the refusal, the accept error is logged once,
    /// connected clients are still served, and new ones are admitted when others leave.
    func testOutOfDescriptorsClientsAreTurnedAwayWithoutSpinning() throws {
        let node = try startSentinel("swift", kind: .swift, lines: "")
        let pid = node.process.pid
        let kept = try RedisConnection(port: node.port)
        XCTAssertEqual(try kept.command("PING"), .status("PONG"))
        let openNow = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        let limit = openNow + 5
        let lowered = try launch(name: "prlimit", executable: Self.findExecutable("prlimit"),
                                 arguments: ["--pid", String(pid), "--nofile=\(limit):\(limit)"], logPath: "\(directory)/prlimit.log")
        XCTAssertTrue(lowered.waitForExit(timeout: 30))
        XCTAssertEqual(lowered.exitStatus, 0, lowered.log)

        var extra: [RedisConnection] = []
        var answers: [RESPValue] = []
        for _ in 0..<30 {
            let connection = try RedisConnection(port: node.port)
            try connection.send(["PING"])
            extra.append(connection)
        }
        for connection in extra { answers.append((try? connection.readReply()) ?? .errorText("no reply")) }
        let refusals = answers.filter { $0 == Self.refusal }.count
        XCTAssertEqual(refusals + answers.filter { $0 == .status("PONG") }.count, 30, "\(answers)")
        XCTAssertGreaterThanOrEqual(refusals, 20, "\(answers)")

        // Measured for the record, not asserted (the old accept loop used most of a core).
        func cpuTicks() throws -> Int {
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            let fields = stat.split(separator: ")").last!.split(separator: " ")
            return Int(fields[11])! + Int(fields[12])!
        }
        let before = try cpuTicks()
        usleep(1_000_000)
        print("swift-sentinel used \(try cpuTicks() - before) CPU ticks (of \(sysconf(Int32(_SC_CLK_TCK)))) in 1 s out of descriptors")

        XCTAssertEqual(try kept.command("PING"), .status("PONG"))
        XCTAssertEqual(parseInfo(try kept.command("INFO", "stats"))["rejected_connections"], String(refusals))
        let reports = node.process.log.components(separatedBy: "\n").filter { $0.contains("Accepting client connection") }
        XCTAssertTrue((1...3).contains(reports.count), "\(reports.count) reports: \(reports.prefix(5))")
        XCTAssertTrue(reports.allSatisfy { $0.contains("# Accepting client connection: accept: Too many open files") }, "\(reports.prefix(5))")

        for connection in extra { connection.close() }
        try waitUntil("a new client is admitted") { (try? query(node.port, "PING")) == .status("PONG") }
    }
}
