import RESP
import XCTest
@testable import SentinelCore

/// What a peer's hello changes (`Monitoring/HelloProcessing.swift`, SENTINEL-PROTOCOL.md §4):
/// new sentinels, newer epochs, a newer configuration's address; malformed and own hellos
/// are ignored.
final class HelloProcessingTests: MonitoringTestCase {
    func peerHello(runID id: String = runID("b"), port: Int = 26380, epoch: UInt64 = 0, master: String = "mymaster",
                   masterAddress: String = "127.0.0.1,6379", configEpoch: UInt64 = 0) -> String {
        "127.0.0.1,\(port),\(id),\(epoch),\(master),\(masterAddress),\(configEpoch)"
    }

    func testOwnHelloFormatAndOwnHellosIgnored() throws {
        let (h, master) = try makeHarness()
        h.run(for: 2_500)
        let hellos = master.received.filter { $0.arguments.first == "PUBLISH" }.map(\.arguments)
        XCTAssertFalse(hellos.isEmpty)
        XCTAssertEqual(hellos.first, ["PUBLISH", "__sentinel__:hello", "127.0.0.1,26379,\(MonitoringTestCase.myID),0,mymaster,127.0.0.1,6379,0"])
        // The fake master delivered our own hellos back on the pub/sub link: no sentinel added.
        XCTAssertTrue(h.events("+sentinel").isEmpty)
        XCTAssertEqual(h.masterFields("mymaster")["num-other-sentinels"], "0")
    }

    func testDiscoveriesAreWrittenTogetherByTheTick() throws {
        let (h, master) = try makeHarness()
        h.run(for: Sentinel.discoveryPersistPeriod + 300)
        let writesBefore = h.persistedConfigurations.count
        let peers: [(id: Character, port: Int)] = [("b", 26380), ("c", 26381), ("d", 26382), ("e", 26383)]
        for peer in peers {
            let produced = h.feed(.connectionReply(master.subscribedConnections[0], .array([.bulk("message"), .bulk(HelloMessage.channel),
                                                                                                .bulk(peerHello(runID: runID(peer.id), port: peer.port))])))
            XCTAssertFalse(produced.contains { if case .persistConfiguration = $0 { return true } else { return false } })
        }
        XCTAssertEqual(h.masterFields("mymaster")["num-other-sentinels"], "4")
        h.run(for: Sentinel.discoveryPersistPeriod + 200)
        XCTAssertEqual(h.persistedConfigurations.count, writesBefore + 1)
        let written = h.persistedConfigurations.last ?? ""
        for peer in peers {
            XCTAssertTrue(written.contains("sentinel known-sentinel mymaster 127.0.0.1 \(peer.port) \(runID(peer.id))"), "\(peer)")
        }
    }

    func testHelloAddsSentinel() throws {
        let (h, master) = try makeHarness()
        h.run(for: 300)
        h.deliverHello(peerHello(), via: master)
        XCTAssertEqual(h.events("+sentinel"), ["sentinel \(runID("b")) 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"])
        XCTAssertEqual(h.masterFields("mymaster")["num-other-sentinels"], "1")
        // The discovery reaches the file with the tick's next write of discoveries.
        h.run(for: Sentinel.discoveryPersistPeriod + 200)
        XCTAssertTrue(h.persistedConfigurations.last?.contains("sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))") ?? false)
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
            peerHello(runID: MonitoringTestCase.myID, epoch: 9),
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

    // MARK: A newer configuration during our own failover

    // §4 rule 4: a hello with a newer config epoch switches us to its master address when that
    // address differs from the one *we announce* — during our own failover past promotion that
    // is our promoted replica, not the old master still stored in the entry.
    // Found by the simulator (seed 1872): a sentinel finishing an older failover adopted a newer
    // epoch that named the old address, then switched to its own promoted replica under that
    // newer epoch, and the sentinels disagreed forever.

    let peerID = String(repeating: "b", count: 40)

    func makeSentinelInReconfSlaves() throws -> (Sentinel, InstanceID) {
        let text = """
        sentinel myid \(String(repeating: "a", count: 40))
        sentinel monitor mymaster 10.0.1.1 6379 2
        sentinel known-sentinel mymaster 10.0.0.2 26379 \(peerID)
        """
        let configuration = try ConfigurationParser.parse(text: text, fileName: "sentinel.conf") { _ in "" }
        var sentinel = Sentinel(configuration: configuration, configurationText: text, environment: SentinelEnvironment(),
                                randomSeed: 1, now: Timestamp(monotonic: 1000, wallClock: 0))
        let masterID = try XCTUnwrap(sentinel.masterID(named: "mymaster"))
        let replicaID = try XCTUnwrap(sentinel.addReplica(HostPort(host: "10.0.1.3", port: 6379), to: masterID, now: 1000))
        // Our failover of epoch 1 promoted 10.0.1.3 and is reconfiguring the other replicas.
        sentinel.currentEpoch = 1
        sentinel.masters[masterID]?.failoverState = .reconfigureReplicas
        sentinel.masters[masterID]?.failoverEpoch = 1
        sentinel.masters[masterID]?.configEpoch = 1
        sentinel.masters[masterID]?.promotedReplica = replicaID
        sentinel.instances[masterID]?.flags.insert(.failoverInProgress)
        sentinel.instances[replicaID]?.flags.insert(.promoted)
        return (sentinel, masterID)
    }

    /// Past promotion the file names the promoted replica as the master and the old master as
    /// a replica in its place; when the old master is listed as a replica already (the
    /// promoted one's INFO lists it), it is written once, so the file still loads.
    func testTheOldMasterListedAsAReplicaDuringAFailoverIsWrittenOnce() throws {
        var (sentinel, masterID) = try makeSentinelInReconfSlaves()
        _ = try XCTUnwrap(sentinel.addReplica(HostPort(host: "10.0.1.1", port: 6379), to: masterID, now: 1000))
        _ = try XCTUnwrap(sentinel.addReplica(HostPort(host: "10.0.1.4", port: 6379), to: masterID, now: 1000))
        let written = sentinel.currentConfiguration().masters[0]
        XCTAssertEqual(HostPort(host: written.host, port: written.port), HostPort(host: "10.0.1.3", port: 6379))
        XCTAssertEqual(written.knownReplicas, [HostPort(host: "10.0.1.1", port: 6379), HostPort(host: "10.0.1.4", port: 6379)])
        let file = sentinel.configurationFileToWrite()
        let reloaded = try ConfigurationParser.parse(bytes: file, fileName: "sentinel.conf") { _ in [] }
        XCTAssertEqual(reloaded.masters[0].knownReplicas, written.knownReplicas)

        // Without it listed, the old master takes the promoted replica's place.
        var (alone, aloneID) = try makeSentinelInReconfSlaves()
        _ = try XCTUnwrap(alone.addReplica(HostPort(host: "10.0.1.4", port: 6379), to: aloneID, now: 1000))
        XCTAssertEqual(alone.currentConfiguration().masters[0].knownReplicas,
                       [HostPort(host: "10.0.1.1", port: 6379), HostPort(host: "10.0.1.4", port: 6379)])
    }

    func testNewerConfigurationNamingTheOldAddressSwitchesAwayFromOurPromotedReplica() throws {
        var (sentinel, masterID) = try makeSentinelInReconfSlaves()
        XCTAssertEqual(sentinel.currentAddress(ofMaster: masterID), HostPort(host: "10.0.1.3", port: 6379))
        var effects = Turn()
        // A peer's later failover (epoch 2) promoted the old master back.
        sentinel.processHello(Array("10.0.0.2,26379,\(peerID),2,mymaster,10.0.1.1,6379,2".utf8), now: 2000, turn: &effects)
        XCTAssertEqual(sentinel.masters[masterID]?.configEpoch, 2)
        XCTAssertEqual(sentinel.currentAddress(ofMaster: masterID), HostPort(host: "10.0.1.1", port: 6379))
        XCTAssertEqual(sentinel.masters[masterID]?.failoverState, FailoverState.none)
        // Nothing left to finish our older failover onto 10.0.1.3 later.
        var more = Turn()
        sentinel.handle(.tick, at: Timestamp(monotonic: 2100, wallClock: 0), into: &more)
        XCTAssertEqual(sentinel.currentAddress(ofMaster: masterID), HostPort(host: "10.0.1.1", port: 6379))
    }

    func testNewerConfigurationNamingOurPromotedReplicaKeepsOurFailoverGoing() throws {
        var (sentinel, masterID) = try makeSentinelInReconfSlaves()
        var effects = Turn()
        sentinel.processHello(Array("10.0.0.2,26379,\(peerID),2,mymaster,10.0.1.3,6379,2".utf8), now: 2000, turn: &effects)
        XCTAssertEqual(sentinel.masters[masterID]?.configEpoch, 2)
        XCTAssertEqual(sentinel.masters[masterID]?.failoverState, .reconfigureReplicas)
        XCTAssertEqual(sentinel.currentAddress(ofMaster: masterID), HostPort(host: "10.0.1.3", port: 6379))
    }
}
