import CSystem
import Glibc

/// A socket accepted by a `Listener`: non-blocking, close-on-exec, `TCP_NODELAY`. The receiver
/// owns `fd` (wrap it in a `StreamConnection` or close it).
public struct AcceptedSocket {
    public let fd: Int32
    /// The peer, `ip:port` / `[ip]:port` (Redis's `anetFormatAddr`).
    public let remoteAddress: SocketAddress
    /// Our side of the connection.
    public let localAddress: SocketAddress
}

/// TCP listening sockets on a list of bind addresses, accepting on the loop.
///
/// Bind addresses follow Redis's `bind` directive: IPv4/IPv6 literals, `*` (0.0.0.0), `::*`
/// (::), and a leading `-` marking an address as optional (skipped if unavailable). An empty
/// list means Redis's default `* -::*`.
public final class Listener {
    private struct Socket {
        let fd: Int32
        let registration: IORegistration
        let address: SocketAddress
    }

    /// Redis's listen backlog (`tcp-backlog` default).
    public static let defaultBacklog: Int32 = 511

    private let loop: EpollLoop
    private var sockets: [Socket] = []
    private let onAccept: (AcceptedSocket) -> Void
    /// Called when `accept4` fails with something else than EAGAIN/EINTR/ECONNABORTED
    /// (e.g. EMFILE), with Redis's wording "Accepting client connection: <strerror>".
    public var onAcceptError: ((String) -> Void)?

    /// Binds and listens on every address; throws `SystemError` with Redis's message
    /// ("Could not create server TCP listening socket 127.0.0.1:26379: Address already in use")
    /// for the first mandatory address that fails, closing any socket already opened.
    public init(loop: EpollLoop, bindAddresses: [String], port: Int, backlog: Int32 = Listener.defaultBacklog,
                onAccept: @escaping (AcceptedSocket) -> Void) throws {
        self.loop = loop
        self.onAccept = onAccept
        let addresses = bindAddresses.isEmpty ? ["*", "-::*"] : bindAddresses
        do {
            for spec in addresses {
                var text = spec
                var optional = false
                if text.hasPrefix("-") {
                    optional = true
                    text.removeFirst()
                }
                let ip = text == "*" ? "0.0.0.0" : (text == "::*" ? "::" : text)
                switch openSocket(ip: ip, port: port, backlog: backlog) {
                case .success(let socket):
                    sockets.append(socket)
                case .failure(let error):
                    if optional && Self.isUnavailable(error.code) { continue }
                    throw SystemError(message: "Could not create server TCP listening socket \(text):\(port): \(error.message)",
                                      code: error.code)
                }
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// The addresses actually bound (with the real port when `port` was 0).
    public var boundAddresses: [SocketAddress] { sockets.map(\.address) }

    /// Stops listening and closes the sockets.
    public func close() {
        for socket in sockets {
            loop.unregister(socket.registration)
            Glibc.close(socket.fd)
        }
        sockets.removeAll()
    }

    /// Errors for which Redis skips an optional (`-`) bind address.
    private static func isUnavailable(_ code: Int32) -> Bool {
        [ENOPROTOOPT, EPROTONOSUPPORT, ESOCKTNOSUPPORT, EPFNOSUPPORT, EAFNOSUPPORT, EADDRNOTAVAIL].contains(code)
    }

    /// On failure the error's message is just `strerror` (or "Invalid bind address").
    private func openSocket(ip: String, port: Int, backlog: Int32) -> Result<Socket, SystemError> {
        guard var address = SocketAddressCodec.make(ip: ip, port: port) else {
            return .failure(SystemError(message: "Invalid bind address", code: EINVAL))
        }
        let fd: Int32
        switch SocketOptions.makeStreamSocket(family: address.family) {
        case .success(let value): fd = value
        case .failure(let error): return .failure(SystemError(message: SystemError.describe(error.code), code: error.code))
        }
        func fail() -> Result<Socket, SystemError> {
            let code = csystem_errno()
            Glibc.close(fd)
            return .failure(SystemError(message: SystemError.describe(code), code: code))
        }
        guard SocketOptions.setInt(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1) else { return fail() }
        if address.family == AF_INET6 {
            // Like Redis: an IPv6 socket serves IPv6 only; `*` covers IPv4.
            guard SocketOptions.setInt(fd, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 1) else { return fail() }
        }
        let bound = withUnsafeMutablePointer(to: &address.storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else { return fail() }
        let local = SocketAddressCodec.local(of: fd) ?? SocketAddress(ip: ip, port: port)
        let registration: IORegistration
        do {
            registration = try loop.register(fd: fd, events: .readable, handler: IOHandler())
        } catch let error as SystemError {
            Glibc.close(fd)
            return .failure(SystemError(message: SystemError.describe(error.code), code: error.code))
        } catch {
            Glibc.close(fd)
            return .failure(SystemError(message: "\(error)", code: 0))
        }
        loop.setHandler(registration, IOHandler(onReadable: { [weak self] in self?.acceptAll(fd: fd, registration: registration) }))
        return .success(Socket(fd: fd, registration: registration, address: local))
    }

    /// Accepts until EAGAIN (or until a callback closed the listener).
    private func acceptAll(fd: Int32, registration: IORegistration) {
        while sockets.contains(where: { $0.registration == registration }) {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    csystem_accept4(fd, $0, &length, csystem_sock_nonblock() | csystem_sock_cloexec())
                }
            }
            if client < 0 {
                let code = csystem_errno()
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return }
                onAcceptError?("Accepting client connection: \(SystemError.describe(code))")
                return
            }
            SocketOptions.setNoDelay(client)
            let remote = SocketAddressCodec.decode(storage) ?? SocketAddress(ip: "?", port: 0)
            let local = SocketAddressCodec.local(of: client) ?? SocketAddress(ip: "?", port: 0)
            onAccept(AcceptedSocket(fd: client, remoteAddress: remote, localAddress: local))
        }
    }
}
