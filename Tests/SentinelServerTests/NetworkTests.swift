import CSystem
import Glibc
import XCTest
@testable import SentinelServer

/// Echo server and client in one loop; every wait is `run(until:)` with a generous deadline.
final class NetworkTests: XCTestCase {
    private let deadline: Int64 = 10_000

    final class Box {
        var accepted: [AcceptedSocket] = []
        var serverConnections: [StreamConnection] = []
        var serverCloseReasons: [StreamCloseReason] = []
        var received: [UInt8] = []
        var connected = false
        var clientCloseReason: StreamCloseReason?
    }

    /// An echo server on 127.0.0.1, ephemeral port: every connection writes back what it reads.
    private func makeEchoServer(loop: EpollLoop) throws -> (Listener, Box) {
        let box = Box()
        let listener = try Listener(loop: loop, bindAddresses: ["127.0.0.1"], port: 0) { [box] socket in
            box.accepted.append(socket)
            guard let connection = try? StreamConnection(loop: loop, accepted: socket) else { return }
            connection.onData = { [unowned connection] bytes in connection.write(bytes) }
            connection.onClose = { [box] reason in box.serverCloseReasons.append(reason) }
            box.serverConnections.append(connection)
        }
        return (listener, box)
    }

    private func connectClient(loop: EpollLoop, host: String = "127.0.0.1", port: Int, box: Box,
                               timeout: Int64? = nil) -> StreamConnection {
        let client = StreamConnection.connect(loop: loop, host: host, port: port, timeoutMilliseconds: timeout)
        client.onConnect = { [box] in box.connected = true }
        client.onData = { [box] bytes in box.received.append(contentsOf: bytes) }
        client.onClose = { [box] reason in box.clientCloseReason = reason }
        return client
    }

    func testEchoRoundTrip() throws {
        let loop = try EpollLoop()
        let (listener, box) = try makeEchoServer(loop: loop)
        let port = try XCTUnwrap(listener.boundAddresses.first).port
        XCTAssertGreaterThan(port, 0)

        let client = connectClient(loop: loop, port: port, box: box)
        client.write(Array("PING\r\n".utf8))   // queued while connecting
        XCTAssertEqual(client.state, .connecting)
        XCTAssertTrue(try loop.run(until: { box.received.count == 6 }, timeoutMilliseconds: deadline))
        XCTAssertTrue(box.connected)
        XCTAssertEqual(box.received, Array("PING\r\n".utf8))

        // Addresses reported on both sides agree.
        let accepted = try XCTUnwrap(box.accepted.first)
        XCTAssertEqual(accepted.localAddress, SocketAddress(ip: "127.0.0.1", port: port))
        XCTAssertEqual(accepted.remoteAddress, client.localAddress)
        XCTAssertEqual(client.localIP, "127.0.0.1")
        XCTAssertEqual(client.remoteAddress?.description, "127.0.0.1:\(port)")
        XCTAssertEqual(box.serverConnections[0].remoteAddress, accepted.remoteAddress)

        // Close-on-exec, non-blocking and TCP_NODELAY on accepted sockets.
        let serverFD = box.serverConnections[0].fd
        XCTAssertNotEqual(fcntl(serverFD, F_GETFD) & FD_CLOEXEC, 0)
        XCTAssertNotEqual(fcntl(serverFD, F_GETFL) & O_NONBLOCK, 0)
        var noDelay: Int32 = 0
        var length = socklen_t(4)
        XCTAssertEqual(getsockopt(serverFD, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, &length), 0)
        XCTAssertEqual(noDelay, 1)

        box.received.removeAll()
        client.write(Array("second".utf8))
        XCTAssertTrue(try loop.run(until: { box.received == Array("second".utf8) }, timeoutMilliseconds: deadline))
        client.close()
        listener.close()
    }

    func testLargeWriteNeedsWritableEvents() throws {
        let loop = try EpollLoop()
        let (listener, box) = try makeEchoServer(loop: loop)
        let client = connectClient(loop: loop, port: listener.boundAddresses[0].port, box: box)
        XCTAssertTrue(try loop.run(until: { box.connected }, timeoutMilliseconds: deadline))

        let size = 8 * 1024 * 1024
        var payload = [UInt8](repeating: 0, count: size)
        for index in 0..<size { payload[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 13) }
        client.write(payload)
        XCTAssertGreaterThan(client.pendingOutputBytes, 0, "8 MB should not fit in the socket buffers at once")
        XCTAssertTrue(try loop.run(until: { box.received.count >= size }, timeoutMilliseconds: 30_000))
        XCTAssertEqual(box.received.count, size)
        XCTAssertTrue(box.received == payload)
        XCTAssertEqual(client.pendingOutputBytes, 0)
        XCTAssertNil(box.clientCloseReason)
    }

    func testPeerCloseDetectedOnBothSides() throws {
        let loop = try EpollLoop()
        let (listener, box) = try makeEchoServer(loop: loop)
        let client = connectClient(loop: loop, port: listener.boundAddresses[0].port, box: box)
        XCTAssertTrue(try loop.run(until: { box.serverConnections.count == 1 && box.connected }, timeoutMilliseconds: deadline))

        // The client closes: the server side sees EOF.
        client.close()
        XCTAssertTrue(try loop.run(until: { !box.serverCloseReasons.isEmpty }, timeoutMilliseconds: deadline))
        XCTAssertEqual(box.serverCloseReasons, [.peerClosed])
        XCTAssertEqual(box.serverConnections[0].state, .closed)
        XCTAssertEqual(box.serverConnections[0].fd, -1)
        XCTAssertNil(box.clientCloseReason, "an explicit close() reports nothing")

        // The server closes after flushing a reply: the client gets the reply, then EOF.
        let second = connectClient(loop: loop, port: listener.boundAddresses[0].port, box: box)
        XCTAssertTrue(try loop.run(until: { box.serverConnections.count == 2 }, timeoutMilliseconds: deadline))
        box.serverConnections[1].write(Array("+OK\r\n".utf8))
        box.serverConnections[1].closeAfterFlush()
        box.serverConnections[1].write(Array("ignored".utf8))
        XCTAssertTrue(try loop.run(until: { box.clientCloseReason != nil && box.serverCloseReasons.count == 2 },
                                   timeoutMilliseconds: deadline))
        XCTAssertEqual(box.received, Array("+OK\r\n".utf8))
        XCTAssertEqual(box.clientCloseReason, .peerClosed)
        XCTAssertEqual(box.serverCloseReasons.last, .flushedAndClosed)
        XCTAssertEqual(second.state, .closed)
        XCTAssertEqual(loop.registrationCount, 1, "only the listener is left")
    }

    func testHangupIsDetectedWhileReadingIsPaused() throws {
        let loop = try EpollLoop()
        let (listener, box) = try makeEchoServer(loop: loop)
        let client = connectClient(loop: loop, port: listener.boundAddresses[0].port, box: box)
        XCTAssertTrue(try loop.run(until: { box.serverConnections.count == 1 && box.connected }, timeoutMilliseconds: deadline))
        let server = box.serverConnections[0]
        server.isReadingPaused = true
        client.close()
        // Writing to the closed peer draws a reset: ERR/HUP on a registration waiting for nothing.
        server.write(Array("x".utf8))
        XCTAssertTrue(try loop.run(until: { !box.serverCloseReasons.isEmpty }, timeoutMilliseconds: deadline))
        XCTAssertEqual(server.state, .closed)
    }

    func testOutputBufferLimitClosesConnection() throws {
        let loop = try EpollLoop()
        let box = Box()
        // A server that never reads: the client's output piles up.
        let listener = try Listener(loop: loop, bindAddresses: ["127.0.0.1"], port: 0) { [box] socket in
            box.accepted.append(socket)
        }
        let client = StreamConnection.connect(loop: loop, host: "127.0.0.1", port: listener.boundAddresses[0].port,
                                              outputBufferLimit: 1024 * 1024)
        client.onClose = { [box] in box.clientCloseReason = $0 }
        client.onConnect = { [box] in box.connected = true }
        XCTAssertTrue(try loop.run(until: { box.connected && !box.accepted.isEmpty }, timeoutMilliseconds: deadline))
        let chunk = [UInt8](repeating: 0x61, count: 256 * 1024)
        var writes = 0
        while client.state == .connected && writes < 400 {
            client.write(chunk)
            writes += 1
        }
        XCTAssertEqual(client.state, .closed)
        XCTAssertNil(box.clientCloseReason, "onClose is reported from the loop, not from inside write")
        XCTAssertTrue(try loop.run(until: { box.clientCloseReason != nil }, timeoutMilliseconds: deadline))
        XCTAssertEqual(box.clientCloseReason, .outputBufferLimitReached(1024 * 1024))
        for socket in box.accepted { Glibc.close(socket.fd) }
    }

    func testConnectToClosedPortFails() throws {
        let loop = try EpollLoop()
        // A port nobody listens on: bind a listener, note its port, close it.
        let probe = try Listener(loop: loop, bindAddresses: ["127.0.0.1"], port: 0) { _ in }
        let port = probe.boundAddresses[0].port
        probe.close()

        let box = Box()
        let client = connectClient(loop: loop, port: port, box: box, timeout: 5_000)
        XCTAssertTrue(try loop.run(until: { box.clientCloseReason != nil }, timeoutMilliseconds: deadline))
        XCTAssertEqual(box.clientCloseReason, .connectFailed("Connection refused"))
        XCTAssertEqual(box.clientCloseReason?.description, "Connection refused")
        XCTAssertFalse(box.connected)
        XCTAssertEqual(client.state, .closed)
        XCTAssertEqual(loop.pendingTimerCount, 0, "the connect timeout is cancelled")
        XCTAssertEqual(loop.registrationCount, 0)
    }

    func testConnectWithInvalidAddressFailsFromTheLoop() throws {
        let loop = try EpollLoop()
        let box = Box()
        _ = connectClient(loop: loop, host: "not-an-ip", port: 6379, box: box)
        XCTAssertNil(box.clientCloseReason, "failures are reported from the loop")
        XCTAssertTrue(try loop.run(until: { box.clientCloseReason != nil }, timeoutMilliseconds: deadline))
        XCTAssertEqual(box.clientCloseReason, .connectFailed("Invalid IP address not-an-ip"))
    }

    func testConnectTimeout() throws {
        let loop = try EpollLoop()
        let box = Box()
        // Nothing here can blackhole a SYN, so use a zero timeout against a live listener:
        // whichever of the timer and the completion is handled first wins, and exactly one is
        // reported.
        let listener = try Listener(loop: loop, bindAddresses: ["127.0.0.1"], port: 0) { socket in Glibc.close(socket.fd) }
        let client = connectClient(loop: loop, port: listener.boundAddresses[0].port, box: box, timeout: 0)
        XCTAssertTrue(try loop.run(until: { box.clientCloseReason != nil || box.connected }, timeoutMilliseconds: deadline))
        if let reason = box.clientCloseReason {
            XCTAssertEqual(reason, .connectTimedOut)
            XCTAssertEqual(client.state, .closed)
            XCTAssertFalse(box.connected)
        } else {
            XCTAssertEqual(loop.pendingTimerCount, 0)
        }
    }

    func testListenerReportsAddressInUse() throws {
        let loop = try EpollLoop()
        let first = try Listener(loop: loop, bindAddresses: ["127.0.0.1"], port: 0) { _ in }
        let port = first.boundAddresses[0].port
        XCTAssertThrowsError(try Listener(loop: loop, bindAddresses: ["127.0.0.1"], port: port) { _ in }) { error in
            XCTAssertEqual("\(error)", "Could not create server TCP listening socket 127.0.0.1:\(port): Address already in use")
            XCTAssertEqual((error as? SystemError)?.code, EADDRINUSE)
        }
        XCTAssertEqual(loop.registrationCount, 1, "a failed listener leaves nothing registered")
    }

    func testListenerDefaultAddressesAndIPv6() throws {
        let loop = try EpollLoop()
        let listener = try Listener(loop: loop, bindAddresses: [], port: 0) { _ in }
        XCTAssertTrue(listener.boundAddresses.contains { $0.ip == "0.0.0.0" })
        XCTAssertTrue(listener.boundAddresses.count == 1 || listener.boundAddresses.contains { $0.ip == "::" })

        XCTAssertThrowsError(try Listener(loop: loop, bindAddresses: ["example.org"], port: 0) { _ in }) { error in
            XCTAssertEqual("\(error)", "Could not create server TCP listening socket example.org:0: Invalid bind address")
        }
        // An optional address that does not exist on this host is skipped.
        let optional = try Listener(loop: loop, bindAddresses: ["127.0.0.1", "-192.0.2.123"], port: 0) { _ in }
        XCTAssertEqual(optional.boundAddresses.map(\.ip), ["127.0.0.1"])

        // IPv6 loopback, when the host has it.
        if let v6 = try? Listener(loop: loop, bindAddresses: ["::1"], port: 0, onAccept: { _ in }) {
            let box = Box()
            let port = v6.boundAddresses[0].port
            let client = connectClient(loop: loop, host: "::1", port: port, box: box)
            XCTAssertTrue(try loop.run(until: { box.connected }, timeoutMilliseconds: deadline))
            XCTAssertEqual(client.localIP, "::1")
            XCTAssertEqual(client.remoteAddress?.description, "[::1]:\(port)")
        }
    }

    func testEventsForRegistrationsRemovedInTheSameBatchAreDropped() throws {
        let loop = try EpollLoop()
        let flags = csystem_sock_stream() | csystem_sock_cloexec() | csystem_sock_nonblock()
        var one: [Int32] = [0, 0]
        var two: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, flags, 0, &one), 0)
        XCTAssertEqual(socketpair(AF_UNIX, flags, 0, &two), 0)
        defer { for fd in one + two { Glibc.close(fd) } }

        var calls: [String] = []
        var registrations: [IORegistration] = []
        // Whichever fires first unregisters both; the other's queued event must be dropped.
        let first = try loop.register(fd: one[0], events: .readable, handler: IOHandler(onReadable: {
            calls.append("first")
            for registration in registrations { loop.unregister(registration) }
        }))
        let second = try loop.register(fd: two[0], events: .readable, handler: IOHandler(onReadable: {
            calls.append("second")
            for registration in registrations { loop.unregister(registration) }
        }))
        registrations = [first, second]
        XCTAssertEqual(write(one[1], "x", 1), 1)
        XCTAssertEqual(write(two[1], "y", 1), 1)
        XCTAssertTrue(try loop.run(until: { !calls.isEmpty }, timeoutMilliseconds: deadline))
        try loop.runOnce(timeoutMilliseconds: 0)
        XCTAssertEqual(calls.count, 1)
        XCTAssertEqual(loop.registrationCount, 0)
    }

    func testTimersFireInDeadlineOrderAndCanBeCancelled() throws {
        let loop = try EpollLoop()
        var fired: [String] = []
        let start = MonotonicClock.now()
        loop.scheduleTimer(afterMilliseconds: 30) { fired.append("30") }
        loop.scheduleTimer(afterMilliseconds: 10) { fired.append("10") }
        let cancelled = loop.scheduleTimer(afterMilliseconds: 20) { fired.append("20") }
        loop.scheduleTimer(afterMilliseconds: 0) {
            fired.append("0")
            loop.scheduleTimer(afterMilliseconds: 5) { fired.append("nested") }
        }
        loop.cancelTimer(cancelled)
        XCTAssertTrue(fired.isEmpty, "timers never run synchronously")
        XCTAssertTrue(try loop.run(until: { fired.count == 4 }, timeoutMilliseconds: deadline))
        XCTAssertEqual(fired, ["0", "nested", "10", "30"])
        XCTAssertGreaterThanOrEqual(MonotonicClock.now() - start, 30)
        XCTAssertEqual(loop.pendingTimerCount, 0)
    }

    func testRunUntilStop() throws {
        let loop = try EpollLoop()
        var ticks = 0
        func tick() {
            ticks += 1
            if ticks == 3 { loop.stop() } else { loop.scheduleTimer(afterMilliseconds: 1, tick) }
        }
        loop.scheduleTimer(afterMilliseconds: 1, tick)
        try loop.run()
        XCTAssertEqual(ticks, 3)
    }

    func testClocks() {
        let a = MonotonicClock.now()
        let b = MonotonicClock.now()
        XCTAssertGreaterThanOrEqual(b, a)
        XCTAssertGreaterThan(WallClock.nowMilliseconds(), 1_600_000_000_000)
    }
}
