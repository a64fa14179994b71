import Foundation
import Glibc
import RESP

/// Something that went wrong while driving real processes; the text says what.
struct IntegrationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A blocking TCP connection to a Redis server or a sentinel on 127.0.0.1 (or on an address
/// inside a network namespace), speaking RESP through the project's
/// `RESPEncoder.encodeCommand` and `RESPReplyParser`.
final class RedisConnection {
    let port: Int
    private var fd: Int32
    private var parser = RESPReplyParser()

    /// Connects to 127.0.0.1:`port`; every read gives up after `timeout` seconds.
    convenience init(port: Int, timeout: Double = 10) throws {
        try self.init(host: "127.0.0.1", port: port, namespace: nil, timeout: timeout)
    }

    /// Connects to `host`:`port` with a socket of `namespace` (of the test's own network when
    /// nil); every read gives up after `timeout` seconds.
    init(host: String, port: Int, namespace: NetworkNamespace?, timeout: Double = 10) throws {
        self.port = port
        fd = try namespace?.makeSocket() ?? socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw IntegrationError("socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            fd = -1
            throw IntegrationError("connect to \(host):\(port): \(message)")
        }
        setReadTimeout(timeout)
    }

    deinit { close() }

    func setReadTimeout(_ seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Writes bytes as they are (for malformed requests).
    func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw IntegrationError("write to port \(port): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Sends one command without reading its reply.
    func send(_ arguments: [String]) throws {
        var buffer: [UInt8] = []
        RESPEncoder.encodeCommand(arguments, into: &buffer)
        try sendRaw(buffer)
    }

    /// Sends a command and returns its reply (errors are returned as `.error`, not thrown).
    @discardableResult
    func command(_ arguments: String...) throws -> RESPValue {
        try send(arguments)
        return try readReply()
    }

    /// The next reply; throws on timeout, on EOF and on a protocol error.
    func readReply() throws -> RESPValue {
        while true {
            if let value = try parser.next() { return value }
            guard try receiveSome() else { throw IntegrationError("connection to port \(port) closed by peer") }
        }
    }

    /// The next reply if one arrives within the read timeout, nil on timeout; throws on EOF.
    func readReplyIfAvailable() throws -> RESPValue? {
        if let value = try parser.next() { return value }
        var buffer = [UInt8](repeating: 0, count: 16384)
        let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return nil }
            throw IntegrationError("read from port \(port): \(String(cString: strerror(errno)))")
        }
        if count == 0 { throw IntegrationError("connection to port \(port) closed by peer") }
        parser.append(buffer[0..<count])
        return try parser.next()
    }

    /// Reads until the peer closes (true) or the read timeout passes (false); data is discarded.
    func waitForPeerClose() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 {
                if errno == EINTR { continue }
                return errno == ECONNRESET
            }
        }
    }

    /// Reads once; false on EOF. Throws on timeout.
    private func receiveSome() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                parser.append(buffer[0..<count])
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw IntegrationError("timed out waiting for a reply from port \(port)") }
            throw IntegrationError("read from port \(port): \(String(cString: strerror(errno)))")
        }
    }
}

extension RESPValue {
    /// A reply of pairs (RESP2 flat array or RESP3 map) as a dictionary of texts.
    var fieldDictionary: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in fieldPairs { result[key] = value }
        return result
    }

    /// A reply of pairs (RESP2 flat array or RESP3 map) as ordered (key, value) texts.
    var fieldPairs: [(String, String)] {
        if case .map(let entries) = self {
            return entries.map { ($0.key.text ?? "", $0.value.text ?? $0.value.integerValue.map(String.init) ?? "") }
        }
        guard let items = elements else { return [] }
        var pairs: [(String, String)] = []
        var index = 0
        while index + 1 < items.count {
            pairs.append((items[index].text ?? "", items[index + 1].text ?? items[index + 1].integerValue.map(String.init) ?? ""))
            index += 2
        }
        return pairs
    }

    /// A short text for assertion messages.
    var debugText: String {
        switch self {
        case .simpleString(let bytes): return "+" + String(decoding: bytes, as: UTF8.self)
        case .error(let bytes): return "-" + String(decoding: bytes, as: UTF8.self)
        case .integer(let value): return ":\(value)"
        case .bulkString(let bytes): return "\"" + String(decoding: bytes, as: UTF8.self) + "\""
        case .nullBulkString, .nullArray, .null: return "(nil)"
        case .map(let entries): return "%{" + entries.map { "\($0.key.debugText): \($0.value.debugText)" }.joined(separator: ", ") + "}"
        default:
            if let items = elements { return "[" + items.map(\.debugText).joined(separator: ", ") + "]" }
            return "\(self)"
        }
    }
}

/// Parses `INFO` text into its `key:value` fields.
func parseInfo(_ reply: RESPValue) -> [String: String] {
    var fields: [String: String] = [:]
    for line in (reply.text ?? "").split(whereSeparator: { $0.isNewline }) {
        guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { continue }
        fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
    }
    return fields
}

/// Subscribes to a sentinel's events (`PSUBSCRIBE *`) and collects them on a background thread.
final class EventSubscriber: @unchecked Sendable {
    struct Event: Sendable, CustomStringConvertible {
        let channel: String
        let message: String
        var description: String { "\(channel) \(message)" }
    }

    let port: Int
    private let lock = NSLock()
    private var collected: [Event] = []
    private var stopped = false
    private var finished = false
    private let connection: RedisConnection

    /// Subscribes on 127.0.0.1:`port`, or on `host`:`port` inside `namespace` when given.
    init(port: Int, host: String = "127.0.0.1", namespace: NetworkNamespace? = nil) throws {
        self.port = port
        connection = try RedisConnection(host: host, port: port, namespace: namespace)
        let reply = try connection.command("PSUBSCRIBE", "*")
        guard reply.elements?.first?.text?.lowercased() == "psubscribe" else {
            throw IntegrationError("PSUBSCRIBE * on port \(port) replied \(reply.debugText)")
        }
        connection.setReadTimeout(0.1)
        let thread = Thread { [self] in self.run() }
        thread.start()
    }

    private func run() {
        while !isStopped {
            do {
                guard let value = try connection.readReplyIfAvailable() else { continue }
                guard let items = value.elements, items.count == 4, items[0].text == "pmessage" else { continue }
                let event = Event(channel: items[2].text ?? "", message: items[3].text ?? "")
                lock.withLock { collected.append(event) }
            } catch {
                break
            }
        }
        lock.withLock { finished = true }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Every event received so far.
    var events: [Event] { lock.withLock { collected } }

    /// Whether an event on `channel` whose message contains `fragment` has arrived.
    func hasEvent(_ channel: String, containing fragment: String) -> Bool {
        events.contains { $0.channel == channel && $0.message.contains(fragment) }
    }

    /// Stops the thread and closes the connection.
    func stop() {
        lock.withLock { stopped = true }
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline && !lock.withLock({ finished }) { usleep(20_000) }
        connection.close()
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago: bind port 0, read it, close.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw IntegrationError("socket(): \(String(cString: strerror(errno)))") }
    defer { Glibc.close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw IntegrationError("bind(0): \(String(cString: strerror(errno)))") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw IntegrationError("getsockname: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether a listening socket can be bound on 127.0.0.1:`port` right now.
func portIsBindable(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { Glibc.close(fd) }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return bound == 0 && listen(fd, 1) == 0
}
