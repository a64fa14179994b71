import CSystem
import Glibc

/// Replaces a file's contents atomically, the way Redis rewrites its config file
/// (`rewriteConfigOverwriteFile`): the target is either the old file or the complete new one,
/// never a half-written mix.
///
/// Steps: create `<file>.XXXXXX` in the same directory (mkstemp, close-on-exec), write all,
/// fsync, fchmod `0644 & ~umask`, rename over the target, fsync the directory. On any failure
/// the temporary file is removed and a `SystemError` says what failed. A symlinked target is
/// resolved first so the link itself survives.
public enum AtomicFileWriter {
    /// Writes `bytes` as the new content of `path`.
    public static func write(_ bytes: [UInt8], to path: String) throws(SystemError) {
        let target = resolveSymlink(path)
        var template = Array((target + ".XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { csystem_mkstemp_cloexec($0.baseAddress!) }
        if fd < 0 {
            throw SystemError("Could not create temporary file for \(path)", code: csystem_errno())
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

        func fail(_ context: String, _ code: Int32) -> SystemError {
            Glibc.close(fd)
            unlink(temporary)
            return SystemError(context, code: code)
        }

        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset) }
            if written < 0 {
                let code = csystem_errno()
                if code == EINTR { continue }
                throw fail("Could not write \(temporary)", code)
            }
            if written == 0 { throw fail("Could not write \(temporary)", EIO) }
            offset += written
        }
        if fsync(fd) != 0 { throw fail("Could not fsync \(temporary)", csystem_errno()) }
        if fchmod(fd, 0o644 & ~currentUmask()) != 0 { throw fail("Could not chmod \(temporary)", csystem_errno()) }
        if Glibc.close(fd) != 0 {
            let code = csystem_errno()
            unlink(temporary)
            throw SystemError("Could not close \(temporary)", code: code)
        }
        if rename(temporary, target) != 0 {
            let code = csystem_errno()
            unlink(temporary)
            throw SystemError("Could not rename \(temporary) to \(target)", code: code)
        }
        try fsyncDirectory(of: target)
    }

    /// Writes `text` (UTF-8) as the new content of `path`.
    public static func write(_ text: String, to path: String) throws(SystemError) {
        try write(Array(text.utf8), to: path)
    }

    /// The process umask (read by setting and restoring it; the loop is single-threaded).
    static func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }

    private static func resolveSymlink(_ path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK,
              let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// fsync of the directory holding `path`, so the rename itself is durable. Filesystems that
    /// cannot fsync a directory (EINVAL) are tolerated, like Redis's `fsyncFileDir`.
    private static func fsyncDirectory(of path: String) throws(SystemError) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw SystemError("Could not open directory \(directory)", code: csystem_errno()) }
        defer { Glibc.close(fd) }
        if fsync(fd) != 0 {
            let code = csystem_errno()
            if code != EINVAL && code != EBADF && code != EROFS {
                throw SystemError("Could not fsync directory \(directory)", code: code)
            }
        }
    }
}

/// File checks and whole-file reads used at startup (config, pidfile, log file).
public enum FileAccess {
    /// Whether the process may write `path` (`access(W_OK)`, as Redis checks the config file).
    public static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

    /// Whether the process may read `path`.
    public static func isReadable(_ path: String) -> Bool { access(path, R_OK) == 0 }

    /// Whether something exists at `path`.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether `path` is an existing directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The current working directory, or nil.
    public static func currentDirectory() -> String? {
        guard let cwd = getcwd(nil, 0) else { return nil }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// `path` made absolute against the working directory (no symlink resolution), as Redis's
    /// sentinel does for its config file so a later `chdir` does not lose it.
    public static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let cwd = currentDirectory() else { return path }
        return cwd == "/" ? "/" + path : cwd + "/" + path
    }

    /// The whole file as bytes; throws "Can't open <path>: <strerror>" style errors.
    public static func readBytes(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SystemError("Can't open \(path)", code: csystem_errno()) }
        defer { Glibc.close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = csystem_errno()
                if code == EINTR { continue }
                throw SystemError("Can't read \(path)", code: code)
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// The whole file as a String (invalid UTF-8 is repaired with U+FFFD).
    public static func readString(_ path: String) throws(SystemError) -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }
}
