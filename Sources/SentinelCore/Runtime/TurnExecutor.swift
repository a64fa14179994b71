/// What carries out a turn's effects: the daemon's shell, the simulator's world, a test's
/// harness. It makes no decision; `TurnExecutor` decides the order.
public protocol SentinelIO {
    /// Replaces the configuration file — the main one, or the state file of
    /// `sentinel state-config-file` — with `file` (atomically and synced); returns nil, or the
    /// error text when it could not.
    mutating func writeConfiguration(_ file: [UInt8], to destination: ConfigurationDestination) -> String?
    /// `writeConfiguration`, and how long it took in seconds when this IO measures it (the
    /// daemon does, for `redis_sentinel_config_write_duration_seconds`; by default nothing is
    /// measured: the simulator's and the tests' writes take no time).
    mutating func writeConfigurationMeasured(_ file: [UInt8], to destination: ConfigurationDestination) -> (error: String?, seconds: Double?)
    /// Replaces the ACL file at `path` with `contents` (atomically and synced); returns nil,
    /// or the error text.
    mutating func writeACLFile(path: String, contents: [UInt8]) -> String?
    /// Carries out one effect of the message phase. Returns false when the process is gone
    /// (the simulator's crash in the middle of a turn): nothing more of the turn happens.
    mutating func perform(_ message: SentinelEffect) -> Bool
    /// Carries out one effect of the start phase; returns the inputs it produced at once (a
    /// started script's pid, a script that could not be spawned).
    mutating func start(_ effect: SentinelEffect) -> [SentinelInput]
}

extension SentinelIO {
    public mutating func writeConfigurationMeasured(_ file: [UInt8], to destination: ConfigurationDestination) -> (error: String?, seconds: Double?) {
        (writeConfiguration(file, to: destination), nil)
    }
}

/// The one order in which a turn is carried out, for the daemon and the simulator alike:
/// durable writes, then messages, then starts (see `Turn`); the results of writes and starts
/// go back to the core at once, and what they ask for is carried out the same way, until
/// nothing is left.
public enum TurnExecutor {
    /// Carries out `turn` for `core` through `io`; `time` is the time of the results fed
    /// back. Returns false when `io` reported the process gone midway.
    @discardableResult
    public static func run<IO: SentinelIO>(_ turn: inout Turn, core: inout Sentinel, io: inout IO, at time: Timestamp) -> Bool {
        let sendsBeforePersisting = core.deliberateDefects.contains(.sendBeforePersisting)
        while !turn.isEmpty {
            if turn.needsDurableWrites && !sendsBeforePersisting {
                persist(&turn, core: &core, io: &io, at: time)
                continue
            }
            for message in turn.take(.message) {
                guard io.perform(message) else { return false }
            }
            if turn.needsDurableWrites {
                persist(&turn, core: &core, io: &io, at: time)
                continue
            }
            for effect in turn.take(.start) {
                for input in io.start(effect) {
                    core.handle(input, at: time, into: &turn)
                }
            }
        }
        return true
    }

    /// Writes the files the turn asked for — the configuration (or, with a state file, the
    /// state file instead: the main file is then never written) once for all its requests,
    /// rendered now so that it holds every change made so far — and hands each result to
    /// the core.
    static func persist<IO: SentinelIO>(_ turn: inout Turn, core: inout Sentinel, io: inout IO, at time: Timestamp) {
        var configurationTickets: [UInt64] = []
        var results: [SentinelInput] = []
        for write in turn.take(.durable) {
            switch write {
            case .persistConfiguration(let ticket):
                configurationTickets.append(ticket)
            case .writeACLFile(let path, let contents, let ticket):
                results.append(.aclFileWritten(ticket: ticket, error: io.writeACLFile(path: path, contents: contents)))
            default:
                preconditionFailure("\(write) is not a durable write")
            }
        }
        if !configurationTickets.isEmpty {
            let (destination, file) = core.configurationWrite()
            let (error, seconds) = io.writeConfigurationMeasured(file, to: destination)
            if let seconds { core.metrics.observeConfigurationWrite(seconds: seconds) }
            results = configurationTickets.map { .configurationPersisted(ticket: $0, error: error) } + results
        }
        for result in results {
            core.handle(result, at: time, into: &turn)
        }
    }
}

/// Which file a configuration write replaces.
public enum ConfigurationDestination: Sendable, Equatable {
    /// The configuration file the sentinel was started with (Redis's behaviour).
    case configurationFile
    /// The state file of `sentinel state-config-file` (an absolute path).
    case stateFile(path: String)
}
