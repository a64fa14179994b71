import Foundation
import XCTest

/// The rolling restart of issue 18: three sentinels, each restarted twice with its state wiped
/// and at a new address (a new port here: a sentinel's address is ip:port), as pods without
/// stable hostnames come back. redis-sentinel keeps every old incarnation as a voter; with
/// `forget-after-milliseconds` the fleet shrinks back to the living three and still fails over.
final class RollingRestartTests: IntegrationTestCase {
    let forgetAfter = 3000
    let downAfter = 1000

    /// The sentinel lines of one incarnation: a fresh directory, so no state survives.
    func incarnationLines(_ kind: SentinelNode.Kind, master: RedisNode) -> String {
        var options = MonitorOptions()
        options.downAfterMilliseconds = downAfter
        options.failoverTimeout = 2000
        var lines = monitorLines(master: master, options)
        if kind == .swift {
            lines = "sentinel state-config-file state.conf\nsentinel forget-after-milliseconds \(forgetAfter)\n" + lines
        }
        return lines
    }

    /// Starts incarnation `generation` of sentinel `index`; a swift-sentinel is waited for
    /// until it has learned the epochs and joined.
    func startIncarnation(_ kind: SentinelNode.Kind, index: Int, generation: Int, master: RedisNode) throws -> SentinelNode {
        let node = try startSentinel("\(kind.rawValue)-\(index)-\(generation)", kind: kind, lines: incarnationLines(kind, master: master))
        if kind == .swift {
            try waitUntil("\(node.name) joins the fleet; log:\n\(node.process.logTail())", timeout: 40) {
                node.process.log.contains("Sentinel joins the fleet")
            }
        }
        return node
    }

    /// The ports of the sentinels `node` lists for mymaster.
    func listedPorts(_ node: SentinelNode) throws -> Set<String> {
        Set((try query(node.port, "SENTINEL", "SENTINELS", "mymaster").elements ?? []).compactMap { $0.fieldDictionary["port"] })
    }

    /// Runs the scenario; returns the living sentinels, the replica and the master.
    func rollingRestart(_ kind: SentinelNode.Kind) throws -> (living: [SentinelNode], master: RedisNode, replica: RedisNode) {
        let master = try startRedis("master")
        let replica = try startRedis("replica", replicaOf: master)
        var living = try (0..<3).map { try startIncarnation(kind, index: $0, generation: 0, master: master) }
        try waitForDiscovery(living, replicas: 1)
        for generation in 1...2 {
            for index in 0..<3 {
                living[index].process.stop()
                living[index] = try startIncarnation(kind, index: index, generation: generation, master: master)
                let newcomer = living[index]
                try waitUntil("every living sentinel knows \(newcomer.name)", timeout: 40) {
                    try living.filter { $0 !== newcomer }.allSatisfy { try listedPorts($0).contains(String(newcomer.port)) }
                }
            }
        }
        return (living, master, replica)
    }

    func testLivingSentinelsListOnlyEachOtherAndFailOverAfterTwoWipedRestartsEach() throws {
        let (living, master, replica) = try rollingRestart(.swift)
        let started = Date()
        try waitUntil("every living sentinel lists exactly the two others; now: "
                      + living.map { node in "\(node.name): \((try? self.listedPorts(node))?.sorted() ?? [])" }.joined(separator: ", "),
                      timeout: 30) {
            try living.allSatisfy { node in
                try listedPorts(node) == Set(living.filter { $0 !== node }.map { String($0.port) })
            }
        }
        print("swift-sentinel rolling restart: the living sentinels list exactly each other \(Int(Date().timeIntervalSince(started) * 1000)) ms after the last restart joined")
        for node in living {
            XCTAssertEqual(try query(node.port, "SENTINEL", "CKQUORUM", "mymaster").text,
                           "OK 3 usable Sentinels. Quorum and failover authorization can be reached")
        }

        let subscriber = try subscribe(living[0].port)
        master.process.signal(SIGKILL)
        let killed = Date()
        try waitUntil("+switch-master", timeout: 30, poll: 0.02) { subscriber.hasEvent("+switch-master", containing: "mymaster") }
        print("swift-sentinel rolling restart: master killed, +switch-master after \(Int(Date().timeIntervalSince(killed) * 1000)) ms (down-after \(downAfter) ms)")
        XCTAssertEqual(try waitForAgreedNewMaster(living, old: master, timeout: 30), replica.address)
    }

    /// The same scenario with redis-sentinel 7.0, for the test log: its voter counts (every
    /// old incarnation stays, `s_down,disconnected`; measured [5, 4, 3]) and whether it still
    /// fails over (it did here: the sentinel that counts only the living three can win).
    func testRedisSentinelKeepsEveryOldIncarnationAsAVoter() throws {
        let (living, master, _) = try rollingRestart(.redis)
        let counts = try living.map { try listedPorts($0).count + 1 }
        print("redis-sentinel rolling restart: voters counted by the living sentinels: \(counts) (3 living)")
        // The incarnation started last heard only the living; the older ones keep the dead.
        XCTAssertGreaterThan(counts.max() ?? 0, 3, "redis-sentinel forgets no incarnation: \(counts)")
        master.process.signal(SIGKILL)
        let failedOver = (try? waitForAgreedNewMaster(living, old: master, timeout: 15)) != nil
        print("redis-sentinel rolling restart: master killed, failed over within 15 s: \(failedOver)")
    }
}
