import CSystem
import Glibc

/// Detaches from the terminal like Redis's `daemonize()`: fork (the parent exits 0), `setsid`,
/// and stdin/stdout/stderr redirected to `/dev/null`. The working directory is kept (a
/// sentinel's config path was made absolute before). Call it before creating the loop or any
/// thread.
public enum Daemonizer {
    /// Returns in the daemon child; the parent process exits inside this call. Throws only if
    /// `fork` fails (still in the original process).
    public static func daemonize() throws(SystemError) {
        let pid = csystem_fork()
        if pid < 0 { throw SystemError("fork", code: csystem_errno()) }
        if pid > 0 { exit(0) }
        _ = setsid()
        let fd = open("/dev/null", O_RDWR, 0)
        if fd >= 0 {
            _ = dup2(fd, STDIN_FILENO)
            _ = dup2(fd, STDOUT_FILENO)
            _ = dup2(fd, STDERR_FILENO)
            if fd > STDERR_FILENO { Glibc.close(fd) }
        }
    }
}
