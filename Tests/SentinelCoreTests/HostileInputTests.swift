import RESP
import XCTest
@testable import SentinelCore

/// Extreme numbers and malformed addresses from instances, peers and clients: none may trap,
/// mislead the sentinel, or leave a configuration that does not load back.
final class HostileInputTests: FailoverTestCase {
    /// Builds a second sentinel from the configuration the first would write now, as a restart
    /// does, and checks it loads.
    func restarted(from h: SentinelHarness, file: StaticString = #filePath, line: UInt = #line) throws -> SentinelHarness {
        let text = h.sentinel.configurationTextToWrite()
        return try SentinelHarness(config: text, file: file, line: line)
    }

    func testLinkDownSinceNearInt64MaxIsClampedAndSurvivesARestart() throws {
        let w = try makeWorld()
        w.r1.infoOverride = w.r1.infoText + "master_link_down_since_seconds:9223372036854775807\r\n"
        w.r2.infoOverride = w.r2.infoText + "master_link_down_since_seconds:-9223372036854775808\r\n"
        w.h.run(for: 11_000)
        let r1 = try XCTUnwrap(w.h.sentinel.instances.values.first { $0.name == "127.0.0.1:6380" })
        XCTAssertEqual(r1.masterLinkDownTime, InputLimits.maximumDuration)
        let r2 = try XCTUnwrap(w.h.sentinel.instances.values.first { $0.name == "127.0.0.1:6381" })
        XCTAssertEqual(r2.masterLinkDownTime, -InputLimits.maximumDuration)
        // The replicas are persisted; the restarted sentinel reads the same INFO again.
        let restarted = try restarted(from: w.h)
        restarted.addServer(w.master)
        restarted.addServer(w.r1)
        restarted.addServer(w.r2)
        restarted.run(for: 11_000)
        XCTAssertEqual(restarted.masterFields("mymaster")["num-slaves"], "2")
        // A failover judges the replicas with the clamped values without trapping.
        let client = w.h.connectClient()
        XCTAssertEqual(w.h.send(client, "SENTINEL", "FAILOVER", "mymaster", "FORCE"), .ok)
        w.h.run(for: 2_000)
    }

    func testReplicasListedWithBadAddressesAreIgnored() throws {
        let w = try makeWorld(replicas: false)
        w.master.infoOverride = """
        # Replication\r
        role:master\r
        slave0:ip=127.0.0.1,port=70000,state=online,offset=1,lag=0\r
        slave1:ip=127.0.0.1,port=-1,state=online,offset=1,lag=0\r
        slave2:ip=127.0.0.1,port=99999999999999999999,state=online,offset=1,lag=0\r
        slave3:ip=evil host name,port=6390,state=online,offset=1,lag=0\r
        slave4:ip=bad"quote,port=6391,state=online,offset=1,lag=0\r
        slave5:not-an-ip,6392,online\r
        slave6:ip=127.0.0.1,port=6393,state=online,offset=1,lag=0\r
        slave7:127.0.0.2,6394,online\r

        """
        w.h.run(for: 11_000)
        XCTAssertEqual(w.h.events("+slave"), [replicaDetails(6393), "slave 127.0.0.2:6394 127.0.0.2 6394 @ mymaster 127.0.0.1 6379"])
        let text = w.h.sentinel.configurationTextToWrite()
        XCTAssertFalse(text.contains("evil"))
        XCTAssertFalse(text.contains("70000"))
        _ = try restarted(from: w.h)
    }

    func testAMasterCannotListMoreReplicasThanTheLimit() throws {
        let w = try makeWorld(replicas: false)
        let limit = InputLimits.maximumInstancesPerMaster
        var lines = ["role:master"]
        for index in 0..<(limit + 5) {
            lines.append("slave\(index):ip=10.\(index / 65536).\(index / 256 % 256).\(index % 256),port=6379,state=online,offset=0,lag=0")
        }
        w.master.infoOverride = lines.joined(separator: "\r\n") + "\r\n"
        w.h.run(for: 11_000)
        XCTAssertEqual(w.h.masterFields("mymaster")["num-slaves"], String(limit))
        XCTAssertEqual(w.h.logLines.filter { $0 == "Master mymaster has \(limit) known slaves: more are ignored" }.count, 1)
    }

    func testHelloWithBadAddressesOrRunIDIsIgnoredWhole() throws {
        let w = try makeWorld()
        let client = w.h.connectClient()
        let epoch = w.h.sentinel.currentEpoch
        let peer = runID("d")
        let hellos = [
            "evil host name,26390,\(peer),\(epoch + 5),mymaster,127.0.0.1,6379,\(epoch + 5)",
            "127.0.0.1,26390,\(peer),\(epoch + 5),mymaster,evil host name,6390,\(epoch + 5)",
            "127.0.0.1,0,\(peer),\(epoch + 5),mymaster,127.0.0.1,6390,\(epoch + 5)",
            "127.0.0.1,26390,\(peer),\(epoch + 5),mymaster,127.0.0.1,70000,\(epoch + 5)",
            "127.0.0.1,26390,\(peer),\(epoch + 5),mymaster,127.0.0.1,0,\(epoch + 5)",
            "127.0.0.1,26390,not a run id,\(epoch + 5),mymaster,127.0.0.1,6390,\(epoch + 5)",
            "127.0.0.1,26390,\(peer),9223372036854775808,mymaster,127.0.0.1,6390,\(epoch + 5)",
        ]
        for hello in hellos {
            XCTAssertEqual(w.h.send(client, "PUBLISH", HelloMessage.channel, hello), .integer(1))
        }
        XCTAssertEqual(w.h.send(client, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"), .array([.bulk("127.0.0.1"), .bulk("6379")]))
        XCTAssertEqual(w.h.sentinel.currentEpoch, epoch)
        XCTAssertEqual(w.h.events("+sentinel"), [])
        _ = try restarted(from: w.h)
    }

    func testEpochsStopAtTheLargestSignedValueAndNeverGoBack() throws {
        let w = try makeWorld()
        let client = w.h.connectClient()
        let peer = runID("b")
        // A peer announces the largest epoch a hello may carry.
        let largest = InputLimits.maximumEpoch
        XCTAssertEqual(w.h.send(client, "PUBLISH", HelloMessage.channel, "127.0.0.1,26380,\(peer),\(largest - 1),mymaster,127.0.0.1,6379,0"), .integer(1))
        XCTAssertEqual(w.h.sentinel.currentEpoch, largest - 1)
        // One failover still fits; it takes the last epoch.
        XCTAssertEqual(w.h.send(client, "SENTINEL", "FAILOVER", "mymaster", "FORCE"), .ok)
        XCTAssertEqual(w.h.sentinel.currentEpoch, largest)
        w.h.run(for: 3_000)
        XCTAssertEqual(w.h.masterFields("mymaster")["config-epoch"], String(largest))
        // No epoch is left for the next one.
        XCTAssertEqual(w.h.send(client, "SENTINEL", "FAILOVER", "mymaster", "FORCE"),
                       .errorText("ERR The current epoch is the largest possible: no new failover can start"))
        // Vote requests at and beyond the largest epoch neither trap nor move it.
        let vote = w.h.send(client, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6380", String(largest), runID("c"))
        XCTAssertEqual(vote.elements?.count, 3)
        XCTAssertEqual(w.h.send(client, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6380", "9223372036854775808", runID("c")),
                       .errorText("ERR value is not an integer or out of range"))
        // The restarted sentinel reads the same epoch back, not a smaller one.
        let restarted = try restarted(from: w.h)
        XCTAssertEqual(restarted.sentinel.currentEpoch, largest)
    }

    func testEpochsInAHandEditedFileAreCapped() throws {
        let h = try SentinelHarness(config: """
        sentinel myid \(FailoverTestCase.myID)
        sentinel current-epoch 18446744073709551615
        sentinel monitor mymaster 127.0.0.1 6379 2
        sentinel config-epoch mymaster 18446744073709551615
        sentinel leader-epoch mymaster 99999999999999999999999

        """)
        XCTAssertEqual(h.sentinel.currentEpoch, InputLimits.maximumEpoch)
        XCTAssertEqual(h.masterFields("mymaster")["config-epoch"], String(InputLimits.maximumEpoch))
    }

    func testAutomaticFailoverAtTheLargestEpochIsNotStarted() throws {
        let w = try makeWorld()
        for peer in w.peers { peer.isMasterDownReply = peerAnswer(down: true) }
        let client = w.h.connectClient()
        XCTAssertEqual(w.h.send(client, "PUBLISH", HelloMessage.channel, "127.0.0.1,26380,\(runID("b")),\(InputLimits.maximumEpoch),mymaster,127.0.0.1,6379,0"), .integer(1))
        w.master.hung = true
        w.h.run(until: { w.h.events("+odown").count == 1 })
        w.h.run(for: 2_000)
        XCTAssertEqual(w.h.events("+try-failover"), [])
        XCTAssertEqual(w.h.logLines.filter { $0.contains("not started: the current epoch") }.count, 1)
    }

    func testHugeDownAfterFromAClientIsClampedAndAFailoverStillRuns() throws {
        let w = try makeWorld()
        let client = w.h.connectClient()
        XCTAssertEqual(w.h.send(client, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "922337203685477581"), .ok)
        XCTAssertEqual(w.h.masterFields("mymaster")["down-after-milliseconds"], String(InputLimits.maximumDuration))
        XCTAssertEqual(w.h.send(client, "SENTINEL", "FAILOVER", "mymaster", "FORCE"), .ok)
        w.h.run(until: { w.h.events("+switch-master").count == 1 })
        _ = try restarted(from: w.h)
    }

    func testHugeFailoverTimeoutWhileObjectivelyDownOnlyDelaysTheNextAttempt() throws {
        let w = try makeWorld()
        // The peers agree that the master is down but never vote: the election fails.
        for peer in w.peers { peer.isMasterDownReply = peerAnswer(down: true, votesFor: "*") }
        let client = w.h.connectClient()
        XCTAssertEqual(w.h.send(client, "SENTINEL", "SET", "mymaster", "failover-timeout", "9223372036854775807",
                                "master-reboot-down-after-period", "9223372036854775807"), .ok)
        XCTAssertEqual(w.h.masterFields("mymaster")["failover-timeout"], String(InputLimits.maximumDuration))
        w.master.hung = true
        w.h.run(until: { w.h.events("-failover-abort-not-elected").count == 1 })
        w.h.run(for: 1_000)
        XCTAssertTrue(w.h.logLines.contains { $0.hasPrefix("Next failover delay: I will not start a failover before") })
        XCTAssertEqual(w.h.events("+try-failover").count, 1)
        _ = try restarted(from: w.h)
    }

    func testHugeCountsFromClientsAreClampedToWhatTheFileLoadsBack() throws {
        let w = try makeWorld()
        let client = w.h.connectClient()
        XCTAssertEqual(w.h.send(client, "SENTINEL", "SET", "mymaster", "quorum", "9223372036854775807", "parallel-syncs", "4294967297"), .ok)
        XCTAssertEqual(w.h.masterFields("mymaster")["quorum"], "2147483647")
        XCTAssertEqual(w.h.masterFields("mymaster")["parallel-syncs"], "2147483647")
        XCTAssertEqual(w.h.send(client, "SENTINEL", "MONITOR", "other", "127.0.0.1", "7000", "9223372036854775807"), .ok)
        XCTAssertEqual(w.h.masterFields("other")["quorum"], "2147483647")
        let restarted = try restarted(from: w.h)
        XCTAssertEqual(restarted.masterFields("mymaster")["quorum"], "2147483647")
        XCTAssertEqual(restarted.masterFields("other")["quorum"], "2147483647")
    }

    func testHugeDebugPeriodsAreClamped() throws {
        let w = try makeWorld()
        let client = w.h.connectClient()
        XCTAssertEqual(w.h.send(client, "SENTINEL", "DEBUG", "publish-period", "9223372036854775807", "ask-period", "9223372036854775807",
                                "info-period", "9223372036854775807", "ping-period", "9223372036854775807",
                                "tilt-period", "9223372036854775807", "default-down-after", "9223372036854775807"), .ok)
        let debug = fieldDictionary(w.h.send(client, "SENTINEL", "DEBUG"))
        for name in ["PUBLISH-PERIOD", "ASK-PERIOD", "INFO-PERIOD", "PING-PERIOD", "TILT-PERIOD", "DEFAULT-DOWN-AFTER"] {
            XCTAssertEqual(debug[name], String(InputLimits.maximumDuration), name)
        }
        for peer in w.peers { peer.isMasterDownReply = peerAnswer(down: true) }
        w.master.hung = true
        w.h.run(until: { w.h.events("+switch-master").count == 1 })
        XCTAssertEqual(w.h.send(client, "SENTINEL", "MONITOR", "other", "127.0.0.1", "7000", "2"), .ok)
        XCTAssertEqual(w.h.masterFields("other")["down-after-milliseconds"], String(InputLimits.maximumDuration))
        w.h.run(for: 3_000)
    }

    func testScriptRetriesWithTheLargestRetryDelayDoNotOverflow() throws {
        let w = try makeWorld(extra: "sentinel notification-script mymaster /bin/notify\n")
        let client = w.h.connectClient()
        XCTAssertEqual(w.h.send(client, "SENTINEL", "DEBUG", "script-retry-delay", "9223372036854775807"), .ok)
        w.master.hung = true
        w.h.run(until: { w.h.events("+sdown").count >= 1 })
        guard let script = w.h.effects.compactMap({ effect -> ScriptID? in
            if case .runScript(let id, _) = effect { return id } else { return nil }
        }).first else { return XCTFail("no script started") }
        w.h.feed(.scriptStarted(script, pid: 4000))
        w.h.feed(.scriptFinished(script, .exited(code: 1)))
        let pending = try XCTUnwrap(w.h.send(client, "SENTINEL", "PENDING-SCRIPTS").elements?.first)
        XCTAssertEqual(fieldDictionary(pending)["run-delay"], String(InputLimits.maximumDuration))
    }

    func testVoteRequestsForCandidatesThatAreNotRunIDsGetNoVote() throws {
        let w = try makeWorld()
        let client = w.h.connectClient()
        let reply = w.h.send(client, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "7", "evil\r\nlog line")
        XCTAssertEqual(reply.elements?[1], .bulk("*"))
        XCTAssertEqual(w.h.events("+vote-for-leader"), [])
        XCTAssertEqual(w.h.sentinel.currentEpoch, 0, "no vote, so no epoch is adopted either (as for `*`)")
    }

    /// Found by the hello fuzz target: a peer announcing a newer config epoch than its
    /// current epoch left ours below the config epoch until a restart raised it.
    func testAdoptingANewerConfigEpochRaisesTheCurrentEpochAtOnce() throws {
        let w = try makeWorld()
        let client = w.h.connectClient()
        XCTAssertEqual(w.h.send(client, "PUBLISH", HelloMessage.channel, "127.0.0.1,26380,\(runID("b")),0,mymaster,127.0.0.1,6380,3"), .integer(1))
        XCTAssertEqual(w.h.send(client, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"), .array([.bulk("127.0.0.1"), .bulk("6380")]))
        XCTAssertEqual(w.h.sentinel.currentEpoch, 3)
        XCTAssertTrue(w.h.persistedConfigurations.last?.contains("sentinel current-epoch 3\n") ?? false)
        XCTAssertEqual(try restarted(from: w.h).sentinel.currentEpoch, 3)
    }

    func testHugeEpochsFromPeersAreRefused() throws {
        let h = try SentinelHarness(config: """
        port 26379
        sentinel myid 0123456789abcdef0123456789abcdef01234567
        sentinel monitor mymaster 127.0.0.1 6379 2
        """)
        let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        h.run(for: 1_500)
        let peer = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
        h.deliverHello("127.0.0.1,26380,\(peer),18446744073709551615,mymaster,127.0.0.1,6379,18446744073709551615", via: master)
        h.deliverHello("127.0.0.1,26380,\(peer),9223372036854775807,mymaster,127.0.0.1,6379,0", via: master)
        let c = h.connectClient()
        XCTAssertEqual(h.masterFields("mymaster")["config-epoch"], "0")
        XCTAssertEqual(h.send(c, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "18446744073709551615", peer),
                       .errorText("ERR value is not an integer or out of range"))
        XCTAssertEqual(h.send(c, "PING"), .status("PONG"))
    }
}
