import RESP
import XCTest
@testable import SentinelCore

/// The election of a failover leader (`Failover/Election.swift`, SENTINEL-PROTOCOL.md §6, §7):
/// majority and quorum, the election timeout, split votes, and a vote given to a peer.
final class ElectionTests: FailoverTestCase {
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

    // MARK: Split votes

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
}
