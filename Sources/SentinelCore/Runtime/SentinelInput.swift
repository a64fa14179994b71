import RESP

/// Monotonic milliseconds: the only clock the core knows, always handed in with an input.
public typealias Milliseconds = Int64

/// The moment an input happened: monotonic time for every timer rule, wall-clock time only
/// for what people read (log lines, INFO's uptime, "Next failover delay" dates).
public struct Timestamp: Sendable, Equatable {
    /// Monotonic milliseconds (never jumps).
    public var monotonic: Milliseconds
    /// Milliseconds since the Unix epoch.
    public var wallClock: Milliseconds

    public init(monotonic: Milliseconds, wallClock: Milliseconds) {
        self.monotonic = monotonic
        self.wallClock = wallClock
    }
}

/// A client connection on the sentinel's own port. The shell assigns it when it accepts the
/// connection; it is also the `CLIENT ID`.
public struct ClientID: Sendable, SequentialIdentifier, Comparable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: ClientID, rhs: ClientID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// One outgoing TCP connection that the core asked for (a command or pub/sub link).
/// The core assigns it; an identifier is never reused.
public struct ConnectionID: Sendable, SequentialIdentifier, CustomStringConvertible {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "#\(rawValue)" }
}

/// A child process the core asked to run (notification or client-reconfig script).
public struct ScriptID: Sendable, SequentialIdentifier, CustomStringConvertible {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// How a script ended, as the shell saw it.
public enum ScriptTermination: Sendable, Equatable {
    case exited(code: Int32)
    case signaled(signal: Int32)
    /// The process could not be started at all.
    case spawnFailed(reason: String)
}

/// Everything that can happen to a sentinel, reported by the shell (or by the simulator).
public enum SentinelInput: Sendable {
    /// The periodic timer fired (every 52–100 ms, §2).
    case tick
    /// A client connected to the sentinel's port.
    case clientConnected(ClientID, remoteAddress: String, localAddress: String)
    /// A client sent one complete command (already split into arguments).
    case clientCommand(ClientID, [RequestArgument])
    /// A client's connection is gone (closed by either side or after a protocol error).
    case clientDisconnected(ClientID)
    /// A connection was accepted and closed at once with `Sentinel.maximumClientsReply`: the
    /// process had no descriptor left for it (INFO `rejected_connections`).
    case clientRefused
    /// An outgoing connection is established; `localAddress` is this end's IP (used in hellos).
    case connectionEstablished(ConnectionID, localAddress: String)
    /// An outgoing connection could not be established, or broke; it is closed.
    case connectionClosed(ConnectionID, reason: String)
    /// A reply (or pub/sub push) arrived on an outgoing connection.
    case connectionReply(ConnectionID, RESPValue)
    /// The configuration file write requested by `persistConfiguration` finished.
    case configurationPersisted(ticket: UInt64, error: String?)
    /// The ACL file asked for by `readACLFile` was read (`contents`), or could not be
    /// (`error`, the system's reason).
    case aclFileRead(ticket: UInt64, contents: [UInt8], error: String?)
    /// The ACL file write asked for by `writeACLFile` finished.
    case aclFileWritten(ticket: UInt64, error: String?)
    /// A script started by `runScript` is running as process `pid`.
    case scriptStarted(ScriptID, pid: Int32)
    /// A script started by `runScript` ended.
    case scriptFinished(ScriptID, ScriptTermination)
    /// A `resolveHostname` lookup finished; `address` is nil when the name did not resolve.
    case hostnameResolved(String, address: String?)
    /// SIGTERM or SIGINT arrived: flush the configuration and exit.
    case shutdownRequested(signalName: String)
}
