import CSystem
import Glibc

/// An IPv4 or IPv6 address with a port, as used by listeners and stream connections.
///
/// `description` follows Redis's `anetFormatAddr`: `ip:port`, or `[ip]:port` for IPv6.
public struct SocketAddress: Hashable, CustomStringConvertible, Sendable {
    /// The numeric IP text (`127.0.0.1`, `::1`).
    public let ip: String
    public let port: Int

    public init(ip: String, port: Int) {
        self.ip = ip
        self.port = port
    }

    public var isIPv6: Bool { ip.contains(":") }

    public var description: String { isIPv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
}

/// Conversions between IP literals and `sockaddr_storage`; internal to the shell.
enum SocketAddressCodec {
    /// Builds a socket address from an IPv4 or IPv6 literal (no name resolution).
    /// Returns nil when `ip` is not a literal.
    static func make(ip: String, port: Int) -> (storage: sockaddr_storage, length: socklen_t, family: Int32)? {
        var storage = sockaddr_storage()
        var v4 = in_addr()
        if inet_pton(AF_INET, ip, &v4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
            address.sin_addr = v4
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: &address) { raw.copyMemory(from: $0) }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size), AF_INET)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, ip, &v6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
            address.sin6_addr = v6
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: &address) { raw.copyMemory(from: $0) }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size), AF_INET6)
        }
        return nil
    }

    /// Formats an IPv4/IPv6 socket address; nil for other families.
    static func decode(_ storage: sockaddr_storage) -> SocketAddress? {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { raw -> SocketAddress? in
                var address = raw.loadUnaligned(as: sockaddr_in.self)
                var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN) + 1)
                guard inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count)) != nil else { return nil }
                return SocketAddress(ip: string(from: text), port: Int(UInt16(bigEndian: address.sin_port)))
            }
        case AF_INET6:
            return withUnsafeBytes(of: &storage) { raw -> SocketAddress? in
                var address = raw.loadUnaligned(as: sockaddr_in6.self)
                var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
                guard inet_ntop(AF_INET6, &address.sin6_addr, &text, socklen_t(text.count)) != nil else { return nil }
                return SocketAddress(ip: string(from: text), port: Int(UInt16(bigEndian: address.sin6_port)))
            }
        default:
            return nil
        }
    }

    private static func string(from text: [CChar]) -> String {
        let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `getsockname` of `fd`, formatted.
    static func local(of fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? decode(storage) : nil
    }

    /// `getpeername` of `fd`, formatted.
    static func remote(of fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        return result == 0 ? decode(storage) : nil
    }
}

/// Small socket option helpers shared by the listener and stream connections.
enum SocketOptions {
    static func setInt(_ fd: Int32, level: Int32, name: Int32, value: Int32) -> Bool {
        var value = value
        return setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    static func setNoDelay(_ fd: Int32) {
        _ = setInt(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
    }

    /// `SO_ERROR`: the pending error of a socket (0 when none), or the getsockopt error itself.
    static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) != 0 { return csystem_errno() }
        return value
    }

    /// A non-blocking, close-on-exec TCP socket of `family`, or the errno.
    static func makeStreamSocket(family: Int32) -> Result<Int32, SystemError> {
        let fd = socket(family, csystem_sock_stream() | csystem_sock_nonblock() | csystem_sock_cloexec(), 0)
        if fd < 0 { return .failure(SystemError("socket", code: csystem_errno())) }
        return .success(fd)
    }
}
