import Foundation
import Glibc
import RESP
import XCTest

/// What an operator runs: the SysV init script, a second instance on a taken port, the
/// notification and client-reconfig scripts, and `Scripts/discover-master.sh`.
final class OperationsTests: FailoverTestCase {
    private var initScript: String { Self.packageRoot + "/Scripts/init/swift-sentinel.init" }
    private var discoverScript: String { Self.packageRoot + "/Scripts/discover-master.sh" }

    /// A config for a daemonized sentinel on `port` monitoring `master`; returns (config, pidfile, logfile).
    private func daemonConfig(_ name: String, port: Int, master: RedisNode) throws -> (String, String, String) {
        let config = "\(directory)/\(name).conf", pidfile = "\(directory)/\(name).pid", logfile = "\(directory)/\(name).log"
        let text = "port \(port)\nbind 127.0.0.1\ndaemonize yes\npidfile \(pidfile)\nlogfile \(logfile)\ndir \(directory)\n"
            + monitorLines(master: master, MonitorOptions(quorum: 1))
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, pidfile, logfile)
    }

    private func runInit(_ action: String, config: String, pidfile: String) throws -> CommandResult {
        try runToCompletion(initScript, [action],
                            environment: ["DAEMON": Self.swiftSentinelBinary, "CONFIG": config, "PIDFILE": pidfile], timeout: 60)
    }

    /// Stops, in tearDown, the daemon whose pid `pidfile` names if it still runs `config`.
    private func stopDaemonInTearDown(pidfile: String, config: String) {
        addTeardownBlock {
            guard let text = try? String(contentsOfFile: pidfile, encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  processIsAlive(pid), processCommandLine(pid).contains(config) else { return }
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while processIsAlive(pid) && Date() < deadline { usleep(50_000) }
            if processIsAlive(pid) { kill(pid, SIGKILL) }
        }
    }

    private func pid(in pidfile: String) -> Int32? {
        (try? String(contentsOfFile: pidfile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func testInitScriptStartsReportsAndStopsTheDaemon() throws {
        let master = try startRedis("master")
        let port = try freePort()
        let (config, pidfile, logfile) = try daemonConfig("daemon", port: port, master: master)
        stopDaemonInTearDown(pidfile: pidfile, config: config)

        let start = try runInit("start", config: config, pidfile: pidfile)
        XCTAssertEqual(start.status, 0, "\(start)")
        guard let pid = pid(in: pidfile) else { return XCTFail("no pid in \(pidfile) after start: \(start)") }
        XCTAssertTrue(start.output.contains("started (pid \(pid))"), "\(start)")
        XCTAssertTrue(processIsAlive(pid), "pid \(pid) from the pidfile is not running")
        XCTAssertTrue(processCommandLine(pid).contains(config), processCommandLine(pid))
        try waitUntil("the daemon answers PING on \(port)") { try query(port, "PING") == .status("PONG") }
        try waitUntil("the daemon sees the master (flags master)") {
            try query(port, "SENTINEL", "MASTER", "mymaster").fieldDictionary["flags"] == "master"
        }
        let log = (try? String(contentsOfFile: logfile, encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("pid=\(pid)"), "the logfile does not name the daemon's pid:\n\(log)")
        XCTAssertTrue(log.contains("port=\(port)"), "the logfile does not name the port:\n\(log)")

        let status = try runInit("status", config: config, pidfile: pidfile)
        XCTAssertEqual(status.status, 0, "\(status)")
        XCTAssertTrue(status.output.contains("running (pid \(pid))"), "\(status)")
        // A second start is a no-op that says so.
        let again = try runInit("start", config: config, pidfile: pidfile)
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertTrue(again.output.contains("already running (pid \(pid))"), "\(again)")
        XCTAssertEqual(self.pid(in: pidfile), pid)

        let stop = try runInit("stop", config: config, pidfile: pidfile)
        XCTAssertEqual(stop.status, 0, "\(stop)")
        try waitUntil("pid \(pid) is gone after stop", timeout: 20) { !processIsAlive(pid) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: pidfile), "the pidfile is still there after stop")
        XCTAssertThrowsError(try RedisConnection(port: port, timeout: 2), "something still listens on \(port)")
        let stopped = try runInit("status", config: config, pidfile: pidfile)
        XCTAssertEqual(stopped.status, 3, "\(stopped)")
        XCTAssertTrue(stopped.output.contains("not running"), "\(stopped)")
        // The daemon rewrote its config on the way (myid), and left it loadable.
        XCTAssertTrue(try String(contentsOfFile: config, encoding: .utf8).contains("sentinel myid "))
    }

    func testSecondInstanceOnATakenPortFailsNamingTheAddress() throws {
        let master = try startRedis("master")
        let first = try startSentinel("first", lines: monitorLines(master: master, MonitorOptions(quorum: 1)))
        let config = "\(directory)/second.conf"
        try "port \(first.port)\nbind 127.0.0.1\ndir \(directory)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let second = try launch(name: "swift-sentinel second", executable: Self.swiftSentinelBinary, arguments: [config],
                                logPath: "\(directory)/second.log")
        XCTAssertTrue(second.waitForExit(timeout: 20), "a second swift-sentinel on port \(first.port) kept running")
        XCTAssertNotEqual(second.exitStatus, 0, second.log)
        XCTAssertTrue(second.log.contains("127.0.0.1:\(first.port)"), "the message does not name the address: \(second.log)")
        XCTAssertTrue(second.log.contains("Address already in use"), second.log)
        // The first one is unharmed.
        XCTAssertEqual(try query(first.port, "PING"), .status("PONG"))
    }

    /// The init script's `start` of a second daemon (own pidfile and logfile) on a taken port
    /// must fail, and must not leave a pidfile behind. redis-sentinel 7.0.15 as DAEMON does exactly
    /// that: Redis writes the pidfile only after `initServer()` has bound the port, so the script
    /// says "did not write …pid" and exits 1.
    func testInitScriptStartOfASecondDaemonOnATakenPortFails() throws {
        let master = try startRedis("master")
        let first = try startSentinel("first", lines: monitorLines(master: master, MonitorOptions(quorum: 1)))
        let (config, pidfile, logfile) = try daemonConfig("second", port: first.port, master: master)
        stopDaemonInTearDown(pidfile: pidfile, config: config)

        let start = try runInit("start", config: config, pidfile: pidfile)
        try waitUntil("the second daemon logs why it stopped") {
            ((try? String(contentsOfFile: logfile, encoding: .utf8)) ?? "").contains("Could not create server TCP listening socket")
        }
        let log = (try? String(contentsOfFile: logfile, encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("127.0.0.1:\(first.port): Address already in use"), log)
        XCTAssertNotEqual(start.status, 0, "the init script reported a start of a daemon that could not bind: \(start)\nlog:\n\(log)")
        XCTAssertFalse(start.output.contains("started (pid"), "\(start)")
        if let stale = pid(in: pidfile) {
            try waitUntil("pid \(stale) of the failed daemon is gone", timeout: 20) { !processIsAlive(stale) }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: pidfile),
                       "the failed daemon left its pidfile \(pidfile) (\((try? String(contentsOfFile: pidfile, encoding: .utf8)) ?? ""))")
        let status = try runInit("status", config: config, pidfile: pidfile)
        XCTAssertEqual(status.status, 3, "\(status)")
        XCTAssertEqual(try query(first.port, "PING"), .status("PONG"))
    }

    func testNotificationAndClientReconfigScriptsRunOnFailover() throws {
        master = try startRedis("master")
        replicas = [try startRedis("replica1", replicaOf: master), try startRedis("replica2", replicaOf: master)]
        try waitUntil("both replicas report master_link_status:up") {
            try replicas.allSatisfy { try role($0)["master_link_status"] == "up" }
        }
        var notifyLogs: [String] = [], reconfigLogs: [String] = []
        fleet = try (1...3).map { index in
            let notifyLog = "\(directory)/notify-s\(index).log", reconfigLog = "\(directory)/reconfig-s\(index).log"
            notifyLogs.append(notifyLog)
            reconfigLogs.append(reconfigLog)
            let notify = try writeExecutable("notify-s\(index).sh", "#!/bin/sh\necho \"$*\" >> '\(notifyLog)'\n")
            let reconfig = try writeExecutable("reconfig-s\(index).sh", "#!/bin/sh\necho \"$*\" >> '\(reconfigLog)'\n")
            let lines = monitorLines(master: master, MonitorOptions(quorum: 2, downAfterMilliseconds: 1000, failoverTimeout: 10000))
                + "sentinel notification-script mymaster \(notify)\nsentinel client-reconfig-script mymaster \(reconfig)\n"
            return try startSentinel("s\(index)", lines: lines)
        }
        try waitForDiscovery(fleet, replicas: 2)
        let fields = try sentinelMaster(fleet[0])
        XCTAssertEqual(fields["notification-script"], "\(directory)/notify-s1.sh")
        XCTAssertEqual(fields["client-reconfig-script"], "\(directory)/reconfig-s1.sh")

        let old = master!
        old.process.signal(SIGKILL)
        XCTAssertTrue(old.process.waitForExit(timeout: 10))
        let (promoted, _) = try verifyFailover(from: old)
        let from = "127.0.0.1 \(old.port)", to = "127.0.0.1 \(promoted.port)"

        // ODOWN at quorum 2 needs two sentinels that flagged the master down, so at least two
        // notified their +sdown (a third may take the new configuration from a hello before its
        // own down-after has passed); at least the leader notified its +odown.
        try waitUntil("two notification scripts got `+sdown master mymaster \(from)`; now \(notifyLogs.map { self.lines(of: $0) })") {
            notifyLogs.filter { lines(of: $0).contains("+sdown master mymaster \(from)") }.count >= 2
        }
        XCTAssertTrue(notifyLogs.contains { lines(of: $0).contains { $0.hasPrefix("+odown master mymaster \(from) #quorum") } },
                      "no notification script got +odown: \(notifyLogs.map { lines(of: $0) })")
        try waitUntil("every notification script got +switch-master") {
            notifyLogs.allSatisfy { lines(of: $0).contains("+switch-master mymaster \(from) \(to)") }
        }

        // One leader and two observers ran the client-reconfig script, once each.
        let expectedLeader = "mymaster leader start \(from) \(to)", expectedObserver = "mymaster observer start \(from) \(to)"
        try waitUntil("one client-reconfig script got `\(expectedLeader)` and the two others `\(expectedObserver)`; now \(reconfigLogs.map { self.lines(of: $0) })") {
            let all = reconfigLogs.map { lines(of: $0) }
            return all.filter { $0 == [expectedLeader] }.count == 1 && all.filter { $0 == [expectedObserver] }.count == 2
        }
    }

    func testDiscoverMasterScriptFindsTheMasterBeforeAndAfterFailoverAndAttaches() throws {
        try startFleet([.swift, .swift, .swift])
        let dead = try freePort()
        let arguments = ["mymaster", "127.0.0.1:\(dead)"] + fleet.map { "127.0.0.1:\($0.port)" }

        let before = try runToCompletion(discoverScript, arguments)
        XCTAssertEqual(before.status, 0, "\(before)")
        XCTAssertEqual(before.output, "127.0.0.1 \(master.port)\n", "\(before)")
        let unknown = try runToCompletion(discoverScript, ["nosuch", "127.0.0.1:\(dead)", "127.0.0.1:\(fleet[0].port)"])
        XCTAssertEqual(unknown.status, 1, "\(unknown)")
        XCTAssertTrue(unknown.error.contains("no sentinel answered for master 'nosuch'"), "\(unknown)")

        let old = master!
        old.process.signal(SIGKILL)
        XCTAssertTrue(old.process.waitForExit(timeout: 10))
        let (promoted, _) = try verifyFailover(from: old)
        let after = try runToCompletion(discoverScript, arguments)
        XCTAssertEqual(after.status, 0, "\(after)")
        XCTAssertEqual(after.output, "127.0.0.1 \(promoted.port)\n", "\(after)")

        // A fresh standalone server attaches to whatever the sentinels name.
        let fresh = try startRedis("fresh")
        XCTAssertEqual(try role(fresh)["role"], "master")
        let attach = try runToCompletion(discoverScript, arguments + ["--attach", String(fresh.port)])
        XCTAssertEqual(attach.status, 0, "\(attach)")
        XCTAssertEqual(attach.output, "127.0.0.1 \(promoted.port)\n", "\(attach)")
        XCTAssertTrue(attach.error.contains("now replicates 127.0.0.1:\(promoted.port)"), "\(attach)")
        try waitUntil("the fresh server replicates \(promoted.address) with master_link_status:up; now \((try? self.role(fresh)) ?? [:])") {
            let fields = try role(fresh)
            return fields["role"] == "slave" && fields["master_port"] == String(promoted.port) && fields["master_link_status"] == "up"
        }
        // The master itself is left alone.
        let itself = try runToCompletion(discoverScript, arguments + ["--attach", String(promoted.port)])
        XCTAssertEqual(itself.status, 0, "\(itself)")
        XCTAssertEqual(try role(promoted)["role"], "master")
    }
}
