import RESP

/// What the core asks the shell to do. Each effect belongs to one phase of a `Turn` (see
/// `phase`), and `TurnExecutor` carries the phases out in order; what happens is reported as new
/// `SentinelInput`s. The shell makes no decision of its own.
public enum SentinelEffect: Sendable {
    /// Append these encoded bytes to the client's output buffer.
    case sendToClient(ClientID, [UInt8])
    /// Close the client's connection once its output buffer is written.
    case closeClient(ClientID)
    /// Open a TCP connection (non-blocking) to `host:port`, from `sourceAddress` if given.
    /// The shell answers with `connectionEstablished` or `connectionClosed`.
    case connect(ConnectionID, host: String, port: Int, sourceAddress: String?)
    /// Resolve a hostname without blocking; the shell answers with `hostnameResolved`.
    case resolveHostname(String)
    /// Write these encoded bytes on an outgoing connection.
    case sendOnConnection(ConnectionID, [UInt8])
    /// Close an outgoing connection; no `connectionClosed` input follows.
    case closeConnection(ConnectionID)
    /// Atomically replace the configuration file with the text of
    /// `Sentinel.configurationFileToWrite()`, taken when the shell writes (one write may serve
    /// several requests); the shell answers each with `configurationPersisted(ticket:error:)`.
    case persistConfiguration(ticket: UInt64)
    /// Read the whole ACL file at `path` (`ACL LOAD`); the shell answers with
    /// `aclFileRead(ticket:contents:error:)`.
    case readACLFile(path: String, ticket: UInt64)
    /// Atomically replace the ACL file at `path` with `contents` (`ACL SAVE`); the shell
    /// answers with `aclFileWritten(ticket:error:)`.
    case writeACLFile(path: String, contents: [UInt8], ticket: UInt64)
    /// Write one log line at `level` (the shell adds pid, role and time).
    case log(LogLevel, String)
    /// An event happened: the shell logs `event.logLine` at the event's level (the core has
    /// already published it to its subscribers and queued any script).
    case event(SentinelEvent)
    /// From now on write only lines at `level` or above (`SENTINEL CONFIG SET loglevel`).
    case setLogLevel(LogLevel)
    /// Start a script: `arguments[0]` is the executable path.
    case runScript(ScriptID, arguments: [String])
    /// Kill a running script (SIGKILL).
    case killScript(ScriptID)
    /// Run the next `tick` after this many milliseconds.
    case scheduleTick(afterMilliseconds: Milliseconds)
    /// Stop the process with this exit code once pending writes are flushed.
    case exit(code: Int32)

    /// When the effect may happen within its turn (see `Turn`).
    public var phase: TurnPhase {
        switch self {
        case .persistConfiguration, .writeACLFile:
            return .durable
        case .sendToClient, .closeClient, .connect, .sendOnConnection, .closeConnection, .log, .event, .setLogLevel:
            return .message
        case .resolveHostname, .readACLFile, .runScript, .killScript, .scheduleTick, .exit:
            return .start
        }
    }
}

/// The three phases of a turn, in the order they are carried out.
public enum TurnPhase: Sendable {
    /// Files that must be written (and synced) first.
    case durable
    /// What others may see once the files are written: replies, commands and connection changes
    /// on links, events and log lines.
    case message
    /// What is started once the files are written: scripts, lookups, file reads, the next
    /// tick, the exit.
    case start
}
