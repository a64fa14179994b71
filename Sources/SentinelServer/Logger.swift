import CSystem
import Glibc
import SentinelCore

extension LogLevel {
    /// Redis's `syslogLevelMap`.
    var syslogPriority: Int32 {
        switch self {
        case .debug: return LOG_DEBUG
        case .verbose: return LOG_INFO
        case .notice: return LOG_NOTICE
        case .warning, .nothing: return LOG_WARNING
        }
    }
}

/// A broken-down local time with milliseconds, as printed in log lines.
public struct LogTimestamp: Equatable, Sendable {
    public var year: Int
    /// 1...12
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var millisecond: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.millisecond = millisecond
    }

    /// The local time (`localtime_r`, honouring TZ) of a wall-clock instant.
    public static func local(epochMilliseconds: Int64) -> LogTimestamp {
        var seconds = time_t(epochMilliseconds / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return LogTimestamp(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec),
                            millisecond: Int(epochMilliseconds % 1000))
    }
}

/// Redis-format logging to a file, or to stdout when the file name is empty, plus optional
/// syslog. Nothing is ever written to stderr.
///
/// Line format (Redis's `serverLogRaw`):
/// `<pid>:<role> <dd> <Mon> <yyyy> <hh:mm:ss.mmm> <level char> <message>`, e.g.
/// `4242:X 07 Mar 2024 09:05:03.042 # +sdown master mymaster 127.0.0.1 6379`.
///
/// The log file is opened in append mode for every line and closed again, like Redis does:
/// log rotation (rename + new file) needs no signal, and a line is one `write`, so concurrent
/// appenders never interleave inside a line. Messages are cut at 1023 bytes like Redis's
/// `LOG_MAX_LEN` buffer.
public final class Logger {
    public struct Configuration: Equatable, Sendable {
        /// Empty: log to stdout.
        public var logFile: String
        public var minimumLevel: LogLevel
        /// `X` for a sentinel (Redis: `M` master, `S` replica, `C` child).
        public var roleCharacter: Character
        public var syslogEnabled: Bool
        public var syslogIdent: String
        /// A `LOG_*` facility value; see `Logger.syslogFacility(named:)`.
        public var syslogFacility: Int32

        public init(logFile: String = "", minimumLevel: LogLevel = .notice, roleCharacter: Character = "X",
                    syslogEnabled: Bool = false, syslogIdent: String = "redis", syslogFacility: Int32 = LOG_LOCAL0) {
            self.logFile = logFile
            self.minimumLevel = minimumLevel
            self.roleCharacter = roleCharacter
            self.syslogEnabled = syslogEnabled
            self.syslogIdent = syslogIdent
            self.syslogFacility = syslogFacility
        }
    }

    /// Redis's `LOG_MAX_LEN` minus the terminating NUL.
    public static let maximumMessageBytes = 1023

    public var configuration: Configuration {
        didSet { if configuration != oldValue { updateSyslog() } }
    }
    private let pid: Int32
    private let clock: () -> Int64
    private var syslogIdent: UnsafeMutablePointer<CChar>?

    /// - Parameters:
    ///   - pid: printed at the start of every line (injectable for tests).
    ///   - clock: wall-clock milliseconds since the epoch (injectable for tests).
    public init(configuration: Configuration = Configuration(), pid: Int32 = getpid(),
                clock: @escaping () -> Int64 = WallClock.nowMilliseconds) {
        self.configuration = configuration
        self.pid = pid
        self.clock = clock
        updateSyslog()
    }

    deinit {
        if syslogIdent != nil {
            closelog()
            free(syslogIdent)
        }
    }

    /// Whether a line at `level` would be written (to skip building expensive messages).
    public func isEnabled(_ level: LogLevel) -> Bool {
        level != .nothing && level >= configuration.minimumLevel
    }

    /// Logs one line at `level` if it passes the minimum level. Line breaks in the message
    /// (from a name or a reply that reached it) are written as spaces: one call, one line.
    public func log(_ level: LogLevel, _ message: String) {
        guard isEnabled(level) else { return }
        var text = message
        if text.utf8.count > Self.maximumMessageBytes {
            text = String(decoding: text.utf8.prefix(Self.maximumMessageBytes), as: UTF8.self)
        }
        if text.utf8.contains(where: { $0 == 10 || $0 == 13 }) {
            text = String(decoding: text.utf8.map { $0 == 10 || $0 == 13 ? 32 : $0 }, as: UTF8.self)
        }
        let line = Self.formatLine(pid: pid, role: configuration.roleCharacter,
                                   timestamp: LogTimestamp.local(epochMilliseconds: clock()), level: level, message: text)
        writeLine(line)
        if configuration.syslogEnabled { csystem_syslog(level.syslogPriority, text) }
    }

    public func debug(_ message: String) { log(.debug, message) }
    public func verbose(_ message: String) { log(.verbose, message) }
    public func notice(_ message: String) { log(.notice, message) }
    public func warning(_ message: String) { log(.warning, message) }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// One log line, newline-terminated, in Redis's format.
    public static func formatLine(pid: Int32, role: Character, timestamp t: LogTimestamp, level: LogLevel,
                                  message: String) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        let month = months[min(max(t.month, 1), 12) - 1]
        return "\(pid):\(role) \(pad(t.day, 2)) \(month) \(t.year) \(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)).\(pad(t.millisecond, 3)) \(level.symbol) \(message)\n"
    }

    /// Maps Redis's `syslog-facility` names (`user`, `local0`…`local7`) to `LOG_*` values.
    public static func syslogFacility(named name: String) -> Int32? {
        switch name.lowercased() {
        case "user": return LOG_USER
        case "local0": return LOG_LOCAL0
        case "local1": return LOG_LOCAL1
        case "local2": return LOG_LOCAL2
        case "local3": return LOG_LOCAL3
        case "local4": return LOG_LOCAL4
        case "local5": return LOG_LOCAL5
        case "local6": return LOG_LOCAL6
        case "local7": return LOG_LOCAL7
        default: return nil
        }
    }

    private func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        let path = configuration.logFile
        if path.isEmpty {
            writeAll(1, &bytes)
            return
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { return }   // Like Redis: a log file that cannot be opened loses the line.
        writeAll(fd, &bytes)
        Glibc.close(fd)
    }

    private func writeAll(_ fd: Int32, _ bytes: inout [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && csystem_errno() == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    private func updateSyslog() {
        if syslogIdent != nil {
            closelog()
            free(syslogIdent)
            syslogIdent = nil
        }
        guard configuration.syslogEnabled else { return }
        // openlog keeps the pointer: own a copy for as long as syslog is open.
        syslogIdent = strdup(configuration.syslogIdent)
        openlog(syslogIdent, LOG_PID | LOG_NDELAY | LOG_NOWAIT, configuration.syslogFacility)
    }
}
