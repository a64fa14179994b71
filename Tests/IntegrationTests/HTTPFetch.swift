import Foundation
import Glibc

/// A blocking HTTP/1.0 GET on 127.0.0.1 (HTTP/1.0 so that every server, Prometheus's too,
/// ends the body by closing the connection: no chunked coding to undo).
struct HTTPFetch {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// Fetches `path` (with its query, already percent-encoded) from `port`; reads give up
    /// after `timeout` seconds.
    static func get(port: Int, _ path: String, timeout: Double = 10) throws -> HTTPFetch {
        let connection = try RawConnection(port: port, timeout: timeout)
        try connection.write(Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8))
        let response = try connection.readToEnd()
        guard let headEnd = response.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw IntegrationError("no complete HTTP head from port \(port): \(String(decoding: response.prefix(200), as: UTF8.self))")
        }
        let head = String(decoding: response[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusWords = head[0].split(separator: " ")
        guard statusWords.count >= 2, let status = Int(statusWords[1]) else { throw IntegrationError("bad status line: \(head[0])") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPFetch(status: status, headers: headers, body: Array(response[headEnd.upperBound...]))
    }

    /// A query string value, percent-encoded (PromQL has `{`, `"`, `=` and `+`).
    static func encode(_ value: String) -> String {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}

/// A TCP connection to 127.0.0.1 for raw bytes.
final class RawConnection {
    private(set) var fd: Int32

    init(port: Int, timeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw IntegrationError("socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw IntegrationError("connect to 127.0.0.1:\(port): \(message)")
        }
        var value = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw IntegrationError("send: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Everything until the peer closes.
    func readToEnd() throws -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return result }
            if count < 0 {
                if errno == EINTR { continue }
                throw IntegrationError("recv: \(String(cString: strerror(errno)))")
            }
            result += buffer[0..<count]
        }
    }
}
