import RESP
import XCTest
@testable import SentinelCore

/// Links, PING/INFO, discovery, hellos and SDOWN (SENTINEL-PROTOCOL.md §1.3, §3, §4, §5.1).
final class MonitoringTests: XCTestCase {
    static let myID = "0123456789abcdef0123456789abcdef01234567"
    static let config = """
    port 26379
    sentinel myid \(myID)
    sentinel monitor mymaster 127.0.0.1 6379 2
    sentinel down-after-milliseconds mymaster 5000
    sentinel failover-timeout mymaster 60000
    """
    let masterDetails = "master mymaster 127.0.0.1 6379"

    func makeHarness(_ extra: String = "") throws -> (SentinelHarness, FakeRedis) {
        let h = try SentinelHarness(config: MonitoringTests.config + "\n" + extra)
        let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        return (h, master)
    }

    /// Commands `server` received, grouped by connection in connection order.
    func commandsByConnection(_ server: FakeRedis) -> [[[String]]] {
        var order: [ConnectionID] = []
        var grouped: [ConnectionID: [[String]]] = [:]
        for request in server.received {
            if grouped[request.connection] == nil { order.append(request.connection) }
            grouped[request.connection, default: []].append(request.arguments)
        }
        return order.map { grouped[$0]! }
    }

    // MARK: Links

    func testFirstTickOpensCommandAndPubSubLinksWithGreeting() throws {
        let (h, master) = try makeHarness("sentinel auth-pass mymaster pw")
        h.advance(by: 100)
        let produced = h.tick()
        let connects = produced.compactMap { effect -> String? in
            if case .connect(_, let host, let port, _) = effect { return "\(host):\(port)" } else { return nil }
        }
        XCTAssertEqual(connects, ["127.0.0.1:6379", "127.0.0.1:6379"])
        let links = commandsByConnection(master)
        XCTAssertEqual(links.count, 2)
        XCTAssertEqual(Array(links[0].prefix(3)), [["AUTH", "pw"], ["CLIENT", "SETNAME", "sentinel-01234567-cmd"], ["PING"]])
        XCTAssertEqual(links[1], [["AUTH", "pw"], ["CLIENT", "SETNAME", "sentinel-01234567-pubsub"], ["SUBSCRIBE", "__sentinel__:hello"]])
        // The next tick finds the link connected: INFO and the first hello.
        h.advance(by: 100)
        h.tick()
        let commandLink = commandsByConnection(master)[0].map { $0[0] }
        XCTAssertTrue(commandLink.contains("INFO"))
        XCTAssertEqual(h.masterFields("mymaster")["flags"], "master")
        XCTAssertEqual(h.masterFields("mymaster")["runid"], runID("a"))
    }

    func testAuthUserIsSentWithThePassword() throws {
        let (h, master) = try makeHarness("sentinel auth-pass mymaster pw\nsentinel auth-user mymaster bob")
        h.run(for: 100)
        XCTAssertEqual(master.received.first?.arguments, ["AUTH", "bob", "pw"])
    }

    func testNoAuthWithoutAuthPass() throws {
        let (h, master) = try makeHarness()
        h.run(for: 100)
        XCTAssertFalse(master.received.contains { $0.arguments.first == "AUTH" })
    }

    func testRenamedCommandsAreMapped() throws {
        let (h, master) = try makeHarness("sentinel rename-command mymaster PING PONG2\nsentinel rename-command mymaster CONFIG CFG")
        h.run(for: 200)
        let names = master.received.map { $0.arguments[0] }
        XCTAssertTrue(names.contains("PONG2"))
        XCTAssertFalse(names.contains("PING"))
    }

    func testUnreachableMasterReconnectsAtMostOncePerPingPeriod() throws {
        let (h, master) = try makeHarness()
        master.acceptsConnections = false
        h.run(for: 3000)
        let connects = h.effects.filter { if case .connect = $0 { return true } else { return false } }.count
        // One attempt (cmd + pubsub) per second at most.
        XCTAssertLessThanOrEqual(connects, 2 * 3)
        XCTAssertGreaterThanOrEqual(connects, 2 * 2)
    }

    // MARK: INFO

    func testInfoDiscoversReplicas() throws {
        let (h, master) = try makeHarness()
        let replica1 = h.addServer(FakeRedis(port: 6380, role: .replica, runID: runID("1")))
        let replica2 = h.addServer(FakeRedis(port: 6381, role: .replica, runID: runID("2")))
        replica1.replicate(master)
        replica2.replicate(master)
        replica2.offset = 777
        h.run(for: 500)
        XCTAssertEqual(h.events("+slave"), [
            "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379",
            "slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379",
        ])
        let config = h.persistedConfigurations.last ?? ""
        XCTAssertTrue(config.contains("sentinel known-replica mymaster 127.0.0.1 6380"), config)
        XCTAssertTrue(config.contains("sentinel known-replica mymaster 127.0.0.1 6381"), config)
        // The replicas are monitored in turn: their INFO fills the replica fields.
        XCTAssertFalse(replica1.received.isEmpty)
        let c = h.connectClient()
        let replicas = (h.send(c, "SENTINEL", "REPLICAS", "mymaster").elements ?? []).map(fieldDictionary)
        XCTAssertEqual(replicas.map { $0["name"] }, ["127.0.0.1:6380", "127.0.0.1:6381"])
        XCTAssertEqual(replicas[1]["master-host"], "127.0.0.1")
        XCTAssertEqual(replicas[1]["master-port"], "6379")
        XCTAssertEqual(replicas[1]["master-link-status"], "ok")
        XCTAssertEqual(replicas[1]["slave-repl-offset"], "777")
        XCTAssertEqual(replicas[1]["runid"], runID("2"))
        XCTAssertEqual(replicas[1]["flags"], "slave")
        XCTAssertEqual(h.masterFields("mymaster")["num-slaves"], "2")
        // Known replicas are not announced again.
        h.run(for: 11_000)
        XCTAssertEqual(h.events("+slave").count, 2)
    }

    func testOldFormSlaveLineAndMalformedInfoLines() throws {
        let (h, master) = try makeHarness()
        master.infoOverride = "run_id:\(runID("a"))\r\nrole:master\r\nslave0:127.0.0.1,6390,online\r\nslave1:ip=,port=6391\r\nslave2:ip=127.0.0.1\r\nslaveX:ip=127.0.0.1,port=6392\r\nslave3:garbage\r\n"
        h.run(for: 300)
        XCTAssertEqual(h.events("+slave"), ["slave 127.0.0.1:6390 127.0.0.1 6390 @ mymaster 127.0.0.1 6379"])
    }

    func testGarbageInfoIsIgnored() throws {
        let (h, master) = try makeHarness()
        master.infoOverride = "\r\n\r\n::::\r\nrun_id:short\r\nrole:\r\nslave0:\r\nslave9:ip=1.2.3.4,port=notanumber\r\n"
        h.run(for: 300)
        XCTAssertTrue(h.events("+slave").isEmpty)
        XCTAssertEqual(h.masterFields("mymaster")["runid"], "")
        XCTAssertEqual(h.masterFields("mymaster")["flags"], "master")
    }

    func testMasterReportingSlaveRoleIsARoleChange() throws {
        let (h, master) = try makeHarness()
        h.run(for: 300)
        XCTAssertTrue(h.events("-role-change").isEmpty)
        master.role = .replica
        master.masterHost = "127.0.0.1"
        master.masterPort = 6999
        h.run(for: 10_100)
        XCTAssertEqual(h.events("-role-change"), ["\(masterDetails) new reported role is slave"])
        XCTAssertEqual(h.masterFields("mymaster")["role-reported"], "slave")
        master.role = .master
        h.run(for: 10_100)
        XCTAssertEqual(h.events("+role-change"), ["\(masterDetails) new reported role is master"])
    }

    func testRunIDChangeIsAReboot() throws {
        let (h, master) = try makeHarness()
        h.run(for: 300)
        master.runID = runID("e")
        h.run(for: 10_100)
        XCTAssertEqual(h.events("+reboot"), [masterDetails])
        XCTAssertEqual(h.masterFields("mymaster")["runid"], runID("e"))
    }

    // MARK: Hello

    func peerHello(runID id: String = runID("b"), port: Int = 26380, epoch: UInt64 = 0, master: String = "mymaster",
                   masterAddress: String = "127.0.0.1,6379", configEpoch: UInt64 = 0) -> String {
        "127.0.0.1,\(port),\(id),\(epoch),\(master),\(masterAddress),\(configEpoch)"
    }

    func testOwnHelloFormatAndOwnHellosIgnored() throws {
        let (h, master) = try makeHarness()
        h.run(for: 2_500)
        let hellos = master.received.filter { $0.arguments.first == "PUBLISH" }.map(\.arguments)
        XCTAssertFalse(hellos.isEmpty)
        XCTAssertEqual(hellos.first, ["PUBLISH", "__sentinel__:hello", "127.0.0.1,26379,\(MonitoringTests.myID),0,mymaster,127.0.0.1,6379,0"])
        // The fake master delivered our own hellos back on the pub/sub link: no sentinel added.
        XCTAssertTrue(h.events("+sentinel").isEmpty)
        XCTAssertEqual(h.masterFields("mymaster")["num-other-sentinels"], "0")
    }

    func testHelloAddsSentinel() throws {
        let (h, master) = try makeHarness()
        h.run(for: 300)
        h.deliverHello(peerHello(), via: master)
        XCTAssertEqual(h.events("+sentinel"), ["sentinel \(runID("b")) 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"])
        XCTAssertTrue(h.persistedConfigurations.last?.contains("sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))") ?? false)
        XCTAssertEqual(h.masterFields("mymaster")["num-other-sentinels"], "1")
        // Repeats change nothing.
        h.deliverHello(peerHello(), via: master)
        XCTAssertEqual(h.events("+sentinel").count, 1)
        // The same hello through a client PUBLISH is processed too.
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "PUBLISH", "__sentinel__:hello", peerHello(runID: runID("c"), port: 26381)), .integer(1))
        XCTAssertEqual(h.events("+sentinel").count, 2)
    }

    func testHelloWithHigherEpochIsAdopted() throws {
        let (h, master) = try makeHarness()
        h.run(for: 300)
        h.deliverHello(peerHello(epoch: 5), via: master)
        XCTAssertEqual(h.events("+new-epoch"), ["5"])
        XCTAssertEqual(h.sentinel.currentEpoch, 5)
        XCTAssertTrue(h.persistedConfigurations.last?.contains("sentinel current-epoch 5") ?? false)
        h.deliverHello(peerHello(epoch: 3), via: master)
        XCTAssertEqual(h.events("+new-epoch"), ["5"])
        XCTAssertEqual(h.sentinel.currentEpoch, 5)
    }

    func testHelloWithHigherConfigEpochAndNewAddressSwitchesMaster() throws {
        let (h, master) = try makeHarness()
        let replica = h.addServer(FakeRedis(port: 6380, role: .replica))
        replica.replicate(master)
        h.run(for: 300)
        h.clearRecords()
        h.deliverHello(peerHello(epoch: 1, masterAddress: "127.0.0.1,6380", configEpoch: 1), via: master)
        XCTAssertEqual(h.events("+config-update-from"), ["sentinel \(runID("b")) 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"])
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6380"])
        // The old master becomes a replica entry of the new one.
        XCTAssertEqual(h.events("+slave"), ["slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6380"])
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"), .array([.bulk("127.0.0.1"), .bulk("6380")]))
        XCTAssertEqual(h.masterFields("mymaster")["config-epoch"], "1")
        // The peer is kept across the switch.
        XCTAssertEqual(h.masterFields("mymaster")["num-other-sentinels"], "1")
        let config = h.persistedConfigurations.last ?? ""
        XCTAssertTrue(config.contains("sentinel monitor mymaster 127.0.0.1 6380 2"), config)
        XCTAssertTrue(config.contains("sentinel config-epoch mymaster 1"), config)
        XCTAssertTrue(config.contains("sentinel known-replica mymaster 127.0.0.1 6379"), config)
    }

    func testHelloWithHigherConfigEpochSameAddressOnlyAdoptsEpoch() throws {
        let (h, master) = try makeHarness()
        h.run(for: 300)
        h.deliverHello(peerHello(epoch: 2, configEpoch: 2), via: master)
        XCTAssertTrue(h.events("+switch-master").isEmpty)
        XCTAssertEqual(h.masterFields("mymaster")["config-epoch"], "2")
        // A lower config epoch with another address is ignored.
        h.deliverHello(peerHello(epoch: 2, masterAddress: "127.0.0.1,7777", configEpoch: 1), via: master)
        XCTAssertTrue(h.events("+switch-master").isEmpty)
    }

    func testMalformedHellosAreIgnored() throws {
        let (h, master) = try makeHarness()
        h.run(for: 300)
        for payload in [
            "", "garbage", "1,2,3,4,5,6,7", "127.0.0.1,26380,\(runID("b")),0,mymaster,127.0.0.1,6379,0,extra",
            "127.0.0.1,notaport,\(runID("b")),0,mymaster,127.0.0.1,6379,0",
            "127.0.0.1,26380,\(runID("b")),-1,mymaster,127.0.0.1,6379,0",
            "127.0.0.1,26380,\(runID("b")),0,unknownmaster,127.0.0.1,6379,0",
            "127.0.0.1,26380,,0,mymaster,127.0.0.1,6379,0",
            "127.0.0.1,26380,\(runID("b")),0,mymaster,127.0.0.1,99999,0",
            peerHello(runID: MonitoringTests.myID, epoch: 9),
        ] {
            h.deliverHello(payload, via: master)
        }
        // Pushes that are not hello messages are ignored as well.
        for connection in master.subscribedConnections {
            h.feed(.connectionReply(connection, .array([.bulk("message"), .bulk("__sentinel__:hello")])))
            h.feed(.connectionReply(connection, .integer(3)))
        }
        XCTAssertTrue(h.events("+sentinel").isEmpty)
        XCTAssertTrue(h.events("+new-epoch").isEmpty)
        XCTAssertEqual(h.sentinel.currentEpoch, 0)
    }

    // MARK: SDOWN

    func testSubjectivelyDownAfterDownAfterWithoutPong() throws {
        let (h, master) = try makeHarness()
        h.run(for: 1_000)
        master.hung = true
        h.run(for: 5_000)
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

    func testNeverReachableMasterGoesDown() throws {
        let (h, master) = try makeHarness()
        master.acceptsConnections = false
        h.run(for: 5_000)
        XCTAssertTrue(h.events("+sdown").isEmpty)
        h.run(for: 200)
        XCTAssertEqual(h.events("+sdown"), [masterDetails])
    }

    func testLoadingAndMasterDownRepliesCountAsAlive() throws {
        for reply in ["LOADING Redis is loading the dataset in memory", "MASTERDOWN Link with MASTER is down"] {
            let (h, master) = try makeHarness()
            master.pingReply = .errorText(reply)
            h.run(for: 12_000)
            XCTAssertTrue(h.events("+sdown").isEmpty, reply)
        }
    }

    func testOtherErrorRepliesDoNotCountAsAlive() throws {
        let (h, master) = try makeHarness()
        master.pingReply = .errorText("ERR something")
        h.run(for: 7_000)
        XCTAssertEqual(h.events("+sdown"), [masterDetails])
        let fields = h.masterFields("mymaster")
        // Any reply refreshes last-ping-reply, only valid ones last-ok-ping-reply.
        XCTAssertLessThan(Int(fields["last-ping-reply"] ?? "") ?? .max, 1_000)
        XCTAssertGreaterThan(Int(fields["last-ok-ping-reply"] ?? "") ?? 0, 5_000)
    }

    func testBusyOnSubjectivelyDownInstanceSendsScriptKillOnce() throws {
        let (h, master) = try makeHarness()
        master.pingReply = .errorText("BUSY Redis is busy running a script")
        h.run(for: 9_000)
        XCTAssertEqual(h.events("+sdown"), [masterDetails])
        let kills = master.received.filter { $0.arguments == ["SCRIPT", "KILL"] }
        XCTAssertEqual(kills.count, 1)
        XCTAssertTrue(h.masterFields("mymaster")["flags"]?.hasSuffix("script_kill_sent") ?? false)
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
