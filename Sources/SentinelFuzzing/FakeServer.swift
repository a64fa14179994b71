import RESP
import SentinelCore

/// A Redis server or a peer sentinel of the fuzzed deployment, as the world answers for it:
/// the default answers of a healthy server (like the unit tests' `FakeRedis`), which the fuzz
/// input may replace by hostile ones.
struct FakeServer {
    enum Role { case master, replica }

    /// How a peer sentinel answers `SENTINEL is-master-down-by-addr`.
    enum VotePolicy: CaseIterable { case agreeAndVote, agreeWithoutVote, disagree }

    var runID: String
    var role: Role
    var isSentinel: Bool
    var masterHost = "?"
    var masterPort = 0
    var masterLinkUp = true
    var priority = 100
    var offset: Int64 = 1000
    /// Replicas its INFO lists (`slaveN:` lines).
    var replicas: [HostPort] = []
    /// Lines added to the INFO text (hostile fields).
    var extraInfoLines: [String] = []
    var pingReply: RESPValue = .status("PONG")
    /// A crashed, hung or partitioned server: connections to it fail, and those already open
    /// get no default answers.
    var isDown = false
    /// Whether `SLAVEOF` (applied at `EXEC`) changes its role.
    var obeysSlaveOf = true
    var votePolicy: VotePolicy = .agreeAndVote
    /// `SLAVEOF` arguments queued inside `MULTI`.
    var queuedSlaveOf: [String]?

    init(runID: String, role: Role, isSentinel: Bool = false) {
        self.runID = runID
        self.role = role
        self.isSentinel = isSentinel
    }

    /// The INFO text it answers.
    var infoText: String {
        var lines = ["# Server", "redis_version:7.0.15", "run_id:\(runID)", "", "# Replication"]
        switch role {
        case .master:
            lines.append("role:master")
            lines.append("connected_slaves:\(replicas.count)")
            for (index, replica) in replicas.enumerated() {
                lines.append("slave\(index):ip=\(replica.host),port=\(replica.port),state=online,offset=\(offset),lag=0")
            }
        case .replica:
            lines += ["role:slave", "master_host:\(masterHost)", "master_port:\(masterPort)",
                      "master_link_status:\(masterLinkUp ? "up" : "down")", "master_last_io_seconds_ago:0",
                      "slave_repl_offset:\(offset)", "slave_priority:\(priority)", "replica_announced:1"]
            if !masterLinkUp { lines.append("master_link_down_since_seconds:3") }
        }
        lines += extraInfoLines
        lines.append("master_repl_offset:\(offset)")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The default answer to `command`; may change the server (SLAVEOF at EXEC, FAILOVER).
    mutating func answer(_ command: [String], address: HostPort, world: inout [HostPort: FakeServer]) -> RESPValue {
        switch command.first?.uppercased() ?? "" {
        case "PING":
            return pingReply
        case "INFO":
            return .bulk(infoText)
        case "PUBLISH":
            return .integer(1)
        case "SUBSCRIBE":
            return .array([.bulk("subscribe"), .bulk(command.count > 1 ? command[1] : ""), .integer(1)])
        case "MULTI":
            queuedSlaveOf = nil
            return .ok
        case "SLAVEOF", "REPLICAOF":
            queuedSlaveOf = Array(command.dropFirst())
            return .status("QUEUED")
        case "EXEC":
            if let target = queuedSlaveOf, obeysSlaveOf { applySlaveOf(target) }
            queuedSlaveOf = nil
            return .array([.ok, .ok, .integer(1), .ok])
        case "SENTINEL" where command.count == 6 && command[1].lowercased() == "is-master-down-by-addr":
            let requester = command[5]
            switch votePolicy {
            case .agreeAndVote where requester != "*":
                return .array([.integer(1), .bulk(requester), .integer(Int64(command[4]) ?? 0)])
            case .agreeAndVote, .agreeWithoutVote:
                return .array([.integer(1), .bulk("*"), .integer(0)])
            case .disagree:
                return .array([.integer(0), .bulk("*"), .integer(0)])
            }
        case "FAILOVER" where command.count >= 4 && command[1].uppercased() == "TO":
            // The server-side handover: the target becomes master, this server its replica.
            let target = HostPort(host: command[2], port: Int(command[3]) ?? 0)
            guard replicas.contains(target), var replica = world[target] else {
                return .errorText("ERR FAILOVER target HOST and PORT is not a replica.")
            }
            replica.role = .master
            replica.replicas = replicas.filter { $0 != target } + [address]
            world[target] = replica
            role = .replica
            masterHost = target.host
            masterPort = target.port
            masterLinkUp = true
            replicas = []
            return .ok
        default:
            return .ok
        }
    }

    private mutating func applySlaveOf(_ target: [String]) {
        if target.count == 2 && target[0].uppercased() == "NO" && target[1].uppercased() == "ONE" {
            role = .master
            masterHost = "?"
            masterPort = 0
        } else if target.count == 2 {
            role = .replica
            masterHost = target[0]
            masterPort = Int(target[1]) ?? 0
            masterLinkUp = true
        }
    }
}
