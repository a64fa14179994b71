import RESP
import XCTest
@testable import SentinelCore

/// The world and helpers shared by the failover test cases.
class FailoverTestCase: XCTestCase {
    static let myID = "0123456789abcdef0123456789abcdef01234567"
    let masterDetails = "master mymaster 127.0.0.1 6379"
    func replicaDetails(_ port: Int, master: Int = 6379) -> String {
        "slave 127.0.0.1:\(port) 127.0.0.1 \(port) @ mymaster 127.0.0.1 \(master)"
    }

    /// A master with two replicas (6380, 6381) and the given peer sentinels.
    struct World {
        let h: SentinelHarness
        let master: FakeRedis
        let r1: FakeRedis
        let r2: FakeRedis
        let peers: [FakeRedis]
    }

    func makeWorld(quorum: Int = 2, peers: [Character] = ["b", "c"], replicas: Bool = true, extra: String = "") throws -> World {
        var config = """
        port 26379
        sentinel myid \(FailoverTestCase.myID)
        sentinel monitor mymaster 127.0.0.1 6379 \(quorum)
        sentinel down-after-milliseconds mymaster 5000
        sentinel failover-timeout mymaster 60000

        """
        var fakes: [FakeRedis] = []
        for (index, digit) in peers.enumerated() {
            config += "sentinel known-sentinel mymaster 127.0.0.1 \(26380 + index) \(runID(digit))\n"
            fakes.append(FakeRedis.sentinel(port: 26380 + index, runID: runID(digit)))
        }
        let h = try SentinelHarness(config: config + extra)
        let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        let r1 = h.addServer(FakeRedis(port: 6380, role: .replica, runID: runID("1")))
        let r2 = h.addServer(FakeRedis(port: 6381, role: .replica, runID: runID("2")))
        if replicas {
            r1.replicate(master)
            r2.replicate(master)
        }
        for fake in fakes { h.addServer(fake) }
        h.run(for: 1_500)
        return World(h: h, master: master, r1: r1, r2: r2, peers: fakes)
    }

    /// An `is-master-down-by-addr` answer: `down`, and a vote — for the first candidate asking in
    /// each epoch (`votesFor` nil, like a real sentinel), never (`"*"`), or always for `votesFor`.
    func peerAnswer(down: Bool, votesFor: String? = nil) -> ([String]) -> RESPValue {
        var votes: [String: String] = [:]
        return { arguments in
            let epoch = arguments[4]
            let candidate = arguments[5]
            if candidate == "*" || votesFor == "*" {
                return .array([.integer(down ? 1 : 0), .bulk("*"), .integer(0)])
            }
            let vote = votes[epoch] ?? votesFor ?? candidate
            votes[epoch] = vote
            return .array([.integer(down ? 1 : 0), .bulk(vote), .integer(Int64(epoch) ?? 0)])
        }
    }

    func crash(_ server: FakeRedis, in h: SentinelHarness) {
        server.acceptsConnections = false
        h.disconnect(server)
    }

}

/// ODOWN, votes, election and the failover state machine (SENTINEL-PROTOCOL.md §5.2–§9).
final class FailoverTests: FailoverTestCase {
    // MARK: ODOWN and election

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

    func testNotElectedWithoutMajorityAbortsAfterElectionTimeout() throws {
        // Four sentinels (majority 3), quorum 2: one peer agrees and votes for us, the others
        // never vote.
        let w = try makeWorld(peers: ["b", "c", "d"])
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: false, votesFor: "*")
        w.peers[2].isMasterDownReply = peerAnswer(down: false, votesFor: "*")
        crash(w.master, in: h)
        h.run(until: { !h.events("+try-failover").isEmpty }, limit: 20_000)
        h.run(for: 9_000)
        XCTAssertTrue(h.events("+elected-leader").isEmpty)
        XCTAssertTrue(h.events("-failover-abort-not-elected").isEmpty, "aborted before the election timeout")
        h.run(until: { !h.events("-failover-abort-not-elected").isEmpty }, limit: 2_100)
        XCTAssertEqual(h.events("-failover-abort-not-elected"), [masterDetails])
        XCTAssertNil(h.masterFields("mymaster")["failover-state"])
        XCTAssertFalse(h.masterFields("mymaster")["flags"]?.contains("failover_in_progress") ?? true)
        // No new attempt before 2 × failover-timeout.
        h.run(for: 100_000)
        XCTAssertEqual(h.events("+try-failover").count, 1)
        XCTAssertTrue(h.logLines.contains { $0.hasPrefix("Next failover delay: I will not start a failover before ") })
        h.run(for: 22_000)
        XCTAssertEqual(h.events("+try-failover").count, 2)
        XCTAssertEqual(h.events("+new-epoch").last, "2")
    }

    /// A peer that was a candidate in the same instant: it voted for itself in the first
    /// epoch it was asked about, and votes like any sentinel after that.
    func selfVotingPeerAnswer(_ peer: Character) -> ([String]) -> RESPValue {
        var votes: [String: String] = [:]
        var firstEpoch: String?
        return { arguments in
            let epoch = arguments[4]
            if arguments[5] == "*" { return .array([.integer(1), .bulk("*"), .integer(0)]) }
            if firstEpoch == nil { firstEpoch = epoch }
            let vote = votes[epoch] ?? (epoch == firstEpoch ? runID(peer) : arguments[5])
            votes[epoch] = vote
            return .array([.integer(1), .bulk(vote), .integer(Int64(epoch) ?? 0)])
        }
    }

    func testTwoElectionsAtOnceEachAsksAtItsOwnEpoch() throws {
        // Two masters fail together: their elections run at epochs 1 and 2. The peers vote
        // only when asked a second time, so the first master's election needs the asks that
        // follow the second one's start: they must carry epoch 1, not the global epoch 2.
        let w = try makeWorld(extra: """
            sentinel monitor other 127.0.0.1 6390 2
            sentinel down-after-milliseconds other 5000
            sentinel known-sentinel other 127.0.0.1 26380 \(runID("b"))
            sentinel known-sentinel other 127.0.0.1 26381 \(runID("c"))
            """)
        let h = w.h
        let other = h.addServer(FakeRedis(port: 6390, runID: runID("o")))
        let otherReplica = h.addServer(FakeRedis(port: 6391, role: .replica, runID: runID("p")))
        otherReplica.replicate(other)
        for peer in w.peers {
            var asked: Set<String> = []
            var votes: [String: String] = [:]
            peer.isMasterDownReply = { arguments in
                let key = "\(arguments[3]) \(arguments[4])"
                if arguments[5] == "*" { return .array([.integer(1), .bulk("*"), .integer(0)]) }
                guard asked.contains(arguments[3]) else {
                    asked.insert(arguments[3])
                    return .array([.integer(1), .bulk("*"), .integer(0)])
                }
                let vote = votes[key] ?? arguments[5]
                votes[key] = vote
                return .array([.integer(1), .bulk(vote), .integer(Int64(arguments[4]) ?? 0)])
            }
        }
        h.run(for: 1_500)
        crash(w.master, in: h)
        crash(other, in: h)
        h.run(until: { h.events("+elected-leader").count == 2 }, limit: 20_000)
        XCTAssertEqual(Set(h.events("+elected-leader")), [masterDetails, "master other 127.0.0.1 6390"])
        XCTAssertTrue(h.events("-failover-abort-not-elected").isEmpty)
    }

    /// A crashed master whose peers were candidates too (see `selfVotingPeerAnswer`).
    func splitVoteWorld(peers: [Character]) throws -> World {
        let w = try makeWorld(peers: peers)
        for (peer, digit) in zip(w.peers, peers) { peer.isMasterDownReply = selfVotingPeerAnswer(digit) }
        crash(w.master, in: w.h)
        return w
    }

    func testASplitVoteIsRestartedAtOnceByTheLowestRunID() throws {
        // Three candidates voted for themselves in epoch 1: nobody can win it. Our run id is the
        // lowest, so we start epoch 2 at once, and the others vote for us there.
        let w = try splitVoteWorld(peers: ["b", "c"])
        let h = w.h
        h.run(until: { !h.events("+elected-leader").isEmpty }, limit: 20_000)
        XCTAssertEqual(h.events("+try-failover").count, 2)
        XCTAssertEqual(h.events("+new-epoch"), ["1", "2"])
        XCTAssertTrue(h.logLines.contains("Split vote for mymaster at epoch 1: starting a new election"))
        XCTAssertTrue(h.events("-failover-abort-not-elected").isEmpty)
        XCTAssertTrue(w.peers[0].received.contains { $0.arguments == ["SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "2", FailoverTestCase.myID] })
        // A second election of ours in epoch 2 only: the new master gets one failover.
        h.run(until: { !h.events("+failover-end").isEmpty }, limit: 20_000)
        XCTAssertEqual(h.events("+elected-leader").count, 1)
    }

    func testASplitVoteIsLeftToTheCandidateWithTheLowestRunID() throws {
        // The same split, but a peer has a lower run id: it restarts, not us; our election
        // just times out.
        let w = try splitVoteWorld(peers: ["0", "c"])
        let h = w.h
        h.run(until: { !h.events("-failover-abort-not-elected").isEmpty }, limit: 30_000)
        XCTAssertEqual(h.events("+try-failover").count, 1)
        XCTAssertTrue(h.events("+elected-leader").isEmpty)
        XCTAssertFalse(h.logLines.contains { $0.hasPrefix("Split vote") })
    }

    func testMajorityWithoutQuorumIsNotElected() throws {
        // Quorum 3 of three sentinels: all agree the master is down, but one peer votes for
        // somebody else, so we have 2 votes — a majority, below the quorum.
        let w = try makeWorld(quorum: 3)
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: true, votesFor: runID("f"))
        crash(w.master, in: h)
        h.run(until: { !h.events("+try-failover").isEmpty }, limit: 20_000)
        XCTAssertEqual(h.events("+odown"), ["\(masterDetails) #quorum 3/3"])
        h.run(until: { !h.events("-failover-abort-not-elected").isEmpty }, limit: 12_000)
        XCTAssertTrue(h.events("+elected-leader").isEmpty)
    }

    func testNoOdownBelowQuorum() throws {
        let w = try makeWorld(quorum: 3)
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: false)
        crash(w.master, in: h)
        h.run(for: 15_000)
        XCTAssertEqual(h.events("+sdown").first, masterDetails)
        XCTAssertTrue(h.events("+odown").isEmpty)
        XCTAssertTrue(h.events("+try-failover").isEmpty)
        // Peers are asked with "*" while no failover is in progress.
        XCTAssertTrue(w.peers[0].received.contains { $0.arguments == ["SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0", "*"] })
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

    // MARK: SENTINEL FAILOVER

    func testForcedManualFailoverPromotesWithSlaveOfNoOne() throws {
        let w = try makeWorld()
        let h = w.h
        w.r1.offset = 9_000
        h.run(for: 10_100)
        h.clearRecords()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster", "FORCE"), .ok)
        XCTAssertEqual(h.events("+new-epoch"), ["1"])
        XCTAssertEqual(h.events("+try-failover"), [masterDetails])
        XCTAssertTrue(h.logLines.contains("Executing user requested FAILOVER of 'mymaster'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .errorText("INPROG Failover already in progress"))
        XCTAssertTrue(h.masterFields("mymaster")["flags"]?.contains("failover_in_progress,force_failover") ?? false)
        // No agreement needed: elected on the next tick even though no peer voted.
        h.run(until: { !h.events("+failover-end").isEmpty }, limit: 5_000)
        XCTAssertEqual(h.events("+vote-for-leader"), ["\(FailoverTestCase.myID) 1"])
        XCTAssertEqual(h.events("+elected-leader"), [masterDetails])
        XCTAssertEqual(h.events("+selected-slave"), [replicaDetails(6380)])
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6380"])
        // The old master was not sent SLAVEOF by the failover itself.
        XCTAssertFalse(w.master.received.contains { $0.arguments.first == "SLAVEOF" })
    }

    func testCoordinatedManualFailoverHandsOverThroughTheMaster() throws {
        let w = try makeWorld()
        let h = w.h
        w.r1.offset = 9_000
        h.run(for: 10_100)
        h.clearRecords()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .ok)
        h.run(until: { !h.events("+failover-end").isEmpty }, limit: 5_000)
        XCTAssertEqual(h.events("+coordinated-failover-sent"), [replicaDetails(6380) + " timeout 10000"])
        XCTAssertEqual(h.events("-coordinated-failover-fallback"), [])
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6380"])
        // The master was asked to hand over; the replica was never told SLAVEOF NO ONE.
        XCTAssertTrue(w.master.received.contains { $0.arguments == ["FAILOVER", "TO", "127.0.0.1", "6380", "TIMEOUT", "10000"] })
        XCTAssertFalse(w.r1.received.contains { $0.arguments == ["SLAVEOF", "NO", "ONE"] })
        XCTAssertEqual(w.master.role, .replica)
    }

    func testCoordinatedFailoverFallsBackWhenTheMasterRefuses() throws {
        let w = try makeWorld()
        let h = w.h
        w.r1.offset = 9_000
        w.master.failoverError = "ERR FAILOVER target replica is not online."
        h.run(for: 10_100)
        h.clearRecords()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .ok)
        h.run(until: { !h.events("+failover-end").isEmpty }, limit: 5_000)
        XCTAssertEqual(h.events("-coordinated-failover-fallback"),
                       [masterDetails + " the master answered: ERR FAILOVER target replica is not online."])
        XCTAssertTrue(w.r1.received.contains { $0.arguments == ["SLAVEOF", "NO", "ONE"] })
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6380"])
    }

    func testManualFailoverRejectsAnUnknownMode() throws {
        let w = try makeWorld()
        let h = w.h
        h.run(for: 10_100)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "FAILOVER", "mymaster", "SOON"),
                       .errorText("ERR syntax error: SENTINEL FAILOVER <master-name> [COORDINATED|FORCE]"))
    }

    func testManualFailoverWithoutReplicas() throws {
        let w = try makeWorld(replicas: false)
        let c = w.h.connectClient()
        XCTAssertEqual(w.h.send(c, "SENTINEL", "FAILOVER", "mymaster"), .errorText("NOGOODSLAVE No suitable replica to promote"))
        XCTAssertTrue(w.h.events("+try-failover").isEmpty)
        XCTAssertEqual(w.h.send(c, "SENTINEL", "FAILOVER", "nope"), .errorText("ERR No such master with that name"))
    }

    // MARK: Answering IS-MASTER-DOWN-BY-ADDR

    func testIsMasterDownByAddrVotesOncePerEpoch() throws {
        let w = try makeWorld(peers: [])
        let h = w.h
        let c = h.connectClient()
        let a = runID("a"), b = runID("b")
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0", "*"),
                       .array([.integer(0), .bulk("*"), .integer(0)]))
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "4", a),
                       .array([.integer(0), .bulk(a), .integer(4)]))
        XCTAssertEqual(h.events("+new-epoch"), ["4"])
        XCTAssertEqual(h.events("+vote-for-leader"), ["\(a) 4"])
        XCTAssertEqual(h.sentinel.currentEpoch, 4)
        let config = h.persistedConfigurations.last ?? ""
        XCTAssertTrue(config.contains("sentinel leader-epoch mymaster 4"), config)
        XCTAssertTrue(config.contains("sentinel current-epoch 4"), config)
        // A second candidate in the same epoch (or a lower one) gets the first vote back.
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "4", b),
                       .array([.integer(0), .bulk(a), .integer(4)]))
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "3", b),
                       .array([.integer(0), .bulk(a), .integer(4)]))
        XCTAssertEqual(h.events("+vote-for-leader").count, 1)
        // A later epoch gets a new vote.
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "5", b),
                       .array([.integer(0), .bulk(b), .integer(5)]))
        XCTAssertEqual(h.events("+vote-for-leader").last, "\(b) 5")
    }

    func testIsMasterDownByAddrReportsDownAndValidatesArguments() throws {
        let w = try makeWorld(peers: [])
        let h = w.h
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "x", "0", "*"),
                       .errorText("ERR value is not an integer or out of range"))
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "-1", "*"),
                       .errorText("ERR value is not an integer or out of range"))
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0"),
                       .errorText("ERR wrong number of arguments for 'sentinel|is-master-down-by-addr' command"))
        // Unknown address: not down, no vote.
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "10.9.9.9", "6379", "7", runID("b")),
                       .array([.integer(0), .bulk("*"), .integer(0)]))
        crash(w.master, in: h)
        h.run(until: { !h.events("+sdown").isEmpty }, limit: 8_000)
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0", "*"),
                       .array([.integer(1), .bulk("*"), .integer(0)]))
    }

    func testVotingForAnotherSentinelDelaysOurOwnFailover() throws {
        let w = try makeWorld(quorum: 1, peers: ["b"])
        let h = w.h
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "1", runID("b")),
                       .array([.integer(0), .bulk(runID("b")), .integer(1)]))
        crash(w.master, in: h)
        h.run(until: { !h.events("+odown").isEmpty }, limit: 8_000)
        h.run(for: 10_000)
        XCTAssertTrue(h.events("+try-failover").isEmpty)
        XCTAssertTrue(h.logLines.contains { $0.hasPrefix("Next failover delay: I will not start a failover before ") })
    }

    func testAnswersAreForgottenAfterFiveAskPeriods() throws {
        let w = try makeWorld(quorum: 2, peers: ["b"])
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true, votesFor: "*")
        crash(w.master, in: h)
        h.run(until: { !h.events("+odown").isEmpty }, limit: 8_000)
        XCTAssertTrue(h.masterFields("mymaster")["flags"]?.hasPrefix("s_down,o_down,master") ?? false)
        // The peer stops answering: its opinion expires and ODOWN ends.
        w.peers[0].hung = true
        h.run(until: { !h.events("-odown").isEmpty }, limit: 8_000)
        XCTAssertEqual(h.events("-odown").first, masterDetails)
    }
}
