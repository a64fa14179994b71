import Foundation
import Glibc
import RESP
import XCTest

/// `SENTINEL FAILOVER` while a redis-py client writes continuously: the coordinated path loses no
/// acknowledged write (issue 9), with swift-sentinels only and with a swift-sentinel leading two
/// redis-sentinels; the FORCE path still fails over.
final class CoordinatedFailoverTests: FailoverTestCase {
    /// What one failover under writes measured.
    struct Outcome {
        let newMaster: RedisNode
        let acknowledged: Int
        let lost: Int
        let longestPause: Double
        let convergence: Double
        let writerReport: String
    }

    /// A running redis-py `stream` writer.
    private struct Writer {
        let process: ManagedProcess
        let acks: String
        let stop: String
    }

    private var allNodes: [RedisNode] { [master] + replicas }

    private func startWriter(_ prefix: String) throws -> Writer {
        let (python, script) = try redisPyClient()
        let acks = "\(directory)/\(prefix)acks", stop = "\(directory)/\(prefix)stop"
        let process = try launch(name: "redis-py writer \(prefix)", executable: python,
                                 arguments: [script, "stream", sentinelSpec, prefix, acks, stop],
                                 logPath: "\(directory)/\(prefix)writer.log")
        return Writer(process: process, acks: acks, stop: stop)
    }

    /// Complete "key seconds" lines written so far.
    private func acknowledged(_ writer: Writer) -> [(String, Double)] {
        let text = (try? String(contentsOfFile: writer.acks, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let time = Double(parts[1]) else { return nil }
            return (String(parts[0]), time)
        }
    }

    /// Waits until the sentinels are idle on `current` with both other servers linked replicas.
    private func waitForSteadyState(current: RedisNode) throws {
        let others = allNodes.filter { $0 !== current }
        try waitUntil("\(others.map(\.address)) replicate \(current.address) with master_link_status:up") {
            try others.allSatisfy { node in
                let fields = try role(node)
                return fields["role"] == "slave" && fields["master_port"] == String(current.port) && fields["master_link_status"] == "up"
            }
        }
        try waitUntil("every sentinel shows \(current.address) (flags master) with both replicas linked; now: "
                      + fleet.map { node in
                          let fields = (try? self.sentinelMaster(node)) ?? [:]
                          return "\(node.name) \(fields["port"] ?? "?") \(fields["flags"] ?? "?") slaves=\(fields["num-slaves"] ?? "?")"
                      }.joined(separator: ", "), timeout: 60) {
            try fleet.allSatisfy { node in
                let fields = try sentinelMaster(node)
                guard fields["port"] == String(current.port), fields["flags"] == "master" else { return false }
                let entries = (try query(node.port, "SENTINEL", "REPLICAS", "mymaster").elements ?? []).map(\.fieldDictionary)
                return Set(entries.filter { $0["flags"] == "slave" && $0["master-link-status"] == "ok" }.map { $0["name"] ?? "" })
                    .isSuperset(of: Set(others.map(\.address)))
            }
        }
    }

    /// Issues `SENTINEL FAILOVER mymaster [FORCE]` to `sentinel` while a writer runs; waits until the
    /// fleet agrees on a new master and the old one is its linked replica, lets the writer make progress
    /// on the new master, stops it and counts acknowledged keys missing from the new master.
    private func failoverUnderWrites(round: Int, from old: RedisNode, via sentinel: SentinelNode, force: Bool) throws -> Outcome {
        try waitForSteadyState(current: old)
        let prefix = "r\(round)k"
        let writer = try startWriter(prefix)
        try waitUntil("the writer has 200 acknowledged writes on \(old.address); log: \(writer.process.logTail(5))") {
            acknowledged(writer).count >= 200
        }
        let events = try subscribe(sentinel.port)

        let started = Date()
        let arguments = ["SENTINEL", "FAILOVER", "mymaster"] + (force ? ["FORCE"] : [])
        let reply = try RedisConnection(port: sentinel.port).command(arguments)
        XCTAssertEqual(reply, .ok, "\(arguments.joined(separator: " ")) to \(sentinel.name): \(reply.debugText)")
        let address = try waitForAgreedNewMaster(fleet, old: old)
        guard let promoted = allNodes.first(where: { $0.address == address }) else {
            XCTFail("the sentinels agree on \(address), not one of \(allNodes.map(\.address))")
            throw IntegrationError("unexpected new master \(address)")
        }
        try waitUntil("the old master \(old.address) replicates \(address) with master_link_status:up; now \((try? self.role(old)) ?? [:])", timeout: 60) {
            let fields = try role(old)
            return fields["role"] == "slave" && fields["master_port"] == String(promoted.port) && fields["master_link_status"] == "up"
        }
        let convergence = Date().timeIntervalSince(started)
        XCTAssertEqual(try role(promoted)["role"], "master")

        // The client library finds the new master by itself: more acknowledged writes after convergence.
        let atConvergence = acknowledged(writer).count
        try waitUntil("the writer acknowledges 200 more writes after the switch (it has \(self.acknowledged(writer).count - atConvergence)); log: \(writer.process.logTail(5))") {
            acknowledged(writer).count >= atConvergence + 200
        }
        _ = FileManager.default.createFile(atPath: writer.stop, contents: Data())
        XCTAssertTrue(writer.process.waitForExit(timeout: 30), "the writer did not stop")
        XCTAssertEqual(writer.process.exitStatus, 0, writer.process.logTail())
        let acks = acknowledged(writer)
        let keys = acks.map(\.0)
        XCTAssertEqual(Set(keys).count, keys.count, "a key was acknowledged twice")
        let present = try countExisting(keys, port: promoted.port)
        var pause = 0.0
        for index in acks.indices.dropFirst() { pause = max(pause, acks[index].1 - acks[index - 1].1) }

        if force {
            XCTAssertTrue(events.hasEvent("+elected-leader", containing: "master mymaster 127.0.0.1 \(old.port)")
                          || events.hasEvent("+selected-slave", containing: "@ mymaster 127.0.0.1 \(old.port)"),
                          "\(sentinel.name) did not lead the forced failover: \(events.events)")
        } else {
            XCTAssertTrue(events.hasEvent("+coordinated-failover-sent", containing: promoted.address.replacingOccurrences(of: ":", with: " ")),
                          "\(sentinel.name) did not use the coordinated path: \(events.events)")
            XCTAssertFalse(events.hasEvent("-coordinated-failover-fallback", containing: ""),
                           "\(sentinel.name) fell back to the classic path: \(events.events)")
        }
        return Outcome(newMaster: promoted, acknowledged: keys.count, lost: keys.count - present, longestPause: pause,
                       convergence: convergence, writerReport: writer.process.logTail(3))
    }

    private func record(_ label: String, _ outcome: Outcome) {
        print(String(format: "%@: acknowledged %d, lost %d, longest pause between acknowledged writes %.3f s, convergence %.3f s, writer %@",
                     label, outcome.acknowledged, outcome.lost, outcome.longestPause, outcome.convergence, outcome.writerReport))
    }

    func testCoordinatedFailoverLosesNoAcknowledgedWriteThreeTimesInARow() throws {
        try startFleet([.swift, .swift, .swift])
        var current = master!
        for round in 1...3 {
            let via = fleet[round % fleet.count]
            let outcome = try failoverUnderWrites(round: round, from: current, via: via, force: false)
            record("coordinated round \(round) via \(via.name) \(current.address) -> \(outcome.newMaster.address)", outcome)
            XCTAssertEqual(outcome.lost, 0, "round \(round): \(outcome.lost) of \(outcome.acknowledged) acknowledged writes are missing on the new master")
            current = outcome.newMaster
        }
    }

    func testCoordinatedFailoverLedBySwiftSentinelInMixedFleetLosesNoAcknowledgedWrite() throws {
        try startFleet([.swift, .redis, .redis])
        let outcome = try failoverUnderWrites(round: 1, from: master, via: fleet[0], force: false)
        record("coordinated mixed fleet via \(fleet[0].name) \(master.address) -> \(outcome.newMaster.address)", outcome)
        XCTAssertEqual(outcome.lost, 0, "\(outcome.lost) of \(outcome.acknowledged) acknowledged writes are missing on the new master")
        try waitForSteadyState(current: outcome.newMaster)
    }

    func testForcedFailoverUnderWritesStillFailsOver() throws {
        try startFleet([.swift, .swift, .swift])
        let outcome = try failoverUnderWrites(round: 1, from: master, via: fleet[1], force: true)
        // SLAVEOF NO ONE behind the master's back may lose writes: recorded, not asserted.
        record("forced failover via \(fleet[1].name) \(master.address) -> \(outcome.newMaster.address)", outcome)
        let stats = parseInfo(try query(outcome.newMaster.port, "INFO", "commandstats"))
        XCTAssertTrue((stats["cmdstat_slaveof"] ?? "").hasPrefix("calls=1,"),
                      "the promoted replica received \(stats["cmdstat_slaveof"] ?? "no") SLAVEOF commands")
        XCTAssertNil(parseInfo(try query(master.port, "INFO", "commandstats"))["cmdstat_failover"],
                     "FORCE sent FAILOVER to the old master")
        try waitForSteadyState(current: outcome.newMaster)
    }
}
