import CSystem
import Glibc

/// The pidfile: `<pid>\n`, written at startup and removed on clean shutdown (like Redis's
/// `createPidFile` / `removePidFile`).
public enum PidFile {
    /// Writes `pid` to `path` (created 0644 & ~umask, truncated if it exists).
    public static func write(path: String, pid: Int32 = getpid()) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw SystemError("Failed to write PID file \(path)", code: csystem_errno()) }
        let bytes = Array("\(pid)\n".utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && csystem_errno() == EINTR { continue }
            if written <= 0 {
                let code = written < 0 ? csystem_errno() : EIO
                Glibc.close(fd)
                throw SystemError("Failed to write PID file \(path)", code: code)
            }
            offset += written
        }
        Glibc.close(fd)
    }

    /// Removes the pidfile; a missing file is not an error.
    public static func remove(path: String) {
        unlink(path)
    }
}
