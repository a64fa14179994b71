import SentinelCore

/// What carries out a turn for `SentinelWorld` (`TurnExecutor` decides the order): files are
/// written to the world's fake disk (or fail, when the disk is full), every message and start
/// is recorded for the world to answer and check once the turn is done, and what the daemon
/// reports at once — an ACL file read, a started script's pid — is reported at once.
struct WorldIO: SentinelIO {
    var aclFiles: [String: [UInt8]]
    let writesFail: Bool
    var nextProcessID: Int32
    /// The messages and starts, in the order they were carried out.
    var carriedOut: [SentinelEffect] = []
    /// The configuration files written (or attempted, when writes fail).
    var writtenConfigurations: [[UInt8]] = []

    static let diskFullError = "No space left on device"

    /// A state file (`sentinel state-config-file`) is recorded as a configuration write too.
    mutating func writeConfiguration(_ file: [UInt8], to destination: ConfigurationDestination) -> String? {
        writtenConfigurations.append(file)
        return writesFail ? WorldIO.diskFullError : nil
    }

    mutating func writeACLFile(path: String, contents: [UInt8]) -> String? {
        if writesFail { return WorldIO.diskFullError }
        aclFiles[path] = contents
        return nil
    }

    mutating func perform(_ message: SentinelEffect) -> Bool {
        carriedOut.append(message)
        return true
    }

    mutating func start(_ effect: SentinelEffect) -> [SentinelInput] {
        carriedOut.append(effect)
        switch effect {
        case .readACLFile(let path, let ticket):
            let contents = aclFiles[path]
            return [.aclFileRead(ticket: ticket, contents: contents ?? [], error: contents == nil ? "No such file or directory" : nil)]
        case .runScript(let id, _):
            nextProcessID += 1
            return [.scriptStarted(id, pid: nextProcessID)]
        default:
            return []
        }
    }
}
