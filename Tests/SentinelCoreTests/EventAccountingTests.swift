import RESP
import XCTest
@testable import SentinelCore

/// What events count (`Observability/EventAccounting.swift`): failovers by role and result,
/// elections, votes, every event by type, and the phases of a failover this sentinel led.
final class EventAccountingTests: FailoverTestCase {
    func testALeaderFailoverCountsOnceAndObservesEachPhase() throws {
        let w = try makeWorld()
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: false)
        let crashTime = h.now
        crash(w.master, in: h)
        h.run(until: { !h.events("+switch-master").isEmpty }, limit: 30_000)

        let metrics = h.sentinel.metrics
        XCTAssertEqual(metrics.failovers(.leader, .end), 1)
        XCTAssertEqual(metrics.failovers(.leader, .timeout), 0)
        XCTAssertEqual(metrics.failovers(.observer, .end), 0)
        XCTAssertEqual(metrics.electionsWon, 1)
        XCTAssertEqual(metrics.electionsLost, 0)
        XCTAssertEqual(metrics.votesForSelf, 1)
        XCTAssertEqual(metrics.votesForPeers, 0)
        XCTAssertEqual(metrics.eventCounts[.switchMaster], 1)
        XCTAssertEqual(metrics.eventCounts[.objectivelyDown], 1)

        func seconds(_ from: String, _ to: String) throws -> Double {
            Double(try XCTUnwrap(h.eventTime(to)) - XCTUnwrap(h.eventTime(from))) / 1000
        }
        func phase(_ phase: FailoverPhase) throws -> Histogram { try XCTUnwrap(metrics.failoverPhases[phase]) }
        for each in FailoverPhase.allCases { XCTAssertEqual(try phase(each).count, 1, each.rawValue) }
        XCTAssertEqual(try phase(.elect).sum, try seconds("+try-failover", "+elected-leader"))
        XCTAssertEqual(try phase(.promote).sum, try seconds("+elected-leader", "+promoted-slave"))
        XCTAssertEqual(try phase(.reconfigure).sum, try seconds("+promoted-slave", "+failover-end"))
        XCTAssertEqual(try phase(.total).sum, try seconds("+odown", "+switch-master"))
        // Detect: from the last valid reply, before the crash and within a ping period of it,
        // to +odown.
        let odown = Double(try XCTUnwrap(h.eventTime("+odown")) - crashTime) / 1000
        XCTAssertGreaterThanOrEqual(try phase(.detect).sum, odown)
        XCTAssertLessThanOrEqual(try phase(.detect).sum, odown + 1)
        XCTAssertGreaterThanOrEqual(try phase(.detect).sum, 5, "at least down-after-milliseconds")
        // The timeline is cleared for the next failover.
        XCTAssertEqual(h.sentinel.masters[h.sentinel.masterOrder[0]]?.failoverTimeline, FailoverTimeline())
    }

    /// A peer's failover adopted from its hello counts as the observer's, with no phases.
    func testAnAdoptedFailoverCountsAsObserved() throws {
        let (h, master) = try makeHarness()
        let replica = h.addServer(FakeRedis(port: 6380, role: .replica))
        replica.replicate(master)
        h.run(for: 300)
        h.deliverHello("127.0.0.1,26380,\(runID("b")),1,mymaster,127.0.0.1,6380,1", via: master)
        XCTAssertEqual(h.events("+switch-master"), ["mymaster 127.0.0.1 6379 127.0.0.1 6380"])
        let metrics = h.sentinel.metrics
        XCTAssertEqual(metrics.failovers(.observer, .end), 1)
        XCTAssertEqual(metrics.failovers(.leader, .end), 0)
        XCTAssertEqual(metrics.failoverPhases[.total]?.count, 0)
        XCTAssertEqual(metrics.eventCounts[.configUpdateFrom], 1)
    }

    func testALostElectionCountsAsLostAndAborted() throws {
        let w = try makeWorld(peers: ["b", "c", "d"])
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: false, votesFor: "*")
        w.peers[2].isMasterDownReply = peerAnswer(down: false, votesFor: "*")
        crash(w.master, in: h)
        h.run(until: { !h.events("-failover-abort-not-elected").isEmpty }, limit: 30_000)
        let metrics = h.sentinel.metrics
        XCTAssertEqual(metrics.electionsLost, 1)
        XCTAssertEqual(metrics.electionsWon, 0)
        XCTAssertEqual(metrics.failovers(.leader, .abortNotElected), 1)
        XCTAssertEqual(metrics.failovers(.leader, .end), 0)
        XCTAssertEqual(metrics.failoverPhases[.elect]?.count, 0)
    }

    func testNoGoodReplicaCountsItsAbort() throws {
        let w = try makeWorld(replicas: false)
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: false)
        crash(w.master, in: h)
        h.run(until: { !h.events("-failover-abort-no-good-slave").isEmpty }, limit: 30_000)
        XCTAssertEqual(h.sentinel.metrics.failovers(.leader, .abortNoGoodReplica), 1)
        XCTAssertEqual(h.sentinel.metrics.electionsWon, 1)
    }

    /// A failover outdated by a peer's newer configuration before the promotion counts as
    /// aborted for it, and the peer's configuration as an observed failover.
    func testANewerConfigurationCountsItsAbort() throws {
        let w = try makeWorld()
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true, votesFor: "*")
        w.peers[1].isMasterDownReply = peerAnswer(down: true, votesFor: "*")
        crash(w.master, in: h)
        XCTAssertTrue(h.run(until: { !h.events("+try-failover").isEmpty }, limit: 20_000))
        let client = h.connectClient()
        XCTAssertEqual(h.send(client, "PUBLISH", "__sentinel__:hello", "127.0.0.1,26380,\(runID("b")),1,mymaster,127.0.0.1,6379,1"), .integer(1))
        XCTAssertEqual(h.events("-failover-abort-newer-config").count, 1)
        let metrics = h.sentinel.metrics
        XCTAssertEqual(metrics.failovers(.leader, .abortNewerConfiguration), 1)
        XCTAssertEqual(metrics.failovers(.leader, .end), 0)
        XCTAssertEqual(metrics.eventCounts[.failoverAbortNewerConfiguration], 1)
        let text = String(decoding: h.sentinel.metricsText(at: h.time), as: UTF8.self)
        XCTAssertTrue(text.contains("redis_sentinel_failovers_total{role=\"leader\",result=\"abort_newer_config\"} 1\n"))
    }

    /// A vote given to a peer that asks is counted as a vote for a peer.
    func testAVoteForAPeer() throws {
        let w = try makeWorld()
        let h = w.h
        let c = h.connectClient()
        let reply = h.send(c, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "7", runID("b"))
        XCTAssertEqual(reply.elements?[1].text, runID("b"))
        XCTAssertEqual(h.sentinel.metrics.votesForPeers, 1)
        XCTAssertEqual(h.sentinel.metrics.votesForSelf, 0)
        XCTAssertEqual(h.sentinel.metrics.eventCounts[.voteForLeader], 1)
    }
}
