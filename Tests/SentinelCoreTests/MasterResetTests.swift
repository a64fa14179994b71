import RESP
import XCTest
@testable import SentinelCore

/// Resetting a master (`Monitoring/MasterReset.swift`, SENTINEL-PROTOCOL.md §9.1, §9.3): by
/// `SENTINEL RESET`, and when it moves to a new address (a failover's end, a newer
/// configuration from a peer).
final class MasterResetTests: ClientCommandTestCase {
    let peerID = String(repeating: "b", count: 40)

    /// A sentinel monitoring `mymaster` at 10.0.1.1 with replicas 10.0.1.2 and 10.0.1.3 and one
    /// peer, in the middle of a failover that promoted 10.0.1.3, the peer having answered
    /// that the master is down and voted.
    func makeSentinelInAFailover() throws -> (Sentinel, InstanceID) {
        let text = """
        sentinel myid \(String(repeating: "a", count: 40))
        sentinel monitor mymaster 10.0.1.1 6379 2
        sentinel known-replica mymaster 10.0.1.2 6379
        sentinel known-replica mymaster 10.0.1.3 6379
        sentinel known-sentinel mymaster 10.0.0.2 26379 \(peerID)
        """
        let configuration = try ConfigurationParser.parse(text: text, fileName: "sentinel.conf") { _ in "" }
        var sentinel = Sentinel(configuration: configuration, configurationText: text, environment: SentinelEnvironment(),
                                randomSeed: 1, now: Timestamp(monotonic: 1000, wallClock: 0))
        let masterID = try XCTUnwrap(sentinel.masterID(named: "mymaster"))
        let state = try XCTUnwrap(sentinel.masters[masterID])
        XCTAssertEqual(state.replicas.count, 2)
        let peer = try XCTUnwrap(state.sentinels.first)
        sentinel.instances[masterID]?.runID = String(repeating: "c", count: 40)
        sentinel.instances[masterID]?.flags.formUnion([.subjectivelyDown, .objectivelyDown, .failoverInProgress])
        sentinel.masters[masterID]?.failoverState = .reconfigureReplicas
        sentinel.masters[masterID]?.failoverStartTime = 900
        sentinel.masters[masterID]?.promotedReplica = state.replicas.last
        sentinel.masters[masterID]?.votedLeader = peerID
        sentinel.masters[masterID]?.votedLeaderEpoch = 1
        sentinel.instances[peer]?.flags.insert(.masterDown)
        sentinel.instances[peer]?.votedLeader = peerID
        return (sentinel, masterID)
    }

    func hosts(_ ids: [InstanceID], in sentinel: Sentinel) -> [String] {
        ids.compactMap { sentinel.instances[$0]?.address.host }
    }

    func testAResetForgetsReplicasSentinelsAndTheFailover() throws {
        var (sentinel, masterID) = try makeSentinelInAFailover()
        let before = try XCTUnwrap(sentinel.masters[masterID])
        var turn = Turn()
        sentinel.resetMaster(masterID, keepSentinels: false, now: 2000, turn: &turn)
        let state = try XCTUnwrap(sentinel.masters[masterID])
        let master = try XCTUnwrap(sentinel.instances[masterID])
        XCTAssertEqual(state.replicas, [])
        XCTAssertEqual(state.sentinels, [])
        for removed in before.replicas + before.sentinels { XCTAssertNil(sentinel.instances[removed]) }
        XCTAssertEqual(master.flags, [])
        XCTAssertNil(master.runID)
        XCTAssertEqual(master.roleReported, .master)
        XCTAssertEqual(master.address, HostPort(host: "10.0.1.1", port: 6379))
        XCTAssertEqual(state.failoverState, FailoverState.none)
        XCTAssertEqual(state.failoverStartTime, 0, "a new failover need not wait for the reset one")
        XCTAssertNil(state.promotedReplica)
        XCTAssertNil(state.votedLeader)
    }

    func testANewAddressKeepsThePeersButForgetsWhatTheySaidAboutTheOldOne() throws {
        var (sentinel, masterID) = try makeSentinelInAFailover()
        let peer = try XCTUnwrap(sentinel.masters[masterID]?.sentinels.first)
        var turn = Turn()
        sentinel.resetMasterAndChangeAddress(masterID, to: HostPort(host: "10.0.1.3", port: 6379), now: 2000, turn: &turn)
        let state = try XCTUnwrap(sentinel.masters[masterID])
        XCTAssertEqual(sentinel.instances[masterID]?.address, HostPort(host: "10.0.1.3", port: 6379))
        // The replicas are the other replica and the old master, never the new master.
        XCTAssertEqual(hosts(state.replicas, in: sentinel), ["10.0.1.2", "10.0.1.1"])
        let added = turn.messages.compactMap { effect -> String? in
            if case .event(let event) = effect, event.type == .replicaAdded { return event.message } else { return nil }
        }
        XCTAssertEqual(added, ["slave 10.0.1.2:6379 10.0.1.2 6379 @ mymaster 10.0.1.3 6379",
                               "slave 10.0.1.1:6379 10.0.1.1 6379 @ mymaster 10.0.1.3 6379"])
        // The peer stays, without its answer about the old address (redis/redis#8607).
        XCTAssertEqual(state.sentinels, [peer])
        XCTAssertEqual(sentinel.instances[peer]?.flags.contains(.masterDown), false)
        XCTAssertNil(sentinel.instances[peer]?.votedLeader)
        XCTAssertEqual(sentinel.instances[masterID]?.flags, [])
        XCTAssertEqual(state.failoverState, FailoverState.none)
        XCTAssertTrue(turn.durableWrites.contains { if case .persistConfiguration = $0 { true } else { false } })
    }

    func testSentinelResetTakesAGlobPatternAndAnnouncesEachMaster() throws {
        let h = try makeHarness("sentinel monitor other 127.0.0.2 6379 1\nsentinel known-replica mymaster 127.0.0.1 6380")
        let c = h.connectClient()
        XCTAssertEqual(h.masterFields("mymaster")["num-slaves"], "1")
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "RESET", "nothing*"), .integer(0))
        XCTAssertEqual(h.events("+reset-master"), [])
        XCTAssertEqual(h.send(c, "SENTINEL", "RESET", "my*"), .integer(1))
        XCTAssertEqual(h.events("+reset-master"), [masterDetails])
        XCTAssertEqual(h.masterFields("mymaster")["num-slaves"], "0")
        XCTAssertEqual(h.send(c, "SENTINEL", "RESET", "*"), .integer(2))
        XCTAssertEqual(h.events("+reset-master"), [masterDetails, masterDetails, "master other 127.0.0.2 6379"])
    }

    /// A sentinel that follows a fake master on 127.0.0.1:6379 with replicas on 6380 and 6381.
    func makeHarnessWithTwoReplicas() throws -> (SentinelHarness, FakeRedis, [FakeRedis]) {
        let h = try makeHarness()
        let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        let replicas = [6380, 6381].map { h.addServer(FakeRedis(port: $0, role: .replica, runID: runID(Character(String($0 % 10))))) }
        for replica in replicas { replica.replicate(master) }
        h.run(until: { h.masterFields("mymaster")["num-slaves"] == "2" })
        return (h, master, replicas)
    }

    func testAMasterLostBeforeItsInfoAfterAResetGetsItsReplicasBack() throws {
        let (h, master, _) = try makeHarnessWithTwoReplicas()
        let c = h.connectClient()
        master.hung = true
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "RESET", "mymaster"), .integer(1))
        XCTAssertEqual(h.send(c, "SENTINEL", "REPLICAS", "mymaster"), .array([]), "the lists read empty right after, as in Redis")
        h.run(until: { !h.events("+sdown").isEmpty }, limit: 10_000)
        XCTAssertEqual(h.events("+slave"), ["slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379",
                                            "slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379"])
        let restored = try XCTUnwrap(h.eventTime("+slave")), down = try XCTUnwrap(h.eventTime("+sdown"))
        XCTAssertEqual(down - restored, 2_500, "back after half of down-after without an answer")
        // Candidates by the time the master is down: their INFO says they replicate from it.
        guard case .array(let listed) = h.send(c, "SENTINEL", "REPLICAS", "mymaster") else { return XCTFail("no replica list") }
        XCTAssertEqual(listed.map { fieldDictionary($0)["master-port"] }, ["6379", "6379"])
        XCTAssertEqual(listed.map { fieldDictionary($0)["info-refresh"].flatMap { Int($0) }.map { $0 < 2_500 } }, [true, true])
    }

    func testTheMastersInfoAfterAResetDecidesWhichReplicasComeBack() throws {
        let (h, master, replicas) = try makeHarnessWithTwoReplicas()
        let c = h.connectClient()
        master.connectedReplicas = [replicas[0]]
        XCTAssertEqual(h.send(c, "SENTINEL", "RESET", "mymaster"), .integer(1))
        h.run(until: { h.masterFields("mymaster")["num-slaves"] == "1" }, limit: 2_000)
        master.hung = true
        h.clearRecords()
        h.run(until: { !h.events("+sdown").isEmpty }, limit: 10_000)
        XCTAssertEqual(h.events("+slave"), [], "the reset's list ends with the master's next INFO")
        XCTAssertEqual(h.masterFields("mymaster")["num-slaves"], "1")
    }
}
