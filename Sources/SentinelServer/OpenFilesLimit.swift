import CSystem
import Glibc
import SentinelCore

/// Reading and raising the process's open-files limit (`RLIMIT_NOFILE`); tests replace it.
public struct OpenFilesLimitAccess: Sendable {
    /// The soft limit, or what went wrong reading it.
    public var read: @Sendable () -> Result<Int, SystemError>
    /// Sets the soft limit to the value, raising the hard limit to it when below (which needs
    /// `CAP_SYS_RESOURCE`, and fails above `fs.nr_open` in any case); returns the errno of a
    /// failure, nil on success.
    public var raise: @Sendable (Int) -> Int32?

    public init(read: @escaping @Sendable () -> Result<Int, SystemError>, raise: @escaping @Sendable (Int) -> Int32?) {
        self.read = read
        self.raise = raise
    }

    /// The real limit of this process.
    public static let system = OpenFilesLimitAccess(
        read: {
            var limit = rlimit()
            guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
                let code = csystem_errno()
                return .failure(SystemError(message: SystemError.describe(code), code: code))
            }
            return .success(Int(clamping: limit.rlim_cur))
        },
        raise: { soft in
            var limit = rlimit()
            guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return csystem_errno() }
            // Unlike Redis, which sets both to the value, a higher hard limit is kept: scripts
            // and a later restart by the same shell keep their room.
            limit.rlim_cur = rlim_t(soft)
            limit.rlim_max = max(limit.rlim_max, rlim_t(soft))
            return setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? nil : csystem_errno()
        })
}

/// Redis's start-up adjustment of the open-files limit (`adjustOpenFilesLimit`): the limit is
/// raised to `maxclients` + 32 reserved descriptors (`Sentinel.reservedFileDescriptors`); when
/// the system allows less, the highest of `maxclients + 32`, `… − 16`, `… − 32`, … above the
/// current limit is kept, `maxclients` is lowered to that limit − 32 (by the core, from the
/// limit it is given) and Redis's three warnings are logged; a limit of 32 or less leaves no
/// room for clients and stops the start.
public struct OpenFilesLimitAdjustment {
    /// The open-files limit in effect afterwards.
    public var limit: Int
    /// Log lines, in order, with Redis's texts.
    public var messages: [(level: LogLevel, text: String)] = []
    /// Set when the start must stop (the text is also the last of `messages`).
    public var isFatal = false

    /// Redis tries candidates this far apart.
    static let step = 16

    /// Raises the limit for `maximumClients` clients as far as the system allows.
    public static func adjust(maximumClients: Int, access: OpenFilesLimitAccess = .system) -> OpenFilesLimitAdjustment {
        let reserved = Sentinel.reservedFileDescriptors
        let wanted = maximumClients + reserved
        let current: Int
        switch access.read() {
        case .failure(let error):
            let assumed = 1024
            return OpenFilesLimitAdjustment(limit: assumed, messages: [(.warning, "Unable to obtain the current NOFILE limit (\(error.message)), assuming \(assumed) and setting the max clients configuration accordingly.")])
        case .success(let soft):
            current = soft
        }
        guard current < wanted else { return OpenFilesLimitAdjustment(limit: current) }

        // Redis tries wanted, wanted − 16, wanted − 32, … while above the current limit and
        // keeps the first the system accepts. Every value up to some ceiling is accepted (the
        // hard limit, or fs.nr_open when privileged), and accepting one does not lower that
        // ceiling, so a binary search over the same candidates finds the same value in a few
        // calls instead of up to 2^28 (maxclients 4294967295).
        let lastCandidate = (wanted - current - 1) / step
        var lastError: Int32 = 0
        var low = 0
        var high = lastCandidate + 1
        while low < high {
            let middle = low + (high - low) / 2
            if let error = access.raise(wanted - step * middle) {
                lastError = error
                low = middle + 1
            } else {
                high = middle
            }
        }
        var best = current
        if low <= lastCandidate {
            best = wanted - step * low
            // The last accepted probe may have been a smaller candidate.
            _ = access.raise(best)
        }

        if best >= wanted {
            return OpenFilesLimitAdjustment(limit: best, messages: [(.notice, "Increased maximum number of open files to \(wanted) (it was originally set to \(current)).")])
        }
        if best <= reserved {
            return OpenFilesLimitAdjustment(limit: best, messages: [(.warning, "Your current 'ulimit -n' of \(current) is not enough for the server to start. Please increase your open file limit to at least \(wanted). Exiting.")], isFatal: true)
        }
        return OpenFilesLimitAdjustment(limit: best, messages: [
            (.warning, "You requested maxclients of \(maximumClients) requiring at least \(wanted) max file descriptors."),
            (.warning, "Server can't set maximum open files to \(wanted) because of OS error: \(SystemError.describe(lastError))."),
            (.warning, "Current maximum open files is \(best). maxclients has been reduced to \(best - reserved) to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'."),
        ])
    }
}
