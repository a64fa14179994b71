import CSystem
import Glibc
import XCTest
@testable import SentinelServer

/// Children are reaped through SIGCHLD read from a signalfd on the loop, and by a periodic
/// check as well: in this multi-threaded test process (XCTest, Foundation, Dispatch) SIGCHLD
/// may be delivered to another thread that does not block it, exactly as the daemon's shell
/// also reaps on every tick in case a signal is missed.
final class ProcessTests: XCTestCase {
    private let deadline: Int64 = 10_000

    private final class Harness {
        let loop: EpollLoop
        let spawner = ProcessSpawner()
        var signals: SignalSource?
        var exits: [ChildExit] = []
        var received: [Int32] = []

        init() throws {
            loop = try EpollLoop()
            spawner.onExit = { [unowned self] in self.exits.append($0) }
            signals = try SignalSource(loop: loop) { [unowned self] signo in
                self.received.append(signo)
                if signo == SIGCHLD { self.spawner.reapChildren() }
            }
        }

        func waitForExit(of pid: pid_t, timeout: Int64) throws -> ChildTermination? {
            func check() {
                spawner.reapChildren()
                if !exits.contains(where: { $0.pid == pid }) {
                    loop.scheduleTimer(afterMilliseconds: 50) { check() }
                }
            }
            loop.scheduleTimer(afterMilliseconds: 50) { check() }
            _ = try loop.run(until: { self.exits.contains { $0.pid == pid } }, timeoutMilliseconds: timeout)
            return exits.first { $0.pid == pid }?.termination
        }
    }

    func testExitCodeIsReported() throws {
        let harness = try Harness()
        let pid = try harness.spawner.spawn(path: "/bin/sh", arguments: ["-c", "exit 3"])
        XCTAssertEqual(try harness.waitForExit(of: pid, timeout: deadline), .exited(3))
        XCTAssertTrue(harness.spawner.runningChildren.isEmpty)
    }

    func testKilledChildReportsTheSignal() throws {
        let harness = try Harness()
        let pid = try harness.spawner.spawn(path: "/bin/sleep", arguments: ["30"])
        XCTAssertEqual(harness.spawner.runningChildren, [pid])
        harness.spawner.kill(pid: pid)
        XCTAssertEqual(try harness.waitForExit(of: pid, timeout: deadline), .signaled(SIGKILL))
    }

    func testChildGetsAnEmptySignalMaskAndNoExtraDescriptors() throws {
        let harness = try Harness()
        // A pipe deliberately opened without close-on-exec.
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { for fd in fds { close(fd) } }
        let script = "grep -q '^SigBlk:[[:space:]]*0*$' /proc/self/status || exit 10; "
            + "test -e /proc/self/fd/\(fds[0]) && exit 11; exit 0"
        let pid = try harness.spawner.spawn(path: "/bin/sh", arguments: ["-c", script])
        XCTAssertEqual(try harness.waitForExit(of: pid, timeout: deadline), .exited(0))
    }

    func testSpawningAMissingProgramThrows() throws {
        let spawner = ProcessSpawner()
        XCTAssertThrowsError(try spawner.spawn(path: "/nonexistent/notify.sh")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/notify.sh: No such file or directory")
        }
        XCTAssertTrue(spawner.runningChildren.isEmpty)
    }

    func testSignalsArriveThroughTheLoop() throws {
        let harness = try Harness()
        raise(SIGHUP)
        XCTAssertTrue(try harness.loop.run(until: { harness.received.contains(SIGHUP) }, timeoutMilliseconds: deadline))
        SignalSource.ignoreSIGPIPE()
    }
}
