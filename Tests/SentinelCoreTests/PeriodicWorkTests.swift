import XCTest
@testable import SentinelCore

/// The periodic work on each instance (`Monitoring/PeriodicWork.swift`, SENTINEL-PROTOCOL.md
/// §2, §5.1): SDOWN after down-after without a valid reply, for masters, replicas and
/// sentinels.
final class PeriodicWorkTests: MonitoringTestCase {
    func testSubjectivelyDownAfterDownAfterWithoutPong() throws {
        let (h, master) = try makeHarness()
        h.run(for: 1_000)
        master.hung = true
        h.run(for: 4_000)
        XCTAssertTrue(h.events("+sdown").isEmpty, "SDOWN before down-after elapsed")
        h.run(until: { !h.events("+sdown").isEmpty }, limit: 1_200)
        XCTAssertEqual(h.events("+sdown"), [masterDetails])
        XCTAssertEqual(h.masterFields("mymaster")["flags"], "s_down,master")
        XCTAssertNotNil(h.masterFields("mymaster")["s-down-time"])
        let c = h.connectClient()
        XCTAssertTrue(h.send(c, "INFO", "sentinel").text?.contains("master0:name=mymaster,status=sdown,") ?? false)
        // PONG resumes.
        h.resume(master)
        h.run(for: 100)
        XCTAssertEqual(h.events("-sdown"), [masterDetails])
        XCTAssertEqual(h.masterFields("mymaster")["flags"], "master")
    }

    /// A hang is found at down-after after the last reply (to within a tick), whatever the
    /// phase of the PINGs when it starts; never before (Redis: up to a ping period later).
    func testHangIsFoundAtDownAfterAfterTheLastReplyWhateverThePingPhase() throws {
        for phase: Milliseconds in stride(from: 0, to: 1_000, by: 125) {
            let (h, master) = try makeHarness()
            h.run(for: 2_000)
            h.run(for: phase, step: 1)
            master.hung = true
            let sinceLastReply = Milliseconds(h.masterFields("mymaster")["last-ok-ping-reply"] ?? "") ?? -1
            XCTAssertTrue((0...1_000).contains(sinceLastReply), "phase \(phase): \(sinceLastReply)")
            var waited: Milliseconds = 0
            while h.events("+sdown").isEmpty && waited < 10_000 {
                h.run(for: 10, step: 10)
                waited += 10
            }
            let downAfterLastReply = sinceLastReply + waited
            XCTAssertGreaterThan(downAfterLastReply, 5_000, "phase \(phase): SDOWN before down-after")
            XCTAssertLessThanOrEqual(downAfterLastReply, 5_000 + 100, "phase \(phase): SDOWN \(downAfterLastReply) ms after the last reply")
        }
    }

    func testNeverReachableMasterGoesDown() throws {
        let (h, master) = try makeHarness()
        master.acceptsConnections = false
        h.run(for: 5_000)
        XCTAssertTrue(h.events("+sdown").isEmpty)
        h.run(for: 200)
        XCTAssertEqual(h.events("+sdown"), [masterDetails])
    }

    func testReplicaAndSentinelGoSubjectivelyDownToo() throws {
        let (h, master) = try makeHarness("sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))")
        let peer = h.addServer(FakeRedis.sentinel(port: 26380, runID: runID("b")))
        let replica = h.addServer(FakeRedis(port: 6380, role: .replica))
        replica.replicate(master)
        h.run(for: 1_000)
        XCTAssertTrue(peer.received.contains { $0.arguments == ["PING"] })
        // Sentinel links have no pub/sub connection.
        XCTAssertFalse(peer.received.contains { $0.arguments.first == "SUBSCRIBE" })
        replica.hung = true
        peer.hung = true
        h.run(for: 7_000)
        XCTAssertEqual(h.events("+sdown").sorted(), [
            "sentinel \(runID("b")) 127.0.0.1 26380 @ mymaster 127.0.0.1 6379",
            "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379",
        ])
    }
}
