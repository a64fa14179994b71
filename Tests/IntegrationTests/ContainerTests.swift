import Foundation
import XCTest

/// A sentinel run as containers run it (README "Containers"): the main configuration on a
/// read-only file system, the state in `sentinel state-config-file`.
final class ContainerTests: IntegrationTestCase {
    /// The user the sentinel runs as: root writes through any file mode, so a read-only
    /// main file is only read-only for another user.
    static let unprivilegedID = 65534

    /// Starts the sentinel as the unprivileged user with `configPath`, waits until it answers.
    func launchUnprivileged(_ name: String, configPath: String, port: Int, logPath: String) throws -> ManagedProcess {
        let process = try launch(name: "swift-sentinel \(name)", executable: "/usr/bin/setpriv",
                                 arguments: ["--reuid=\(Self.unprivilegedID)", "--regid=\(Self.unprivilegedID)", "--clear-groups",
                                             Self.swiftSentinelBinary, configPath], logPath: logPath)
        try waitUntil("\(name) answers PING; log:\n\(process.logTail())", timeout: 20) {
            guard process.isRunning else { throw IntegrationError("\(name) exited; log:\n\(process.logTail())") }
            return (try? query(port, "PING")) == .status("PONG")
        }
        return process
    }

    func testAReadOnlyMainFileIsNeverWrittenThroughAFailoverAndARestart() throws {
        let master = try startRedis("master")
        let replica = try startRedis("replica", replicaOf: master)
        let configDirectory = "\(directory)/config"
        let stateDirectory = "\(directory)/state"
        let configPath = "\(configDirectory)/sentinel.conf"
        let statePath = "\(stateDirectory)/sentinel-state.conf"
        let logPath = "\(directory)/sentinel.log"
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let port = try freePort()
        var options = MonitorOptions()
        options.quorum = 1
        options.failoverTimeout = 2000
        let mainText = "port \(port)\nbind 127.0.0.1\nsentinel state-config-file \(statePath)\n" + monitorLines(master: master, options)
        try mainText.write(toFile: configPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(configPath, 0o444), 0)
        XCTAssertEqual(chmod(configDirectory, 0o555), 0)
        XCTAssertEqual(chmod(directory, 0o755), 0)
        XCTAssertEqual(chown(stateDirectory, uid_t(Self.unprivilegedID), gid_t(Self.unprivilegedID)), 0)
        let mainBytes = try Data(contentsOf: URL(fileURLWithPath: configPath))

        var process = try launchUnprivileged("s1", configPath: configPath, port: port, logPath: logPath)
        // A first start is a start without state: it joins once it has waited for its peers.
        try waitUntil("the sentinel joined and knows the replica; log:\n\(process.logTail())", timeout: 40) {
            let replicas = try query(port, "SENTINEL", "MASTER", "mymaster").fieldDictionary["num-slaves"]
            return process.log.contains("Sentinel joins the fleet") && replicas == "1"
        }
        let myID = try XCTUnwrap(query(port, "SENTINEL", "MYID").text)
        XCTAssertEqual(try query(port, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "1500"), .ok)
        XCTAssertEqual(try query(port, "SENTINEL", "FAILOVER", "mymaster"), .ok)
        try waitUntil("the failover ends at the replica's address") {
            let address = try query(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
            return address.elements?.last?.text == String(replica.port) && process.log.contains("+failover-end")
        }
        let state = try String(contentsOfFile: statePath, encoding: .utf8)
        XCTAssertTrue(state.contains("sentinel myid \(myID)\n"), state)
        XCTAssertTrue(state.contains("sentinel monitor mymaster 127.0.0.1 \(replica.port) 1\n"), state)
        XCTAssertTrue(state.contains("sentinel config-epoch mymaster 1\n"), state)
        XCTAssertTrue(state.contains("sentinel down-after-milliseconds mymaster 1500\n"), state)
        XCTAssertFalse(process.log.contains("WARNING: Sentinel was not able to save"), process.logTail())

        process.stop()
        process = try launchUnprivileged("s1", configPath: configPath, port: port, logPath: logPath + ".2")
        XCTAssertEqual(try query(port, "SENTINEL", "MYID").text, myID)
        let restarted = try query(port, "SENTINEL", "MASTER", "mymaster").fieldDictionary
        XCTAssertEqual(restarted["port"], String(replica.port))
        XCTAssertEqual(restarted["config-epoch"], "1")
        XCTAssertEqual(restarted["down-after-milliseconds"], "1500")
        XCTAssertFalse(process.log.contains("started without its state"), process.logTail())
        // Its state changes are still saved (the reply waits for the write).
        XCTAssertEqual(try query(port, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "1600"), .ok)
        XCTAssertTrue(try String(contentsOfFile: statePath, encoding: .utf8).contains("sentinel down-after-milliseconds mymaster 1600\n"))

        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: configPath)), mainBytes, "the main file is byte-for-byte unchanged")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: configDirectory), ["sentinel.conf"])
    }

    /// The blind window of an operator's `SENTINEL RESET` loop: the master dies right after a
    /// reset, before its INFO lists the replicas again. redis-sentinel has no replica left to
    /// promote (`-failover-abort-no-good-slave` until someone intervenes); swift-sentinel
    /// takes back the replicas the reset dropped and fails over.
    func testAMasterKilledRightAfterAResetIsFailedOver() throws {
        let master = try startRedis("master")
        let replicas = [try startRedis("replica1", replicaOf: master), try startRedis("replica2", replicaOf: master)]
        try waitUntil("both replicas report master_link_status:up") {
            try replicas.allSatisfy { try role($0)["master_link_status"] == "up" }
        }
        let sentinel = try startSentinel("s1", lines: monitorLines(master: master, MonitorOptions(quorum: 1, downAfterMilliseconds: 1000, failoverTimeout: 10000)))
        try waitForDiscovery([sentinel], replicas: 2)
        master.process.signal(SIGKILL)
        XCTAssertEqual(try query(sentinel.port, "SENTINEL", "RESET", "mymaster"), .integer(1))
        let address = try waitForAgreedNewMaster([sentinel], old: master)
        XCTAssertTrue(replicas.contains { $0.address == address }, "\(address) is not one of the replicas")
    }
}
