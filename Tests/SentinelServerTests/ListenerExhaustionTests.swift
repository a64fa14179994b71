import CSystem
import Glibc
import XCTest
@testable import SentinelServer

/// The listener when the process has no descriptor left: pending connections are turned away
/// (or waited for) instead of keeping the loop busy, errors are reported once, and accepting
/// resumes when descriptors are free. The test process's own open-files limit is lowered for
/// the duration of each test and restored afterwards.
final class ListenerExhaustionTests: XCTestCase {
    private let deadline: Int64 = 10_000

    /// A blocking client connection to 127.0.0.1:`port` (it completes in the kernel's backlog).
    private func connectClient(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, csystem_sock_stream(), 0)
        guard fd >= 0 else { throw SystemError("socket", code: csystem_errno()) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = csystem_errno()
            Glibc.close(fd)
            throw SystemError("connect", code: code)
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Everything the peer sends until it closes.
    private func readUntilClosed(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs `body` with every descriptor below a lowered soft limit taken by fillers; `body`
    /// may release some. Restores the limit and closes the fillers afterwards.
    private func withDescriptorsExhausted(_ body: (_ release: (Int) -> Void) throws -> Void) throws {
        var original = rlimit()
        XCTAssertEqual(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &original), 0)
        var lowered = original
        lowered.rlim_cur = min(original.rlim_cur, 512)
        XCTAssertEqual(setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &lowered), 0)
        var fillers: [Int32] = []
        defer {
            for filler in fillers { Glibc.close(filler) }
            var restored = original
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &restored)
        }
        while true {
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                XCTAssertEqual(csystem_errno(), EMFILE)
                break
            }
            fillers.append(fd)
        }
        try body { count in
            for _ in 0..<min(count, fillers.count) { Glibc.close(fillers.removeLast()) }
        }
    }

    func testPendingConnectionsAreTurnedAwayAndTheLoopSleeps() throws {
        let loop = try EpollLoop()
        var accepted: [AcceptedSocket] = []
        let listener = try Listener(loop: loop, bindAddresses: ["127.0.0.1"], port: 0) { accepted.append($0) }
        defer { for socket in accepted { Glibc.close(socket.fd) } }
        var refused = 0
        var reports: [String] = []
        listener.refusalMessage = Array("-ERR max number of clients reached\r\n".utf8)
        listener.onRefused = { refused += 1 }
        listener.onAcceptError = { reports.append($0) }
        let port = listener.boundAddresses[0].port
        let clients = try (0..<3).map { _ in try connectClient(port: port) }
        defer { for client in clients { Glibc.close(client) } }

        try withDescriptorsExhausted { release in
            XCTAssertTrue(try loop.run(until: { refused == 3 }, timeoutMilliseconds: deadline))
            XCTAssertTrue(accepted.isEmpty)
            XCTAssertEqual(reports, ["Accepting client connection: accept: Too many open files"])
            for client in clients { XCTAssertEqual(readUntilClosed(client), "-ERR max number of clients reached\r\n") }
            // Nothing is left pending and nothing is scheduled: the loop has nothing to do
            // (before, the listener stayed readable and every wait returned at once).
            XCTAssertFalse(listener.isPaused)
            XCTAssertEqual(try loop.runOnce(timeoutMilliseconds: 0), 0)

            // One descriptor for the new client's socket, one for accepting it.
            release(2)
            let late = try connectClient(port: port)
            defer { Glibc.close(late) }
            XCTAssertTrue(try loop.run(until: { accepted.count == 1 }, timeoutMilliseconds: deadline))
            XCTAssertEqual(refused, 3)
            XCTAssertEqual(reports.count, 1)
        }
    }

    /// Without a reserve descriptor the listener stops watching its socket for a while, the
    /// connection waits in the backlog, and it is accepted once descriptors are free.
    func testWithoutReserveAcceptingPausesAndResumes() throws {
        let loop = try EpollLoop()
        var accepted: [AcceptedSocket] = []
        let listener = try Listener(loop: loop, bindAddresses: ["127.0.0.1"], port: 0, keepsReserveDescriptor: false) {
            accepted.append($0)
        }
        defer { for socket in accepted { Glibc.close(socket.fd) } }
        var reports: [String] = []
        listener.onAcceptError = { reports.append($0) }
        let port = listener.boundAddresses[0].port
        let client = try connectClient(port: port)
        defer { Glibc.close(client) }

        try withDescriptorsExhausted { release in
            XCTAssertTrue(try loop.run(until: { listener.isPaused }, timeoutMilliseconds: deadline))
            XCTAssertEqual(reports, ["Accepting client connection: accept: Too many open files"])
            XCTAssertTrue(accepted.isEmpty)
            // Still exhausted after the pause: it pauses again, without another report.
            XCTAssertTrue(try loop.run(until: { !listener.isPaused }, timeoutMilliseconds: deadline))
            XCTAssertTrue(try loop.run(until: { listener.isPaused }, timeoutMilliseconds: deadline))
            XCTAssertEqual(reports.count, 1)

            // One descriptor to accept it, one to spare (with none left, the next accept
            // would fail and pause again).
            release(2)
            XCTAssertTrue(try loop.run(until: { accepted.count == 1 }, timeoutMilliseconds: deadline))
            XCTAssertFalse(listener.isPaused)
        }
    }
}
