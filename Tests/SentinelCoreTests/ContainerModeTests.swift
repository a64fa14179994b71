import RESP
import XCTest
@testable import SentinelCore

/// swift-sentinel's container options (`ContainerOptions`, README "Containers"): the state file
/// beside a read-only main file, epochs learned before voting after a start without state,
/// forgetting unreachable peers without lowering the majority, an idempotent `SENTINEL MONITOR`,
/// a `SENTINEL RESET` without a blind window, and a run id derived from a stable name.
final class ContainerModeTests: XCTestCase {
    static let statePath = "/state/sentinel-state.conf"
    let masterDetails = "master mymaster 127.0.0.1 6379"

    /// A main file as a chart writes it: no `myid`, a state file, and `extra` lines.
    func mainFile(_ extra: String = "") -> String {
        """
        port 26379
        sentinel state-config-file \(Self.statePath)
        sentinel monitor mymaster 127.0.0.1 6379 2
        sentinel down-after-milliseconds mymaster 5000
        sentinel failover-timeout mymaster 3000
        \(extra)
        """
    }

    func hello(from digit: Character, port: Int, epoch: UInt64, configEpoch: UInt64 = 0) -> String {
        "127.0.0.1,\(port),\(runID(digit)),\(epoch),mymaster,127.0.0.1,6379,\(configEpoch)"
    }

    // MARK: State file

    func testStateChangesAreWrittenToTheStateFileOnlyAndReadBackOverTheMainFile() throws {
        let h = try SentinelHarness(config: mainFile())
        h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "7000"), .ok)
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "other", "127.0.0.1", "6390", "1"), .ok)
        // No peer to hear: it joins after twice the learning period of its slowest master
        // (other: failover-timeout 180 s, so ELECTION-TIMEOUT 10 s + 1 s).
        h.run(for: 21_900)
        XCTAssertTrue(h.sentinel.isLearningEpochs)
        XCTAssertFalse(h.persistedStateFiles.last?.text.contains("sentinel myid") ?? true, "no id while learning: a restart is again a start without state")
        h.run(for: 200)
        XCTAssertFalse(h.sentinel.isLearningEpochs)
        XCTAssertEqual(h.persistedConfigurations, [], "the main file is never written")
        XCTAssertFalse(h.persistedStateFiles.isEmpty)
        XCTAssertTrue(h.persistedStateFiles.allSatisfy { $0.path == Self.statePath })
        let state = try XCTUnwrap(h.persistedStateFiles.last?.text)
        XCTAssertTrue(state.contains("sentinel myid \(h.sentinel.myID)\n"), state)
        XCTAssertTrue(state.contains("sentinel down-after-milliseconds mymaster 7000\n"), state)
        XCTAssertTrue(state.contains("sentinel monitor other 127.0.0.1 6390 1\n"), state)
        XCTAssertFalse(state.contains("\nsentinel state-config-file"), "the state file holds state only:\n\(state)")

        // A restart reads the main file, then the state file over it.
        let restarted = try SentinelHarness(config: mainFile(), stateFile: state)
        XCTAssertEqual(restarted.sentinel.myID, h.sentinel.myID)
        XCTAssertFalse(restarted.sentinel.isLearningEpochs, "the state was kept")
        XCTAssertEqual(restarted.masterFields("mymaster")["down-after-milliseconds"], "7000")
        XCTAssertEqual(restarted.masterFields("other")["port"], "6390")
    }

    func testAMasterOfTheMainFileRemovedAtRunTimeStaysRemovedAfterARestart() throws {
        let h = try SentinelHarness(config: mainFile())
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "REMOVE", "mymaster"), .ok)
        let state = try XCTUnwrap(h.persistedStateFiles.last?.text)
        XCTAssertTrue(state.contains("sentinel removed-master mymaster\n"), state)
        let restarted = try SentinelHarness(config: mainFile(), stateFile: state)
        let r = restarted.connectClient()
        XCTAssertEqual(restarted.send(r, "SENTINEL", "MASTERS"), .array([]))
        // Monitored again: the mark goes.
        XCTAssertEqual(restarted.send(r, "SENTINEL", "MONITOR", "mymaster", "127.0.0.1", "6379", "2"), .ok)
        XCTAssertFalse(restarted.persistedStateFiles.last?.text.contains("removed-master") ?? true)
    }

    func testTheStateFileHoldsOnlyStateDirectives() {
        for line in ["port 26380", "sentinel state-config-file /other", "sentinel deny-scripts-reconfig no", "dir /tmp"] {
            var configuration = SentinelConfiguration()
            XCTAssertThrowsError(try StateFileOverlay.apply(Array((line + "\n").utf8), fileName: "state.conf", to: &configuration), line)
        }
    }

    func testOptionsChangedAtRunTimeAreStateAndThoseOfTheMainFileAreNot() throws {
        let h = try SentinelHarness(config: mainFile("sentinel announce-ip 10.0.0.9"))
        let c = h.connectClient()
        h.run(for: 300)
        XCTAssertFalse(h.persistedStateFiles.last?.text.contains("announce-ip") ?? true, "the main file's value is not state")
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "announce-ip", ""), .ok)
        let state = try XCTUnwrap(h.persistedStateFiles.last?.text)
        XCTAssertTrue(state.contains("sentinel announce-ip \"\"\n"), state)
        let restarted = try SentinelHarness(config: mainFile("sentinel announce-ip 10.0.0.9"), stateFile: state)
        XCTAssertNil(restarted.sentinel.configuration.announceIP, "cleared at run time, cleared after the restart")
    }

    /// A default user that ACL SETUSER left without a password, under a main file's
    /// `requirepass`, stays without one after a restart from the state file.
    func testADefaultUserWithoutPasswordOverRequirepassSurvivesARestart() throws {
        let main = mainFile("requirepass secret")
        let h = try SentinelHarness(config: main)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "AUTH", "secret"), .ok)
        XCTAssertEqual(h.send(c, "ACL", "SETUSER", "default", "nopass"), .ok)
        let state = try XCTUnwrap(h.persistedStateFiles.last?.text)
        XCTAssertTrue(state.contains("user default on nopass ~* &* +@all\n"), state)
        let restarted = try SentinelHarness(config: main, stateFile: state)
        XCTAssertEqual(restarted.send(restarted.connectClient(), "PING"), .simpleString(Array("PONG".utf8)))
    }

    // MARK: Epochs learned before voting

    /// Without its state the sentinel votes for nobody (and starts no failover) until it has run the
    /// longest an election can last (min(ELECTION-TIMEOUT, failover-timeout) + 1 s = 4 s here)
    /// and then heard a majority of its peers; it then votes only in epochs above theirs.
    func testASentinelStartedWithoutItsStateVotesOnlyAfterLearningTheEpochFromAMajority() throws {
        let h = try SentinelHarness(config: mainFile("""
        sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))
        sentinel known-sentinel mymaster 127.0.0.1 26381 \(runID("c"))
        """))
        let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        XCTAssertTrue(h.sentinel.isLearningEpochs)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "5", runID("e")),
                       .array([.integer(0), .bulk("*"), .integer(0)]), "no vote while learning")
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster"),
                       .errorText("ERR This sentinel started without its state and is learning the current epoch from its peers"))
        h.run(for: 3_900)
        h.deliverHello(hello(from: "b", port: 26380, epoch: 7), via: master)
        h.deliverHello(hello(from: "c", port: 26381, epoch: 7), via: master)
        h.run(for: 200)
        XCTAssertTrue(h.sentinel.isLearningEpochs, "hellos heard before the learning period ended do not count")
        XCTAssertTrue(master.received.contains { $0.arguments.first == "PUBLISH" }, "its hellos let the peers know it and send it theirs")
        h.deliverHello(hello(from: "b", port: 26380, epoch: 7), via: master)
        h.tick()
        XCTAssertTrue(h.sentinel.isLearningEpochs, "one of two others is no majority")
        h.deliverHello(hello(from: "c", port: 26381, epoch: 7), via: master)
        h.tick()
        XCTAssertFalse(h.sentinel.isLearningEpochs)
        XCTAssertEqual(h.sentinel.currentEpoch, 7)
        XCTAssertTrue(h.persistedStateFiles.last?.text.contains("sentinel leader-epoch mymaster 7\n") ?? false)
        XCTAssertTrue(h.persistedStateFiles.last?.text.contains("sentinel myid ") ?? false)
        XCTAssertEqual(h.send(c, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "7", runID("e")),
                       .array([.integer(0), .bulk("*"), .integer(7)]), "no vote in an epoch a predecessor may have voted in")
        XCTAssertEqual(h.send(c, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "8", runID("e")),
                       .array([.integer(0), .bulk(runID("e")), .integer(8)]))
    }

    /// A learner cut off from the Redis servers hears no hello, but asks its peers directly for
    /// the epoch of their last vote (epoch 0: no vote is asked for).
    func testPeersAnsweringDirectlyTeachTheEpochWithoutHellos() throws {
        let h = try SentinelHarness(config: mainFile("""
        sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))
        sentinel known-sentinel mymaster 127.0.0.1 26381 \(runID("c"))
        """))
        var probes: [[String]] = []
        var voted = false
        for (port, digit) in [(26380, Character("b")), (26381, Character("c"))] {
            let peer = h.addServer(FakeRedis.sentinel(port: port, runID: runID(digit)))
            peer.isMasterDownReply = { arguments in
                probes.append(arguments)
                return voted ? .array([.integer(0), .bulk(runID("b")), .integer(6)]) : .array([.integer(0), .bulk("*"), .integer(0)])
            }
        }
        h.run(for: 3_900)
        XCTAssertTrue(probes.isEmpty, "asked only once the learning period is over")
        h.run(for: 3_000)
        XCTAssertFalse(probes.isEmpty)
        XCTAssertTrue(h.sentinel.isLearningEpochs, "an answer without a vote tells nothing")
        voted = true
        h.run(for: 1_000)
        XCTAssertFalse(h.sentinel.isLearningEpochs)
        XCTAssertEqual(h.sentinel.currentEpoch, 6)
        XCTAssertEqual(probes.first, ["SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0", h.sentinel.myID])
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "6", runID("e")),
                       .array([.integer(1), .bulk("*"), .integer(6)]), "no vote in the learned epoch (the master, never reached, is down)")
    }

    /// No bounded wait while a peer is known: joining without a majority heard could vote again
    /// in an epoch its predecessor voted in (sentinel-sim seed 34375). `SENTINEL RESET` is the
    /// operator's word that the unheard peers are gone.
    func testASentinelThatHearsNoMajorityWaitsUntilResetTakesTheAliveOnesForTheFleet() throws {
        let h = try SentinelHarness(config: mainFile("""
        sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))
        sentinel known-sentinel mymaster 127.0.0.1 26381 \(runID("c"))
        """))
        let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        h.addServer(FakeRedis.sentinel(port: 26380, runID: runID("b")))
        h.run(for: 4_000)
        for _ in 0..<30 {
            h.deliverHello(hello(from: "b", port: 26380, epoch: 4), via: master)
            h.run(for: 2_000)
        }
        XCTAssertTrue(h.sentinel.isLearningEpochs, "one of two others heard for a minute is no majority")
        XCTAssertTrue(h.logLines.contains { $0.contains("waiting for hellos from a majority of the sentinels of mymaster before voting") })
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "5", runID("b")),
                       .array([.integer(0), .bulk("*"), .integer(0)]))

        XCTAssertEqual(h.send(c, "SENTINEL", "RESET", "mymaster"), .integer(1))
        h.deliverHello(hello(from: "b", port: 26380, epoch: 4), via: master)
        h.tick()
        XCTAssertFalse(h.sentinel.isLearningEpochs, "b, alive at the reset, is the majority of the others now")
        XCTAssertEqual(h.sentinel.currentEpoch, 5, "the epoch of the vote it was asked for meanwhile")
        XCTAssertEqual(h.send(c, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "5", runID("b")),
                       .array([.integer(0), .bulk("*"), .integer(5)]), "no vote in an epoch it did not learn the votes of")
        XCTAssertEqual(h.send(c, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "6", runID("b")),
                       .array([.integer(0), .bulk(runID("b")), .integer(6)]))
    }

    /// A sentinel that knows no other sentinel and counts a fleet of one takes itself for the
    /// fleet after twice the learning period (at least five hello periods).
    func testASentinelThatKnowsNoPeerJoinsAloneAfterTheAlonePeriod() throws {
        let h = try SentinelHarness(config: mainFile())
        h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        h.run(for: 9_900)
        XCTAssertTrue(h.sentinel.isLearningEpochs)
        h.run(for: 200)
        XCTAssertFalse(h.sentinel.isLearningEpochs, "five hello periods: twice the learning period (4 s) is shorter")
        XCTAssertTrue(h.logLines.contains { $0.contains("Sentinel joins the fleet (current epoch 0; it heard of no other sentinel of mymaster in 10000 ms)") },
                      h.logLines.joined(separator: "\n"))
    }

    func testASentinelThatKeptItsStateVotesAtOnce() throws {
        let h = try SentinelHarness(config: mainFile(), stateFile: "sentinel myid \(runID("d"))\nsentinel current-epoch 3\n")
        XCTAssertFalse(h.sentinel.isLearningEpochs)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "4", runID("e")),
                       .array([.integer(0), .bulk(runID("e")), .integer(4)]))
    }

    // MARK: Forgetting

    /// Peers that never answer are forgotten after forget-after, but the majority an election
    /// needs stays that of the three sentinels known at the start.
    func testForgettingUnreachablePeersNeverLowersTheMajority() throws {
        let config = """
        port 26379
        sentinel myid \(runID("d"))
        sentinel forget-after-milliseconds 3000
        sentinel monitor mymaster 127.0.0.1 6379 1
        sentinel down-after-milliseconds mymaster 5000
        sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))
        sentinel known-sentinel mymaster 127.0.0.1 26381 \(runID("c"))
        """
        let h = try SentinelHarness(config: config)
        h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        h.run(until: { h.events("-sentinel").count == 2 }, limit: 5_000)
        XCTAssertEqual(h.masterFields("mymaster")["num-other-sentinels"], "0")
        XCTAssertTrue(h.persistedConfigurations.last?.contains("sentinel voters-seen mymaster 3\n") ?? false)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "CKQUORUM", "mymaster"),
                       .errorText("NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover"))

        // The broken rule: the majority counted over the sentinels still listed.
        let broken = try SentinelHarness(config: config)
        broken.sentinel.deliberateDefects = .forgettingLowersMajority
        broken.addServer(FakeRedis(port: 6379, runID: runID("a")))
        broken.run(until: { broken.events("-sentinel").count == 2 }, limit: 5_000)
        let b = broken.connectClient()
        XCTAssertEqual(broken.send(b, "SENTINEL", "CKQUORUM", "mymaster"),
                       .status("OK 1 usable Sentinels. Quorum and failover authorization can be reached"))
    }

    /// A learner's links to the peers it was configured with are new: it forgets none of them
    /// before it joined (it would have nobody left to learn from; sentinel-sim seed 217).
    func testALearnerForgetsNoPeer() throws {
        let h = try SentinelHarness(config: mainFile("""
        sentinel forget-after-milliseconds 1000
        sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))
        sentinel known-sentinel mymaster 127.0.0.1 26381 \(runID("c"))
        """))
        h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        h.run(for: 5_000)
        XCTAssertTrue(h.sentinel.isLearningEpochs)
        XCTAssertTrue(h.events("-sentinel").isEmpty)
        XCTAssertEqual(h.masterFields("mymaster")["num-other-sentinels"], "2")
    }

    func testWithoutForgetAfterPeersAreNeverForgotten() throws {
        let h = try SentinelHarness(config: """
        port 26379
        sentinel myid \(runID("d"))
        sentinel monitor mymaster 127.0.0.1 6379 1
        sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))
        """)
        h.run(for: 120_000, step: 1_000)
        XCTAssertEqual(h.masterFields("mymaster")["num-other-sentinels"], "1")
    }

    /// Replicas are never forgotten: an instance that comes back claiming to be a master must
    /// still be converted through its entry (sentinel-sim --forget-after on seed 5235).
    func testReplicasAreNeverForgotten() throws {
        let h = try SentinelHarness(config: """
        port 26379
        sentinel myid \(runID("d"))
        sentinel forget-after-milliseconds 3000
        sentinel monitor mymaster 127.0.0.1 6379 1
        sentinel known-replica mymaster 127.0.0.1 6390
        """)
        let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        let replica = h.addServer(FakeRedis(port: 6380, role: .replica, runID: runID("1")))
        replica.replicate(master)
        h.run(until: { h.masterFields("mymaster")["num-slaves"] == "2" }, limit: 12_000)
        replica.acceptsConnections = false
        h.disconnect(replica)
        master.connectedReplicas.removeAll()
        h.run(for: 60_000, step: 500)
        XCTAssertTrue(h.events("-slave").isEmpty)
        XCTAssertEqual(h.masterFields("mymaster")["num-slaves"], "2")
    }

    // MARK: Reconcile loops

    func testMonitorOfTheSameMasterAgainIsOK() throws {
        let h = try SentinelHarness(config: SingleMasterTestCase.config)
        let c = h.connectClient()
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "mymaster", "127.0.0.1", "6379", "2"), .ok)
        XCTAssertTrue(h.events("+monitor").isEmpty, "nothing changed")
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "mymaster", "127.0.0.1", "6379", "3"), .errorText("ERR Duplicate master name."))
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "mymaster", "127.0.0.1", "6380", "2"), .errorText("ERR Duplicate master name."))
    }

    /// A reset empties the replica list, as Redis's suite expects, and the replicas are back
    /// as soon as the master's INFO is: the INFO goes out once the link is up again.
    func testResetFindsTheReplicasAgainFromTheMastersNextInfo() throws {
        let h = try SentinelHarness(config: SingleMasterTestCase.config)
        let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        let replica = h.addServer(FakeRedis(port: 6380, role: .replica, runID: runID("1")))
        replica.replicate(master)
        h.run(until: { h.masterFields("mymaster")["num-slaves"] == "1" }, limit: 12_000)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "RESET", "mymaster"), .integer(1))
        XCTAssertEqual(h.masterFields("mymaster")["num-slaves"], "0")
        let infosBefore = master.received.filter { $0.arguments.first == "INFO" }.count
        h.run(for: 300)
        XCTAssertGreaterThan(master.received.filter { $0.arguments.first == "INFO" }.count, infosBefore)
        XCTAssertEqual(h.masterFields("mymaster")["num-slaves"], "1")
    }

    // MARK: Stable identity

    func testRunIDDerivedFromAStableName() throws {
        XCTAssertEqual(Sentinel.runID(derivedFrom: "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d")
        let h = try SentinelHarness(config: mainFile("sentinel myid-from-name sentinel-0.sentinel.default.svc"))
        XCTAssertEqual(h.sentinel.myID, Sentinel.runID(derivedFrom: "sentinel-0.sentinel.default.svc"))
        XCTAssertTrue(h.sentinel.isLearningEpochs, "a stable name is no kept state")
    }
}
