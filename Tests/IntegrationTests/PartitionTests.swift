import Foundation
import Glibc
import RESP
import XCTest

/// A real network partition and its heal (issue 21), with swift-sentinel and redis-server in
/// network namespaces: host A runs the master, replica R1 and sentinel S1; host B sentinel S2
/// and replica R2; host C sentinel S3. Host A is cut off: the majority (S2, S3) fails over to
/// R2 and the minority sentinel never starts a failover (§8: a failover needs the master
/// objectively down, which S1, still reaching it, never finds). After the heal the
/// configuration with the higher epoch wins everywhere (§9): the old master becomes a replica
/// of R2, all three sentinels name R2, and R1 replicates from R2 directly. Deadlines are
/// generous; how fast it happens is the bench's job (`Scripts/bench.sh --only partition`).
/// Needs root (CI runs as root): without it, or without `ip netns`, the test fails.
final class PartitionTests: IntegrationTestCase {
    /// One process of the deployment. The ports differ across hosts only to keep logs readable.
    private struct Node {
        let name: String
        let host: String
        let port: Int
    }

    private let master = Node(name: "master", host: "a", port: 6379)
    private let replicaA = Node(name: "R1", host: "a", port: 6380)
    private let replicaB = Node(name: "R2", host: "b", port: 6381)
    private let sentinelNodes = [Node(name: "S1", host: "a", port: 26379), Node(name: "S2", host: "b", port: 26380),
                                 Node(name: "S3", host: "c", port: 26381)]
    private var network: PartitionNetwork?

    override func tearDownWithError() throws {
        // The processes are stopped by the base class, then the namespaces are deleted.
        defer {
            network?.delete()
            network = nil
        }
        try super.tearDownWithError()
    }

    // MARK: the deployment

    private func namespace(_ node: Node) throws -> NetworkNamespace {
        guard let namespace = network?.hosts[node.host] else { throw IntegrationError("no namespace for host \(node.host)") }
        return namespace
    }

    private func address(_ node: Node) throws -> String {
        guard let address = network?.addresses[node.host] else { throw IntegrationError("no address for host \(node.host)") }
        return address
    }

    /// "ip:port" of a node, as the sentinels name it.
    private func endpoint(_ node: Node) throws -> String { "\(try address(node)):\(node.port)" }

    /// One command to `node`, on a fresh connection made inside its host's namespace (so the
    /// partition never cuts the test off).
    @discardableResult
    private func query(_ node: Node, _ arguments: String...) throws -> RESPValue {
        let connection = try RedisConnection(host: try address(node), port: node.port, namespace: try namespace(node), timeout: 5)
        return try connection.command(arguments)
    }

    private func replication(_ node: Node) throws -> [String: String] {
        parseInfo(try query(node, "INFO", "replication"))
    }

    /// Whether `node` reports itself a replica of `upstream` (with its link up when asked).
    private func replicates(_ node: Node, from upstream: Node, linkUp: Bool) throws -> Bool {
        let fields = try replication(node)
        let upstreamAddress = try address(upstream)
        return fields["role"] == "slave" && fields["master_host"] == upstreamAddress
            && fields["master_port"] == String(upstream.port) && (!linkUp || fields["master_link_status"] == "up")
    }

    /// The master address `sentinel` gives for mymaster, as "ip:port".
    private func masterAddress(_ sentinel: Node) throws -> String {
        let items = try query(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster").elements ?? []
        return items.compactMap(\.text).joined(separator: ":")
    }

    /// Starts `executable arguments` inside the node's host; output goes to the node's log.
    private func start(_ node: Node, kind: String, _ executable: String, _ arguments: [String]) throws -> ManagedProcess {
        let nodeDirectory = "\(directory)/\(node.name)"
        try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
        let command = try namespace(node).command(executable, arguments)
        return try launch(name: "\(kind) \(node.name)", executable: command.executable, arguments: command.arguments,
                          logPath: "\(nodeDirectory)/\(kind).log")
    }

    private func startRedis(_ node: Node, replicaOf upstream: Node? = nil) throws {
        var arguments = ["--port", String(node.port), "--bind", try address(node), "--protected-mode", "no", "--save", "",
                         "--appendonly", "no", "--daemonize", "no", "--dir", "\(directory)/\(node.name)",
                         "--repl-diskless-sync-delay", "0"]
        if let upstream { arguments += ["--replicaof", try address(upstream), String(upstream.port)] }
        let process = try start(node, kind: "redis-server", Self.findExecutable("redis-server"), arguments)
        try waitUntil("redis-server \(node.name) answers PING; log: \(process.logTail(5))") {
            process.isRunning && (try? query(node, "PING"))?.text == "PONG"
        }
    }

    private func startSentinel(_ node: Node) throws {
        let nodeDirectory = "\(directory)/\(node.name)"
        try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
        let configPath = "\(nodeDirectory)/sentinel.conf"
        try """
        port \(node.port)
        bind \(try address(node))
        protected-mode no
        dir \(nodeDirectory)
        loglevel verbose
        sentinel monitor mymaster \(try address(master)) \(master.port) 2
        sentinel down-after-milliseconds mymaster 3000
        sentinel failover-timeout mymaster 10000

        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = try start(node, kind: "swift-sentinel", Self.swiftSentinelBinary, [configPath])
        try waitUntil("swift-sentinel \(node.name) answers PING; log: \(process.logTail(5))") {
            process.isRunning && (try? query(node, "PING"))?.text == "PONG"
        }
    }

    // MARK: the test

    func testMinorityNeverFailsOverAndTheHealedOldMasterFollowsTheNewMaster() throws {
        try PartitionNetwork.checkAvailable()
        network = try PartitionNetwork(prefix: "swift-sentinel-it-\(getpid())-\(UInt16.random(in: 0...UInt16.max))",
                                       hosts: ["a", "b", "c"])
        try startRedis(master)
        try startRedis(replicaA, replicaOf: master)
        try startRedis(replicaB, replicaOf: master)
        try waitUntil("R1 and R2 replicate the master with their links up") {
            try replicates(replicaA, from: master, linkUp: true) && replicates(replicaB, from: master, linkUp: true)
        }
        for node in sentinelNodes { try startSentinel(node) }
        try waitUntil("every sentinel knows 2 replicas and 2 other sentinels", timeout: 60) {
            try sentinelNodes.allSatisfy { node in
                let fields = try query(node, "SENTINEL", "MASTER", "mymaster").fieldDictionary
                return fields["num-slaves"] == "2" && fields["num-other-sentinels"] == "2"
            }
        }
        let minority = sentinelNodes[0], majority = Array(sentinelNodes[1...])
        let minorityEvents = try subscribe(minority.port, host: try address(minority), namespace: try namespace(minority))

        // The cut: the majority fails over to R2; the minority sees its peers go down.
        let cut = Date()
        try network?.cut("a")
        let newMaster = try endpoint(replicaB)
        try waitUntil("S2 and S3 name R2 (\(newMaster)); now \(majority.map { (try? self.masterAddress($0)) ?? "?" })", timeout: 60) {
            try majority.allSatisfy { try masterAddress($0) == newMaster }
        }
        let failedOver = Date()
        try waitUntil("S1 flags both other sentinels s_down", timeout: 60) {
            let peers = (try query(minority, "SENTINEL", "SENTINELS", "mymaster").elements ?? []).map(\.fieldDictionary)
            return peers.count == 2 && peers.allSatisfy { ($0["flags"] ?? "").contains("s_down") }
        }
        XCTAssertEqual(try replication(master)["role"], "master", "the isolated master was demoted during the partition")
        XCTAssertEqual(try masterAddress(minority), try endpoint(master), "S1 changed its configuration during the partition")

        // The heal: the configuration with the higher epoch wins everywhere.
        let heal = Date()
        try network?.heal("a")
        try waitUntil("the old master replicates R2; now \((try? self.replication(self.master)) ?? [:])", timeout: 60) {
            try replicates(master, from: replicaB, linkUp: false)
        }
        let demoted = Date()
        try waitUntil("all three sentinels name R2 (\(newMaster)); now \(sentinelNodes.map { (try? self.masterAddress($0)) ?? "?" })",
                      timeout: 60) {
            try sentinelNodes.allSatisfy { try masterAddress($0) == newMaster }
        }
        let agreed = Date()
        try waitUntil("R1 and the old master replicate R2 directly with their links up; R1 now \((try? self.replication(self.replicaA)) ?? [:])",
                      timeout: 60) {
            try replicates(replicaA, from: replicaB, linkUp: true) && replicates(master, from: replicaB, linkUp: true)
        }
        let direct = Date()
        XCTAssertEqual(try replication(replicaB)["role"], "master")

        XCTAssertTrue(minorityEvents.hasEvent("+switch-master", containing: "mymaster \(try address(master)) \(master.port) \(try address(replicaB)) \(replicaB.port)"),
                      "S1 did not adopt the new configuration (or its events were lost): \(minorityEvents.events)")
        let started = minorityEvents.events.filter { $0.channel == "+try-failover" || $0.channel == "+elected-leader" }
        XCTAssertEqual(started.map(\.description), [], "the minority sentinel started a failover")
        print(String(format: "partition: majority failed over %.3f s after the cut; from the heal: old master demoted %.3f s, all sentinels agree %.3f s, every replica linked to R2 %.3f s",
                     failedOver.timeIntervalSince(cut), demoted.timeIntervalSince(heal), agreed.timeIntervalSince(heal),
                     direct.timeIntervalSince(heal)))
    }
}
