import RESP
import XCTest
@testable import SentinelCore

/// The world and helpers shared by the failover test cases: the sentinel of
/// `SingleMasterTestCase` with two replicas and peer sentinels, all fakes.
class FailoverTestCase: MonitoringTestCase {
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
