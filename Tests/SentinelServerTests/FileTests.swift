import Glibc
import XCTest
@testable import SentinelServer

final class FileTests: XCTestCase {
    func testAtomicWriteReplacesContentWithSanePermissions() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path = directory.path + "/sentinel.conf"

        try AtomicFileWriter.write("port 26379\n", to: path)
        XCTAssertEqual(try FileAccess.readString(path), "port 26379\n")
        try AtomicFileWriter.write("port 26380\nsentinel myid abc\n", to: path)
        XCTAssertEqual(try FileAccess.readString(path), "port 26380\nsentinel myid abc\n")
        try AtomicFileWriter.write([UInt8](), to: path)
        XCTAssertEqual(try FileAccess.readBytes(path), [])

        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o644 & ~AtomicFileWriter.currentUmask())
        XCTAssertEqual(directory.entries(), ["sentinel.conf"], "no temporary file is left behind")
        XCTAssertTrue(FileAccess.isWritable(path))
        XCTAssertTrue(FileAccess.isReadable(path))
        XCTAssertTrue(FileAccess.exists(path))
        XCTAssertTrue(FileAccess.isDirectory(directory.path))
        XCTAssertFalse(FileAccess.isDirectory(path))
    }

    func testAtomicWriteKeepsASymlinkAndReplacesItsTarget() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let real = directory.path + "/real.conf"
        let link = directory.path + "/link.conf"
        try AtomicFileWriter.write("old\n", to: real)
        XCTAssertEqual(symlink(real, link), 0)
        try AtomicFileWriter.write("new\n", to: link)
        var info = stat()
        XCTAssertEqual(lstat(link, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFLNK)
        XCTAssertEqual(try FileAccess.readString(real), "new\n")
        XCTAssertEqual(directory.entries(), ["link.conf", "real.conf"])
    }

    func testAtomicWriteIntoMissingDirectoryFailsClearly() {
        let path = "/nonexistent-swift-sentinel-dir/sentinel.conf"
        XCTAssertThrowsError(try AtomicFileWriter.write("x", to: path)) { error in
            XCTAssertEqual("\(error)", "Could not create temporary file for \(path): No such file or directory")
        }
    }

    func testAtomicWriteFailingRenameLeavesNoTemporaryFile() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        // The target is a non-empty directory: every step works except the rename.
        let target = directory.path + "/taken"
        XCTAssertEqual(mkdir(target, 0o755), 0)
        try AtomicFileWriter.write("inside", to: target + "/file")
        XCTAssertThrowsError(try AtomicFileWriter.write("x", to: target)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("Could not rename \(target)."), message)
            XCTAssertTrue(message.hasSuffix(": Is a directory"), message)
        }
        XCTAssertEqual(directory.entries(), ["taken"])
        XCTAssertEqual(directory.entries(of: target), ["file"])
        XCTAssertEqual(try FileAccess.readString(target + "/file"), "inside")
    }

    func testAtomicWriteIntoReadOnlyDirectory() throws {
        let directory = try TestDirectory()
        defer {
            chmod(directory.path, 0o755)
            directory.remove()
        }
        let path = directory.path + "/sentinel.conf"
        try AtomicFileWriter.write("old\n", to: path)
        XCTAssertEqual(chmod(directory.path, 0o555), 0)
        if geteuid() == 0 {
            // Root bypasses directory permissions; the missing-directory and failed-rename tests
            // cover the failure paths.
            try AtomicFileWriter.write("root may\n", to: path)
            XCTAssertEqual(try FileAccess.readString(path), "root may\n")
        } else {
            XCTAssertFalse(FileAccess.isWritable(directory.path))
            XCTAssertThrowsError(try AtomicFileWriter.write("new\n", to: path)) { error in
                XCTAssertEqual("\(error)", "Could not create temporary file for \(path): Permission denied")
            }
            XCTAssertEqual(try FileAccess.readString(path), "old\n")
        }
        XCTAssertEqual(directory.entries(), ["sentinel.conf"])
    }

    func testReadingAMissingFileFailsClearly() {
        XCTAssertThrowsError(try FileAccess.readString("/nonexistent-swift-sentinel.conf")) { error in
            XCTAssertEqual("\(error)", "Can't open /nonexistent-swift-sentinel.conf: No such file or directory")
            XCTAssertEqual((error as? SystemError)?.code, ENOENT)
        }
        XCTAssertFalse(FileAccess.exists("/nonexistent-swift-sentinel.conf"))
    }

    func testAbsolutePath() {
        XCTAssertEqual(FileAccess.absolutePath("/etc/sentinel.conf"), "/etc/sentinel.conf")
        let cwd = FileAccess.currentDirectory() ?? "/"
        XCTAssertEqual(FileAccess.absolutePath("s.conf"), (cwd == "/" ? "" : cwd) + "/s.conf")
    }

    func testPidFile() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path = directory.path + "/sentinel.pid"
        try PidFile.write(path: path, pid: 4242)
        XCTAssertEqual(try FileAccess.readString(path), "4242\n")
        try PidFile.write(path: path)
        XCTAssertEqual(try FileAccess.readString(path), "\(getpid())\n")
        PidFile.remove(path: path)
        XCTAssertFalse(FileAccess.exists(path))
        PidFile.remove(path: path)
        XCTAssertThrowsError(try PidFile.write(path: "/nonexistent-swift-sentinel-dir/x.pid")) { error in
            XCTAssertEqual("\(error)", "Failed to write PID file /nonexistent-swift-sentinel-dir/x.pid: No such file or directory")
        }
    }
}
