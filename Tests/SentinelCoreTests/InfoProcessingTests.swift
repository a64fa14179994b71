import RESP
import XCTest
@testable import SentinelCore

/// What an INFO reply changes (`Monitoring/InfoProcessing.swift`, SENTINEL-PROTOCOL.md §3.2,
/// §9.2): replicas discovered, role changes, reboots, and an old master that returns after a
/// failover — converted at once when every peer's hello confirms the new configuration, else
/// after Redis's wait.
final class InfoProcessingTests: FailoverTestCase {
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

    // MARK: A returning old master

    /// Runs a failover to 6381 and returns the world with the old master (6379) crashed.
    func failedOver() throws -> World {
        let w = try makeWorld()
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: true)
        w.r2.offset = 5000
        crash(w.master, in: w.h)
        XCTAssertTrue(w.h.run(until: { !w.h.events("+switch-master").isEmpty }, limit: 20_000))
        return w
    }

    /// The old master comes back as a master with its old data.
    func restart(_ server: FakeRedis) {
        server.role = .master
        server.connectedReplicas = []
        server.acceptsConnections = true
    }

    /// A hello from peer `digit` announcing 127.0.0.1:6381 at config epoch 1.
    func confirmingHello(_ digit: Character, port: Int) -> String {
        "127.0.0.1,\(port),\(runID(digit)),1,mymaster,127.0.0.1,6381,1"
    }

    /// The old master's entry after the switch, down for a while, then back as a master.
    func returnOldMaster(_ w: World) {
        w.h.run(for: 10_000)
        w.h.clearRecords()
        restart(w.master)
    }

    func testReturningOldMasterIsConvertedAtOnceWhenPeersConfirm() throws {
        let w = try failedOver()
        let h = w.h
        returnOldMaster(w)
        // Both peers announce the new configuration while the old master is back.
        var isConverted = false
        let deadline = h.now + 20_000
        while h.now < deadline && !isConverted {
            h.deliverHello(confirmingHello("b", port: 26380), via: w.r2)
            h.deliverHello(confirmingHello("c", port: 26381), via: w.r2)
            h.run(for: 200)
            isConverted = !h.events("+convert-to-slave").isEmpty
        }
        XCTAssertEqual(h.events("+convert-to-slave"), [replicaDetails(6379, master: 6381)])
        // Converted without Redis's 8 s wait after it reported itself master again.
        let back = try XCTUnwrap(h.eventTime("-role-change"))
        let converted = try XCTUnwrap(h.eventTime("+convert-to-slave"))
        XCTAssertLessThan(converted - back, 8_000)
        XCTAssertEqual(w.master.role, .replica)
        XCTAssertEqual(w.master.masterPort, 6381)
    }

    /// An old master back as a master that refuses SLAVEOF (still loading its data, or
    /// SLAVEOF renamed or denied on its side) is told again once a second, on the replies of
    /// its 1 s INFO period, not on each reply to the INFO asked right behind each SLAVEOF: the
    /// two looped as fast as the instance answered.
    func testAReturningOldMasterThatIgnoresSlaveOfIsToldOncePerInfoPeriod() throws {
        let w = try failedOver()
        let h = w.h
        returnOldMaster(w)
        w.master.obeysSlaveOf = false
        XCTAssertTrue(h.run(until: { !h.events("+convert-to-slave").isEmpty }, limit: 30_000))
        h.run(for: 60_000)
        XCTAssertEqual(w.master.role, .master)
        // An INFO every 1.1 s (more than 1 s since the last, on 100 ms ticks) over 60 s.
        XCTAssertEqual(h.events("+convert-to-slave").count, 55)
        XCTAssertEqual(h.commands(sentTo: w.master).filter { $0.first == "SLAVEOF" }.count, 55)
    }

    func testReturningOldMasterIsAnnouncedToThePeersAtOnce() throws {
        let w = try failedOver()
        let h = w.h
        returnOldMaster(w)
        func hellos(_ peer: FakeRedis) -> Int {
            peer.received.filter { $0.arguments.first == "PUBLISH" && $0.arguments.dropFirst().first == HelloMessage.channel }.count
        }
        // Tick by tick until its INFO shows it claiming to be a master again.
        var before = w.peers.map(hellos)
        var ticks = 0
        while h.events("-role-change").isEmpty && ticks < 200 {
            before = w.peers.map(hellos)
            h.run(for: 100)
            ticks += 1
        }
        XCTAssertEqual(h.events("-role-change"), [replicaDetails(6379, master: 6381) + " new reported role is master"])
        // In that very tick every peer hears our configuration: a peer that saw it come back
        // first has its confirmation now, not at our next periodic hello (up to 2 s later).
        XCTAssertEqual(w.peers.map(hellos), before.map { $0 + 1 })
    }

    func testAReplicaPromotedByAFailoverWeMissedIsNotConvertedOnOlderHellos() throws {
        let w = try failedOver()
        let h = w.h
        h.run(for: 10_000)
        h.clearRecords()
        // 6380 turns master: a peer promoted it in a failover we have not heard of yet. Until
        // we see it, the peers' hellos still show our view (6381 at epoch 1).
        w.r1.role = .master
        var steps = 0
        while h.events("-role-change").isEmpty && steps < 200 {
            if steps % 10 == 0 {
                h.deliverHello(confirmingHello("b", port: 26380), via: w.r2)
                h.deliverHello(confirmingHello("c", port: 26381), via: w.r2)
            }
            h.run(for: 100)
            steps += 1
        }
        XCTAssertFalse(h.events("-role-change").isEmpty)
        // Those hellos predate its claim: they do not let us convert it at once.
        h.run(for: 3_000)
        XCTAssertTrue(h.events("+convert-to-slave").isEmpty)
        XCTAssertEqual(w.r1.role, .master)
    }

    func testReturningOldMasterWaitsWithoutConfirmation() throws {
        let w = try failedOver()
        let h = w.h
        returnOldMaster(w)
        // No hello from the peers: Redis's guard applies (8 s after the role change).
        XCTAssertTrue(h.run(until: { !h.events("+convert-to-slave").isEmpty }, limit: 30_000))
        let back = try XCTUnwrap(h.eventTime("-role-change"))
        let converted = try XCTUnwrap(h.eventTime("+convert-to-slave"))
        XCTAssertGreaterThanOrEqual(converted - back, 8_000)
    }
}
