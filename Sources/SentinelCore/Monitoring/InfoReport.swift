/// What a master's or replica's INFO reply says that a sentinel uses (SENTINEL-PROTOCOL.md §3.2).
/// A pure parse of the text; applying it to an instance is `Sentinel.applyInfo`.
public struct InfoReport: Sendable, Equatable {
    /// `run_id:` (the first 40 characters of a line of at least 47), when they are a
    /// well-formed run id.
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
    /// `master_link_down_since_seconds` × 1000 (0 when absent), within
    /// `InputLimits.maximumDuration`.
    public var masterLinkDownTime: Milliseconds = 0
    /// The fields below are read only after a `role:slave` line. Numbers are read with the C
    /// functions Redis uses (`atoi`, `strtoull`), which never fail.
    public var masterHost: String?
    /// `master_port:`; nil unless within 0…65535.
    public var masterPort: Int?
    public var masterLinkUp: Bool?
    public var replicaPriority: Int?
    /// `slave_repl_offset:`, capped at `Int64.max`.
    public var replicationOffset: Int64?
    public var replicaAnnounced: Bool?

    public init() {}

    /// Parses INFO text line by line (CRLF or LF).
    public static func parse(_ text: String) -> InfoReport {
        parse(bytes: Array(text.utf8))
    }

    /// Parses INFO bytes line by line (CRLF or LF), comparing prefixes as bytes and making
    /// strings only of the values kept: INFO arrives every second per replica in a failover
    /// and every ten seconds per instance, so this is a hot path with many masters.
    public static func parse(bytes: [UInt8]) -> InfoReport {
        var report = InfoReport()
        var lineStart = 0
        let count = bytes.count
        bytes.withUnsafeBufferPointer { buffer in
            while lineStart < count {
                var lineEnd = lineStart
                while lineEnd < count && buffer[lineEnd] != 10 { lineEnd += 1 }
                var contentEnd = lineEnd
                if contentEnd > lineStart && buffer[contentEnd - 1] == 13 { contentEnd -= 1 }
                if contentEnd > lineStart {
                    report.apply(line: UnsafeBufferPointer(rebasing: buffer[lineStart..<contentEnd]))
                }
                lineStart = lineEnd + 1
            }
        }
        return report
    }

    /// One INFO line (§3.2); the replica fields count only after a `role:slave` line.
    private mutating func apply(line: UnsafeBufferPointer<UInt8>) {
        func value(after prefix: StaticString) -> String? {
            InfoReport.hasPrefix(line, prefix) ? String(decoding: UnsafeBufferPointer(rebasing: line[prefix.utf8CodeUnitCount...]), as: UTF8.self) : nil
        }
        switch line.first {
        case UInt8(ascii: "r"):
            if line.count >= 47 && InfoReport.hasPrefix(line, "run_id:") {
                let bytes = UnsafeBufferPointer(rebasing: line[7..<47])
                if RunIdentifier.isValid(bytes) { runID = String(decoding: bytes, as: UTF8.self) }
            } else if let version = value(after: "redis_version:") {
                redisVersion = version
            } else if InfoReport.hasPrefix(line, "role:master") {
                role = .master
            } else if InfoReport.hasPrefix(line, "role:slave") {
                role = .replica
            } else if role == .replica, let announced = value(after: "replica_announced:") {
                replicaAnnounced = RedisNumberParsing.atoi(announced) != 0
            }
        case UInt8(ascii: "s"):
            if line.count >= 7 && InfoReport.hasPrefix(line, "slave") && line[5] >= UInt8(ascii: "0") && line[5] <= UInt8(ascii: "9") {
                if let replica = InfoReport.parseReplicaLine(Substring(String(decoding: line, as: UTF8.self))) {
                    replicas.append(replica)
                }
            } else if role == .replica, let priority = value(after: "slave_priority:") {
                replicaPriority = RedisNumberParsing.atoi(priority)
            } else if role == .replica, let offset = value(after: "slave_repl_offset:") {
                replicationOffset = Int64(clamping: RedisNumberParsing.strtoull(offset))
            }
        case UInt8(ascii: "m"):
            if let seconds = value(after: "master_link_down_since_seconds:") {
                masterLinkDownTime = InputLimits.duration(seconds: RedisNumberParsing.strtoll(seconds))
            } else if let state = value(after: "master_failover_state:") {
                serverFailoverState = state
            } else if role == .replica, let host = value(after: "master_host:") {
                masterHost = host
            } else if role == .replica, let port = value(after: "master_port:") {
                let number = RedisNumberParsing.atoi(port)
                masterPort = (0...65535).contains(number) ? number : nil
            } else if role == .replica, let status = value(after: "master_link_status:") {
                masterLinkUp = status.lowercased() == "up"
            }
        default:
            break
        }
    }

    private static func hasPrefix(_ line: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard line.count >= length else { return false }
        let start = prefix.utf8Start
        for index in 0..<length where line[index] != start[index] { return false }
        return true
    }

    /// `slave0:ip=127.0.0.1,port=6380,state=online,…` or `slave0:127.0.0.1,6380,online`. The
    /// port is read with `atoi`, like Redis; nil unless it is within 1…65535 (the host is
    /// checked where the replica is added, see `Sentinel.acceptedAddress`).
    static func parseReplicaLine(_ line: Substring) -> HostPort? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let body = line[line.index(after: colon)...]
        if body.split(separator: ",").contains(where: { $0.hasPrefix("ip=") }) {
            var host: String?
            var port: Int?
            for field in body.split(separator: ",") {
                if field.hasPrefix("ip=") { host = String(field.dropFirst(3)) }
                if field.hasPrefix("port=") { port = RedisNumberParsing.atoi(String(field.dropFirst(5))) }
            }
            guard let host, let port, !host.isEmpty, (1...65535).contains(port) else { return nil }
            return HostPort(host: host, port: port)
        }
        let parts = body.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count >= 3, !parts[0].isEmpty else { return nil }
        let port = RedisNumberParsing.atoi(String(parts[1]))
        guard (1...65535).contains(port) else { return nil }
        return HostPort(host: String(parts[0]), port: port)
    }
}
