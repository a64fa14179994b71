import RESP
import XCTest
@testable import SentinelCore

/// ODOWN and asking the peers (`Failover/Agreement.swift`, SENTINEL-PROTOCOL.md §5.2, §6): the
/// quorum, the question each peer is asked, and answers that expire.
final class AgreementTests: FailoverTestCase {
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

    func testAnOpinionHeldWhenTheMasterRecoversStillExpires() throws {
        let w = try makeWorld(quorum: 3)
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        crash(w.master, in: h)
        let client = h.connectClient()
        func peerFlags() -> [String] {
            guard case .array(let peers) = h.send(client, "SENTINEL", "SENTINELS", "mymaster") else { return [] }
            return peers.map { fieldDictionary($0)["flags"] ?? "" }.sorted()
        }
        h.run(until: { peerFlags().contains("sentinel,master_down") }, limit: 15_000)
        // The master answers again before the quorum agrees: it is no longer asked about, but
        // the opinion it left still expires after five ask periods.
        w.master.acceptsConnections = true
        h.run(until: { !h.events("-sdown").isEmpty }, limit: 5_000)
        XCTAssertTrue(peerFlags().contains("sentinel,master_down"))
        h.run(until: { !peerFlags().contains("sentinel,master_down") }, limit: 6_000)
        XCTAssertEqual(peerFlags(), ["sentinel", "sentinel"])
        XCTAssertTrue(h.events("+odown").isEmpty)
    }

    func testAnOpinionArrivingAfterTheMasterRecoveredStillExpires() throws {
        let w = try makeWorld(quorum: 3)
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[0].hung = true
        crash(w.master, in: h)
        h.run(until: { w.peers[0].received.contains { $0.arguments.first == "SENTINEL" } }, limit: 15_000)
        w.master.acceptsConnections = true
        h.run(until: { !h.events("-sdown").isEmpty }, limit: 5_000)
        // The peer's answer comes after the master recovered, so it is never asked again.
        h.resume(w.peers[0])
        let client = h.connectClient()
        func peerFlags() -> [String] {
            guard case .array(let peers) = h.send(client, "SENTINEL", "SENTINELS", "mymaster") else { return [] }
            return peers.map { fieldDictionary($0)["flags"] ?? "" }.sorted()
        }
        h.run(until: { peerFlags().contains("sentinel,master_down") }, limit: 1_000)
        h.run(until: { !peerFlags().contains("sentinel,master_down") }, limit: 6_000)
        XCTAssertEqual(peerFlags(), ["sentinel", "sentinel"])
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
}
