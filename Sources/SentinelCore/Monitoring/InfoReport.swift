/// What a master's or replica's INFO reply says that a sentinel uses (SENTINEL-PROTOCOL.md §3.2).
/// A pure parse of the text; applying it to an instance is `Sentinel.applyInfo`.
public struct InfoReport: Sendable, Equatable {
    /// `run_id:` (the first 40 characters of a line of at least 47).
    public var runID: String?
    /// `role:master` / `role:slave`; nil when absent.
    public var role: ReportedRole?
    /// `redis_version:` (tells whether the server has `FAILOVER`, Redis ≥ 6.2).
    public var redisVersion: String?
    /// `master_failover_state:` of a master running a server-side `FAILOVER` (Redis ≥ 6.2):
    /// `no-failover`, `waiting-for-sync` or `failover-in-progress`.
    public var serverFailoverState: String?
    /// Replicas listed by `slaveN:` lines, old (`ip,port,state`) or new (`ip=…,port=…`) form.
    public var replicas: [HostPort] = []
    /// `master_link_down_since_seconds` × 1000 (0 when absent).
    public var masterLinkDownTime: Milliseconds = 0
    /// The fields below are read only after a `role:slave` line.
    public var masterHost: String?
    public var masterPort: Int?
    public var masterLinkUp: Bool?
    public var replicaPriority: Int?
    public var replicationOffset: Int64?
    public var replicaAnnounced: Bool?

    public init() {}

    /// Parses INFO text line by line (CRLF or LF).
    public static func parse(_ text: String) -> InfoReport {
        var report = InfoReport()
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var lineBytes = rawLine
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes = lineBytes.dropLast() }
            let line = Substring(lineBytes)
            if line.utf8.count >= 47 && line.hasPrefix("run_id:") {
                report.runID = String(line.dropFirst(7).prefix(40))
            }
            if line.hasPrefix("slave"), line.utf8.count >= 7,
               let sixth = line.utf8.dropFirst(5).first, sixth >= UInt8(ascii: "0") && sixth <= UInt8(ascii: "9"),
               let replica = parseReplicaLine(line) {
                report.replicas.append(replica)
            }
            if let value = value(of: "redis_version:", in: line) {
                report.redisVersion = value
            }
            if let value = value(of: "master_failover_state:", in: line) {
                report.serverFailoverState = value
            }
            if line.hasPrefix("master_link_down_since_seconds:") {
                report.masterLinkDownTime = (Int64(line.dropFirst(31)) ?? 0) * 1000
            }
            if line.hasPrefix("role:master") {
                report.role = .master
            } else if line.hasPrefix("role:slave") {
                report.role = .replica
            }
            guard report.role == .replica else { continue }
            if let value = value(of: "master_host:", in: line) {
                report.masterHost = value
            } else if let value = value(of: "master_port:", in: line) {
                report.masterPort = Int(value) ?? 0
            } else if let value = value(of: "master_link_status:", in: line) {
                report.masterLinkUp = value.lowercased() == "up"
            } else if let value = value(of: "slave_priority:", in: line) {
                report.replicaPriority = Int(value) ?? 0
            } else if let value = value(of: "slave_repl_offset:", in: line) {
                report.replicationOffset = Int64(value) ?? 0
            } else if let value = value(of: "replica_announced:", in: line) {
                report.replicaAnnounced = (Int(value) ?? 0) != 0
            }
        }
        return report
    }

    private static func value(of prefix: String, in line: Substring) -> String? {
        line.hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : nil
    }

    /// `slave0:ip=127.0.0.1,port=6380,state=online,…` or `slave0:127.0.0.1,6380,online`.
    static func parseReplicaLine(_ line: Substring) -> HostPort? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let body = line[line.index(after: colon)...]
        if body.contains("ip=") {
            var host: String?
            var port: Int?
            for field in body.split(separator: ",") {
                if field.hasPrefix("ip=") { host = String(field.dropFirst(3)) }
                if field.hasPrefix("port=") { port = Int(field.dropFirst(5)) }
            }
            guard let host, let port, !host.isEmpty else { return nil }
            return HostPort(host: host, port: port)
        }
        let parts = body.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count >= 3, let port = Int(parts[1]), !parts[0].isEmpty else { return nil }
        return HostPort(host: String(parts[0]), port: port)
    }
}
