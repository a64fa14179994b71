import Foundation
import Glibc
import RESP

/// A TCP server on 127.0.0.1 that plays a Redis instance with whatever replies a test scripts:
/// a hostile or broken master or replica for the real swift-sentinel to monitor.
///
/// Each connection is served by its own thread; commands are parsed with the project's
/// `RESPRequestParser` and answered with `reply(to:)`, which a test may replace at any time.
/// State shared between threads is guarded by `lock`.
/// By default: PING → +PONG, INFO → `info`, SUBSCRIBE → the confirmation push, PUBLISH → :1
/// (the message is delivered to the subscribed connections), anything else → +OK.
final class FakeInstanceServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var connections: [Int32] = []
    private var subscribers: [Int32] = []
    private var stopped = false
    private var infoText: String
    private var customReply: (([String]) -> [RESPValue]?)?
    private var received: [[String]] = []

    /// Listens on a port the kernel picks.
    init(info: String) throws {
        infoText = info
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw IntegrationError("socket(): \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0, listen(fd, 128) == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw IntegrationError("fake instance: bind/listen: \(message)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [weak self] in self?.acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// The INFO text answered from now on.
    var info: String {
        get { lock.withLock { infoText } }
        set { lock.withLock { infoText = newValue } }
    }

    /// Replaces the default answers: a non-nil result is sent instead (one value per reply).
    func reply(to handler: @escaping ([String]) -> [RESPValue]?) {
        lock.withLock { customReply = handler }
    }

    /// Every command received so far, on any connection.
    var commands: [[String]] { lock.withLock { received } }

    /// Pushes a pub/sub message to every connection that subscribed (as a peer's PUBLISH would).
    func publish(channel: String, message: String) {
        var bytes: [UInt8] = []
        RESPEncoder.encode(.array([.bulk("message"), .bulk(channel), .bulk(message)]), as: .resp2, into: &bytes)
        for fd in lock.withLock({ subscribers }) { write(bytes, to: fd) }
    }

    /// Closes the listener and every connection.
    func stop() {
        let open: [Int32] = lock.withLock {
            guard !stopped else { return [] }
            stopped = true
            return connections + [listener]
        }
        for fd in open {
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let accepted: Bool = lock.withLock {
                if stopped { return false }
                connections.append(fd)
                return true
            }
            guard accepted else {
                Glibc.close(fd)
                return
            }
            let thread = Thread { [weak self] in self?.serve(fd) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var parser = RESPRequestParser()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            parser.append(buffer[0..<count])
            while let command = try? parser.next() {
                let arguments = command.map { String(decoding: $0, as: UTF8.self) }
                var bytes: [UInt8] = []
                for value in answer(arguments, on: fd) { RESPEncoder.encode(value, as: .resp2, into: &bytes) }
                write(bytes, to: fd)
            }
        }
    }

    private func answer(_ arguments: [String], on fd: Int32) -> [RESPValue] {
        let (handler, info): ((([String]) -> [RESPValue]?)?, String) = lock.withLock {
            received.append(arguments)
            return (customReply, infoText)
        }
        if let handler, let values = handler(arguments) { return values }
        switch arguments.first?.uppercased() ?? "" {
        case "PING":
            return [.status("PONG")]
        case "INFO":
            return [.bulk(info)]
        case "SUBSCRIBE":
            lock.withLock { subscribers.append(fd) }
            return arguments.dropFirst().enumerated().map { .array([.bulk("subscribe"), .bulk($1), .integer(Int64($0 + 1))]) }
        case "PUBLISH" where arguments.count == 3:
            publish(channel: arguments[1], message: arguments[2])
            return [.integer(1)]
        default:
            return [.ok]
        }
    }

    private func write(_ bytes: [UInt8], to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
