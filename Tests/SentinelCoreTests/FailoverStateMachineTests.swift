import RESP
import XCTest
@testable import SentinelCore

/// The failover of one master, state by state (`Failover/FailoverStateMachine.swift`,
/// SENTINEL-PROTOCOL.md §7, §8): a whole automatic failover, the replica selection, and the
/// aborts of `wait_start` and `select_slave`.
final class FailoverStateMachineTests: FailoverTestCase {
    func testFullAutomaticFailover() throws {
        let w = try makeWorld()
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: false)
        w.r2.offset = 5000 // the better replica
        XCTAssertEqual(h.events("+slave").count, 2)
        h.clearRecords()

        crash(w.master, in: h)
        h.run(until: { !h.events("+failover-end").isEmpty }, limit: 20_000)

        XCTAssertEqual(h.events("+sdown").first, masterDetails)
        XCTAssertEqual(h.events("+odown"), ["\(masterDetails) #quorum 2/2"])
        XCTAssertEqual(h.events("+new-epoch").first, "1")
        XCTAssertEqual(h.events("+try-failover"), [masterDetails])
        XCTAssertEqual(h.events("+vote-for-leader"), ["\(FailoverTestCase.myID) 1"])
        XCTAssertEqual(h.events("+elected-leader"), [masterDetails])
        XCTAssertEqual(h.events("+failover-state-select-slave"), [masterDetails])
        XCTAssertEqual(h.events("+selected-slave"), [replicaDetails(6381)])
        XCTAssertEqual(h.events("+failover-state-send-slaveof-noone"), [replicaDetails(6381)])
        XCTAssertEqual(h.events("+failover-state-wait-promotion"), [replicaDetails(6381)])
        XCTAssertEqual(h.events("+promoted-slave"), [replicaDetails(6381)])
        XCTAssertEqual(h.events("+failover-state-reconf-slaves"), [masterDetails])
        XCTAssertEqual(h.events("+slave-reconf-sent"), [replicaDetails(6380)])
        XCTAssertEqual(h.events("+slave-reconf-inprog"), [replicaDetails(6380)])
        XCTAssertEqual(h.events("+slave-reconf-done"), [replicaDetails(6380)])
        XCTAssertEqual(h.events("+failover-end"), [masterDetails])
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6381"])
        XCTAssertEqual(Set(h.events("+slave")), [replicaDetails(6380, master: 6381), replicaDetails(6379, master: 6381)])

        let order = ["+sdown", "+odown", "+try-failover", "+elected-leader", "+failover-state-select-slave",
                     "+selected-slave", "+failover-state-send-slaveof-noone", "+failover-state-wait-promotion",
                     "+promoted-slave", "+failover-state-reconf-slaves", "+slave-reconf-sent",
                     "+slave-reconf-inprog", "+slave-reconf-done", "+failover-end", "+switch-master"]
        let seen = h.eventTypes.filter { order.contains($0) }
        var firsts: [String] = []
        for type in seen where !firsts.contains(type) { firsts.append(type) }
        XCTAssertEqual(firsts, order)

        // The promotion transaction, exactly, then an INFO.
        let sent = w.r2.received.map(\.arguments)
        guard let start = sent.firstIndex(of: ["MULTI"]) else { return XCTFail("no MULTI to the promoted replica") }
        XCTAssertEqual(Array(sent[start..<min(sent.count, start + 7)]), [
            ["MULTI"], ["SLAVEOF", "NO", "ONE"], ["CONFIG", "REWRITE"], ["CLIENT", "KILL", "TYPE", "normal"],
            ["CLIENT", "KILL", "TYPE", "pubsub"], ["EXEC"], ["INFO"],
        ])
        // The other replica is pointed at the promoted one.
        let toR1 = w.r1.received.map(\.arguments)
        guard let r1Start = toR1.firstIndex(of: ["MULTI"]) else { return XCTFail("no MULTI to the other replica") }
        XCTAssertEqual(Array(toR1[r1Start..<min(toR1.count, r1Start + 6)]), [
            ["MULTI"], ["SLAVEOF", "127.0.0.1", "6381"], ["CONFIG", "REWRITE"], ["CLIENT", "KILL", "TYPE", "normal"],
            ["CLIENT", "KILL", "TYPE", "pubsub"], ["EXEC"],
        ])
        // Votes were asked with our run id at the new epoch.
        XCTAssertTrue(w.peers[0].received.contains { $0.arguments == ["SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "1", FailoverTestCase.myID] })

        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"), .array([.bulk("127.0.0.1"), .bulk("6381")]))
        let fields = h.masterFields("mymaster")
        XCTAssertEqual(fields["port"], "6381")
        XCTAssertEqual(fields["config-epoch"], "1")
        let config = h.persistedConfigurations.last ?? ""
        XCTAssertTrue(config.contains("sentinel monitor mymaster 127.0.0.1 6381 2"), config)
        XCTAssertTrue(config.contains("sentinel config-epoch mymaster 1"), config)
        XCTAssertTrue(config.contains("sentinel leader-epoch mymaster 1"), config)
        XCTAssertTrue(config.contains("sentinel current-epoch 1"), config)
    }

    func testAddressSwitchesToThePromotedReplicaFromReconfSlaves() throws {
        let w = try makeWorld(quorum: 1, peers: [])
        let h = w.h
        w.r1.priority = 10
        w.r2.linkUpAfterSlaveOf = false
        h.run(for: 10_100) // fresh INFO with the priority
        crash(w.master, in: h)
        h.run(until: { !h.events("+promoted-slave").isEmpty }, limit: 20_000)
        XCTAssertEqual(h.events("+selected-slave"), [replicaDetails(6380)])
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"), .array([.bulk("127.0.0.1"), .bulk("6380")]))
        // SENTINEL MASTER still shows the stored address while the replicas are reconfigured.
        let fields = h.masterFields("mymaster")
        XCTAssertEqual(fields["port"], "6379")
        XCTAssertEqual(fields["failover-state"], "reconf_slaves")
        XCTAssertTrue(fields["flags"]?.contains("failover_in_progress") ?? false)
        // The hello now names the new address.
        let hellos = w.r2.received.filter { $0.arguments.first == "PUBLISH" }.map { $0.arguments[2] }
        XCTAssertEqual(hellos.last, "127.0.0.1,26379,\(FailoverTestCase.myID),1,mymaster,127.0.0.1,6380,1")
        // The other replica's link stays down: in progress, not done.
        h.run(for: 2_000)
        XCTAssertEqual(h.events("+slave-reconf-inprog"), [replicaDetails(6381)])
        XCTAssertTrue(h.events("+slave-reconf-done").isEmpty)
        XCTAssertTrue(h.events("+failover-end").isEmpty)
        w.r2.masterLinkUp = true
        h.run(until: { !h.events("+failover-end").isEmpty }, limit: 3_000)
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6380"])
    }

    func testElectionStopsWhenTheMasterComesBack() throws {
        let w = try makeWorld()
        let h = w.h
        // Peers agree it is down but never vote for us.
        w.peers[0].isMasterDownReply = peerAnswer(down: true, votesFor: "*")
        w.peers[1].isMasterDownReply = peerAnswer(down: true, votesFor: "*")
        crash(w.master, in: h)
        XCTAssertTrue(h.run(until: { !h.events("+try-failover").isEmpty }, limit: 20_000))
        // The master answers again before anyone is elected.
        w.master.acceptsConnections = true
        XCTAssertTrue(h.run(until: { !h.events("-failover-abort-master-up").isEmpty }, limit: 10_000))
        XCTAssertEqual(h.events("-failover-abort-master-up"), [masterDetails])
        XCTAssertEqual(h.events("+elected-leader"), [])
        XCTAssertFalse(h.masterFields("mymaster")["flags"]?.contains("failover_in_progress") ?? true)
    }

    func testNewerConfigurationFromAPeerAbortsOurFailoverBeforeThePromotion() throws {
        let w = try makeWorld()
        let h = w.h
        // The peers agree the master is down; their votes are not in yet (wait_start).
        w.peers[0].isMasterDownReply = peerAnswer(down: true, votesFor: "*")
        w.peers[1].isMasterDownReply = peerAnswer(down: true, votesFor: "*")
        crash(w.master, in: h)
        XCTAssertTrue(h.run(until: { !h.events("+try-failover").isEmpty }, limit: 20_000))
        XCTAssertEqual(h.sentinel.currentEpoch, 1)
        // A peer announces the same master under config epoch 1, the epoch of our own failover:
        // promoting now would give another address that epoch.
        let client = h.connectClient()
        XCTAssertEqual(h.send(client, "PUBLISH", "__sentinel__:hello", "127.0.0.1,26380,\(runID("b")),1,mymaster,127.0.0.1,6379,1"), .integer(1))
        XCTAssertEqual(h.events("-failover-abort-newer-config"), [masterDetails])
        // Even when the votes arrive now, no promotion follows under the outdated epoch.
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: true)
        h.run(for: 5_000)
        XCTAssertEqual(h.events("+elected-leader"), [])
        XCTAssertEqual(h.events("+promoted-slave"), [])
        XCTAssertEqual(h.events("+switch-master"), [])
        let fields = h.masterFields("mymaster")
        XCTAssertEqual(fields["config-epoch"], "1")
        XCTAssertFalse(fields["flags"]?.contains("failover_in_progress") ?? true, "\(fields)")
    }

    func testNoGoodReplicaAbortsTheFailover() throws {
        let w = try makeWorld(quorum: 1, peers: [], replicas: false)
        let h = w.h
        crash(w.master, in: h)
        h.run(until: { !h.events("-failover-abort-no-good-slave").isEmpty }, limit: 20_000)
        XCTAssertEqual(h.events("+elected-leader"), [masterDetails])
        XCTAssertEqual(h.events("-failover-abort-no-good-slave"), [masterDetails])
    }

    // MARK: Replica selection

    func instance(_ id: UInt64, priority: Int, offset: Int64, runID: String?) -> MonitoredInstance {
        var replica = MonitoredInstance(id: InstanceID(id), kind: .replica, name: "r\(id)", address: HostPort(host: "127.0.0.1", port: Int(id)),
                                        master: InstanceID(1), link: LinkID(id), downAfterMilliseconds: 5000, now: 0)
        replica.replicaPriority = priority
        replica.replicaReplicationOffset = offset
        replica.runID = runID
        return replica
    }

    func testPromotionOrderPriorityThenOffsetThenRunID() {
        let better = Sentinel.isBetterPromotionCandidate
        XCTAssertTrue(better(instance(1, priority: 10, offset: 1, runID: "b"), instance(2, priority: 100, offset: 999, runID: "a")))
        XCTAssertTrue(better(instance(1, priority: 100, offset: 999, runID: "b"), instance(2, priority: 100, offset: 1, runID: "a")))
        XCTAssertTrue(better(instance(1, priority: 100, offset: 5, runID: "ABC"), instance(2, priority: 100, offset: 5, runID: "abd")))
        XCTAssertFalse(better(instance(1, priority: 100, offset: 5, runID: "abd"), instance(2, priority: 100, offset: 5, runID: "ABC")))
        XCTAssertTrue(better(instance(1, priority: 100, offset: 5, runID: "zzz"), instance(2, priority: 100, offset: 5, runID: nil)))
        XCTAssertFalse(better(instance(1, priority: 100, offset: 5, runID: nil), instance(2, priority: 100, offset: 5, runID: "zzz")))
    }

    func testSelectionSkipsPriorityZeroAndPrefersLowerPriority() throws {
        let w = try makeWorld(peers: [])
        let h = w.h
        w.r1.priority = 0
        w.r1.offset = 99_999
        w.r2.priority = 50
        h.run(for: 10_100)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .ok)
        h.run(until: { !h.events("+selected-slave").isEmpty }, limit: 2_000)
        XCTAssertEqual(h.events("+selected-slave"), [replicaDetails(6381)])
    }

    func testSelectionByOffsetThenRunID() throws {
        let w = try makeWorld(peers: [])
        let h = w.h
        w.r1.offset = 10
        w.r2.offset = 10
        w.r1.runID = runID("9")
        w.r2.runID = runID("3")
        h.run(for: 10_100)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .ok)
        h.run(until: { !h.events("+selected-slave").isEmpty }, limit: 2_000)
        XCTAssertEqual(h.events("+selected-slave"), [replicaDetails(6381)])
    }
}
