import RESP
import SentinelCore

/// A Redis instance good enough for a sentinel: role, run id, replication offsets that
/// advance, SLAVEOF, the MULTI/EXEC promotion transaction, INFO text, pub/sub of hellos,
/// `-LOADING` after a restart, freezes, crash and restart (the role survives a restart only
/// if `CONFIG REWRITE` persisted it).
struct SimulatedRedis {
    enum Role: Equatable { case master, replica }

    let index: Int
    let group: Int
    let address: HostPort
    var alive = true
    var incarnation = 0
    var runID: String
    var role: Role
    /// The master this instance replicates (replicas).
    var masterAddress: HostPort?
    /// What `CONFIG REWRITE` saved: the role and master after a restart.
    var persistedRole: Role
    var persistedMasterAddress: HostPort?
    var offset: Int64 = 0
    var linkUp = false
    var linkDownSince: Milliseconds = 0
    /// When a (re)synchronisation with the master completes; 0 while the master is unreachable.
    var syncReadyAt: Milliseconds = 0
    var loadingUntil: Milliseconds = 0
    var frozenUntil: Milliseconds = 0
    var priority: Int

    init(index: Int, group: Int, address: HostPort, runID: String, masterAddress: HostPort?, priority: Int) {
        self.index = index
        self.group = group
        self.address = address
        self.runID = runID
        self.role = masterAddress == nil ? .master : .replica
        self.masterAddress = masterAddress
        self.persistedRole = role
        self.persistedMasterAddress = masterAddress
        self.priority = priority
        self.linkUp = masterAddress != nil
    }

    func isFrozen(at now: Milliseconds) -> Bool { frozenUntil > now }

    /// `slaveof` effect (immediately, or at EXEC).
    mutating func replicate(_ target: HostPort?, now: Milliseconds) {
        if let target {
            if role == .replica && masterAddress == target { return }
            role = .replica
            masterAddress = target
        } else {
            role = .master
            masterAddress = nil
        }
        if linkUp || linkDownSince == 0 { linkDownSince = now }
        linkUp = false
        syncReadyAt = 0
    }

    /// The INFO text (the fields a sentinel reads, as Redis 7.0 prints them).
    func infoText(now: Milliseconds, connectedReplicas: [(HostPort, Int64)]) -> String {
        var lines = ["# Server", "redis_version:7.0.15", "redis_mode:standalone", "run_id:\(runID)", "tcp_port:\(address.port)", "",
                     "# Persistence", "loading:\(loadingUntil > now ? 1 : 0)", "", "# Replication"]
        switch role {
        case .master:
            lines.append("role:master")
        case .replica:
            lines.append("role:slave")
            lines.append("master_host:\(masterAddress?.host ?? "")")
            lines.append("master_port:\(masterAddress?.port ?? 0)")
            lines.append("master_link_status:\(linkUp ? "up" : "down")")
            lines.append("master_last_io_seconds_ago:\(linkUp ? 0 : -1)")
            lines.append("master_sync_in_progress:0")
            lines.append("slave_read_repl_offset:\(offset)")
            lines.append("slave_repl_offset:\(offset)")
            if !linkUp {
                lines.append("master_link_down_since_seconds:\(linkDownSince == 0 ? -1 : (now - linkDownSince) / 1000)")
            }
            lines.append("slave_priority:\(priority)")
            lines.append("slave_read_only:1")
            lines.append("replica_announced:1")
        }
        // A replica lists the replicas chained under it, as a master does.
        lines.append("connected_slaves:\(connectedReplicas.count)")
        for (i, replica) in connectedReplicas.enumerated() {
            lines.append("slave\(i):ip=\(replica.0.host),port=\(replica.0.port),state=online,offset=\(replica.1),lag=0")
        }
        lines.append("master_failover_state:no-failover")
        lines.append("master_repl_offset:\(offset)")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
