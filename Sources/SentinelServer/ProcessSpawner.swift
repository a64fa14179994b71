import CSystem
import Glibc

/// How a child process ended.
public enum ChildTermination: Equatable, Sendable, CustomStringConvertible {
    /// Normal exit with this code.
    case exited(Int32)
    /// Killed by this signal.
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): return "exited with code \(code)"
        case .signaled(let signo): return "killed by signal \(signo)"
        }
    }
}

/// A reaped child.
public struct ChildExit: Equatable, Sendable {
    public let pid: pid_t
    public let termination: ChildTermination
}

/// Starts children with `posix_spawn` and reaps them with `waitpid(WNOHANG)` (call
/// `reapChildren()` when SIGCHLD arrives through a `SignalSource`).
///
/// The child inherits the environment and working directory, and no descriptors beyond 0-2:
/// every fd of the shell is close-on-exec, and where glibc allows it (2.34+) the spawn also
/// closes everything from fd 3 up. The child's signal mask is emptied and the signals the
/// shell blocks or ignores are reset to their defaults.
public final class ProcessSpawner {
    /// Signals reset to `SIG_DFL` in the child (SIGPIPE is ignored by the shell, the others are
    /// blocked for the signalfd).
    public static let signalsResetInChild: [Int32] = [SIGPIPE, SIGTERM, SIGINT, SIGCHLD, SIGHUP]

    private var running: Set<pid_t> = []

    /// Called for every reaped child by `reapChildren()`.
    public var onExit: ((ChildExit) -> Void)?

    public init() {}

    /// Pids started and not yet reaped.
    public var runningChildren: Set<pid_t> { running }

    /// Starts `path` (no PATH search) with `arguments` as argv[1...] (argv[0] is `path`).
    /// Throws with `"<path>: <strerror>"` when the spawn fails (e.g. no such file).
    @discardableResult
    public func spawn(path: String, arguments: [String] = []) throws(SystemError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        _ = csystem_spawn_addclosefrom(&actions, 3)

        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signo in Self.signalsResetInChild { sigaddset(&defaults, signo) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }

        var pid: pid_t = 0
        let result = argv.withUnsafeBufferPointer { buffer in
            posix_spawn(&pid, path, &actions, &attributes, buffer.baseAddress!, csystem_environ())
        }
        if result != 0 { throw SystemError(path, code: result) }
        running.insert(pid)
        return pid
    }

    /// Sends SIGKILL to a running child (no-op for pids this spawner does not track).
    public func kill(pid: pid_t) {
        guard running.contains(pid) else { return }
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// Reaps every finished child of this spawner without blocking, calling `onExit` for each,
    /// and returns them. Children of other owners are left alone.
    @discardableResult
    public func reapChildren() -> [ChildExit] {
        var exits: [ChildExit] = []
        for pid in running {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == 0 { continue }
            if result < 0 {
                // ECHILD: someone else reaped it; forget it.
                if csystem_errno() == ECHILD { running.remove(pid) }
                continue
            }
            let termination: ChildTermination
            if csystem_wifexited(status) != 0 {
                termination = .exited(csystem_wexitstatus(status))
            } else if csystem_wifsignaled(status) != 0 {
                termination = .signaled(csystem_wtermsig(status))
            } else {
                continue   // stopped/continued: still running
            }
            running.remove(pid)
            exits.append(ChildExit(pid: pid, termination: termination))
        }
        for exit in exits { onExit?(exit) }
        return exits
    }
}
