import RESP
import SentinelCore

#if canImport(Glibc)
import Glibc
#endif

/// A readable record of the inputs a sentinel-driving target fed, for failure reports: a failed
/// check runs its input a second time with the trace on (runs are deterministic), and the
/// report ends with the inputs that led to the failure. With `SENTINEL_FUZZ_TRACE` set in the
/// environment every input is printed to standard error as it is fed, which shows what led to
/// a trap too (`Scripts/fuzz.sh <target> <file> --trace`).
enum InputTrace {
    /// The lines recorded so far; nil while not tracing (the normal, fast case).
    nonisolated(unsafe) static var lines: [String]?
    static let streams = getenv("SENTINEL_FUZZ_TRACE") != nil
    /// Set while the deployments are prepared (their inputs are the same for every run).
    nonisolated(unsafe) static var isPaused = false

    /// Records `input` fed at `time` on `world`, when tracing.
    static func record(_ input: SentinelInput, at time: Timestamp, in world: SentinelWorld) {
        guard lines != nil || streams, !isPaused else { return }
        let line = "t=\(time.monotonic - FuzzConfigurations.startTime.monotonic) ms  \(describe(input, in: world))"
        if streams {
            let bytes = Array((line + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
        lines?.append(line)
    }

    /// The last `count` lines recorded by running `body` with the trace on.
    static func traced(last count: Int = 60, _ body: () throws -> Void) -> [String] {
        lines = []
        defer { lines = nil }
        try? body()
        let all = lines ?? []
        return (all.count > count ? ["… \(all.count - count) earlier inputs"] : []) + all.suffix(count)
    }

    static func describe(_ input: SentinelInput, in world: SentinelWorld) -> String {
        func server(of connection: ConnectionID) -> String {
            world.connections.first { $0.id == connection }.map { " (\($0.server))" } ?? ""
        }
        switch input {
        case .tick: return "tick"
        case .clientConnected(let id, let remote, _): return "client \(id) connects from \(remote)"
        case .clientCommand(let id, let arguments): return "client \(id): " + arguments.map { text($0.bytes) }.joined(separator: " ")
        case .clientDisconnected(let id): return "client \(id) disconnects"
        case .connectionEstablished(let id, let local): return "connection \(id)\(server(of: id)) established from \(local)"
        case .connectionClosed(let id, let reason): return "connection \(id)\(server(of: id)) closed: \(reason)"
        case .connectionReply(let id, let value): return "reply on \(id)\(server(of: id)): \(text(RESPEncoder.encoded(value, as: .resp3)))"
        case .configurationPersisted(let ticket, let error): return "configuration write \(ticket) done\(error.map { ": \($0)" } ?? "")"
        case .scriptStarted(let id, let pid): return "script \(id) started as pid \(pid)"
        case .scriptFinished(let id, let termination): return "script \(id) finished: \(termination)"
        case .hostnameResolved(let host, let address): return "\(host) resolved to \(address ?? "nothing")"
        case .shutdownRequested(let signal): return "shutdown requested (\(signal))"
        case .clientRefused: return "a connection refused (no descriptor left)"
        case .aclFileRead(let ticket, let contents, let error): return "ACL file read \(ticket): \(error ?? text(contents))"
        case .aclFileWritten(let ticket, let error): return "ACL file write \(ticket) done\(error.map { ": \($0)" } ?? "")"
        }
    }

    /// Bytes as a quoted text, cut after 160 bytes.
    static func text(_ bytes: [UInt8]) -> String {
        "\"" + SentinelFuzzing.describe(bytes, limit: 160) + "\""
    }
}
