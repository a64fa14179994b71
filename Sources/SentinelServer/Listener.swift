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
///
/// Out of descriptors (EMFILE, ENFILE) or memory, a pending connection would stay pending and
/// the level-triggered socket readable, so a plain accept loop spins: instead the listener
/// closes a descriptor it keeps in reserve, accepts the connection with it, writes
/// `refusalMessage`, closes it and takes the reserve back, until no connection is pending.
/// When even that fails, it stops watching its sockets for `pauseMilliseconds`. Accept errors
/// are reported at most once per `errorReportIntervalMilliseconds`, with the count of those
/// not reported.
public final class Listener {
    private struct Socket {
        let fd: Int32
        let registration: IORegistration
        let address: SocketAddress
    }

    /// Redis's listen backlog (`tcp-backlog` default).
    public static let defaultBacklog: Int32 = 511

    /// How long accepting stops when a connection can be neither accepted nor turned away.
    public static let pauseMilliseconds: Int64 = 100
    /// The shortest time between two reports of accept errors.
    public static let errorReportIntervalMilliseconds: Int64 = 10_000

    private let loop: EpollLoop
    private var sockets: [Socket] = []
    private let onAccept: (AcceptedSocket) -> Void
    /// Called when `accept4` fails with something else than EAGAIN, EINTR or an error of one
    /// connection, with Redis's line "Accepting client connection: accept: <strerror>", at
    /// most once per `errorReportIntervalMilliseconds` (then with the number of errors not
    /// reported).
    public var onAcceptError: ((String) -> Void)?
    /// Written to a connection turned away for lack of descriptors, before it is closed.
    public var refusalMessage: [UInt8] = []
    /// Called after a connection was turned away for lack of descriptors.
    public var onRefused: (() -> Void)?
    /// A descriptor on /dev/null held to be given up for accepting a connection when none is
    /// left (-1 when it could not be opened or taken back).
    private var reserveDescriptor: Int32 = -1
    private let keepsReserveDescriptor: Bool
    /// Set while accepting is stopped.
    private var resumeTimer: TimerID?
    private var lastErrorReport: Int64?
    private var unreportedErrors = 0

    /// Binds and listens on every address; throws `SystemError` with Redis's message
    /// ("Could not create server TCP listening socket 127.0.0.1:26379: Address already in use")
    /// for the first mandatory address that fails, closing any socket already opened.
    ///
    /// `keepsReserveDescriptor: false` leaves only the pause when descriptors run out (tests).
    public init(loop: EpollLoop, bindAddresses: [String], port: Int, backlog: Int32 = Listener.defaultBacklog,
                keepsReserveDescriptor: Bool = true, onAccept: @escaping (AcceptedSocket) -> Void) throws {
        self.loop = loop
        self.onAccept = onAccept
        self.keepsReserveDescriptor = keepsReserveDescriptor
        takeReserveDescriptor()
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
        if let resumeTimer { loop.cancelTimer(resumeTimer) }
        resumeTimer = nil
        if reserveDescriptor >= 0 { Glibc.close(reserveDescriptor) }
        reserveDescriptor = -1
    }

    /// Whether accepting is stopped for lack of descriptors (or memory).
    public var isPaused: Bool { resumeTimer != nil }

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
        while resumeTimer == nil && sockets.contains(where: { $0.registration == registration }) {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    csystem_accept4(fd, $0, &length, csystem_sock_nonblock() | csystem_sock_cloexec())
                }
            }
            if client < 0 {
                let code = csystem_errno()
                if code == EAGAIN || code == EWOULDBLOCK { return }
                if Self.isErrorOfOneConnection(code) { continue }
                if Self.isLackOfResources(code) {
                    // Linux reports a lack of descriptors before looking for a connection.
                    switch refuseOneConnection(listenerFD: fd, error: code) {
                    case .refused: continue
                    case .nonePending: return
                    case .impossible: break
                    }
                }
                reportAcceptError(code)
                pause()
                return
            }
            SocketOptions.setNoDelay(client)
            let remote = SocketAddressCodec.decode(storage) ?? SocketAddress(ip: "?", port: 0)
            let local = SocketAddressCodec.local(of: client) ?? SocketAddress(ip: "?", port: 0)
            onAccept(AcceptedSocket(fd: client, remoteAddress: remote, localAddress: local))
        }
    }

    /// Errors that concern only the connection being accepted (it is dropped; the next one may
    /// be fine): interrupted, aborted, refused by a firewall rule, and the network errors that
    /// Linux passes on from the new socket (accept(2)).
    private static func isErrorOfOneConnection(_ code: Int32) -> Bool {
        [EINTR, ECONNABORTED, EPERM, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP,
         ENETUNREACH].contains(code)
    }

    /// Out of descriptors (process or system) or of kernel memory.
    private static func isLackOfResources(_ code: Int32) -> Bool {
        [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(code)
    }

    private enum Refusal { case refused, nonePending, impossible }

    /// Gives up the reserve descriptor to accept one pending connection, writes
    /// `refusalMessage` to it, closes it, reports `error` and takes the reserve back.
    private func refuseOneConnection(listenerFD: Int32, error: Int32) -> Refusal {
        guard reserveDescriptor >= 0 else { return .impossible }
        Glibc.close(reserveDescriptor)
        reserveDescriptor = -1
        let client = csystem_accept4(listenerFD, nil, nil, csystem_sock_nonblock() | csystem_sock_cloexec())
        let acceptError = client < 0 ? csystem_errno() : 0
        if client >= 0 {
            // Best effort, like Redis's own refusal: a new socket's send buffer takes it.
            _ = refusalMessage.withUnsafeBytes { send(client, $0.baseAddress, $0.count, csystem_msg_nosignal()) }
            Glibc.close(client)
            // Reported while a descriptor is free: a log file is opened for each line.
            reportAcceptError(error)
        }
        takeReserveDescriptor()
        if client >= 0 {
            onRefused?()
            return .refused
        }
        return acceptError == EAGAIN || acceptError == EWOULDBLOCK ? .nonePending : .impossible
    }

    private func takeReserveDescriptor() {
        guard keepsReserveDescriptor, reserveDescriptor < 0 else { return }
        reserveDescriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    /// Stops watching the sockets for `pauseMilliseconds`; the connections wait in the backlog.
    private func pause() {
        guard resumeTimer == nil else { return }
        for socket in sockets { try? loop.modify(socket.registration, events: []) }
        resumeTimer = loop.scheduleTimer(afterMilliseconds: Self.pauseMilliseconds) { [weak self] in
            guard let self else { return }
            self.resumeTimer = nil
            self.takeReserveDescriptor()
            for socket in self.sockets { try? self.loop.modify(socket.registration, events: .readable) }
        }
    }

    /// Reports an accept error unless one was reported less than the interval ago.
    private func reportAcceptError(_ code: Int32) {
        let now = MonotonicClock.now()
        if let lastErrorReport, now - lastErrorReport < Self.errorReportIntervalMilliseconds {
            unreportedErrors += 1
            return
        }
        var text = "Accepting client connection: accept: \(SystemError.describe(code))"
        if unreportedErrors > 0 { text += " (and \(unreportedErrors) accept errors not reported since the last report)" }
        lastErrorReport = now
        unreportedErrors = 0
        onAcceptError?(text)
    }
}
