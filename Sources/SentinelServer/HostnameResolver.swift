import CSystem
import Dispatch
import Glibc
import Synchronization

/// Resolves hostnames without blocking the event loop (`resolve-hostnames yes`): each lookup
/// runs `getaddrinfo` on a background queue — the one place where a blocking call is
/// unavoidable — and the result comes back to the loop thread through an eventfd.
final class HostnameResolver {
    private let loop: EpollLoop
    private let eventFD: Int32
    private var registration: IORegistration?
    private let finished = Mutex<[(host: String, address: String?)]>([])
    private let queue = DispatchQueue(label: "swift-sentinel.hostname-resolver")
    private var inFlight: Set<String> = []
    private let onResolved: (String, String?) -> Void

    /// `onResolved(host, address)` runs on the loop thread; `address` is nil when the name
    /// does not resolve.
    init(loop: EpollLoop, onResolved: @escaping (String, String?) -> Void) throws {
        self.loop = loop
        self.onResolved = onResolved
        eventFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard eventFD >= 0 else { throw SystemError("eventfd", code: errno) }
        registration = try loop.register(fd: eventFD, events: .readable, handler: IOHandler(onReadable: { [weak self] in
            self?.deliver()
        }))
    }

    deinit {
        if let registration { loop.unregister(registration) }
        close(eventFD)
    }

    /// Starts resolving `host` unless a lookup for it is already running.
    func resolve(_ host: String) {
        guard inFlight.insert(host).inserted else { return }
        let eventFD = self.eventFD
        let finished = UnsafeSendableReference(self)
        queue.async {
            let address = HostnameResolver.lookUp(host)
            finished.value.finished.withLock { $0.append((host, address)) }
            var one: UInt64 = 1
            _ = write(eventFD, &one, 8)
        }
    }

    private func deliver() {
        var counter: UInt64 = 0
        _ = read(eventFD, &counter, 8)
        let results = finished.withLock { results in
            defer { results.removeAll() }
            return results
        }
        for (host, address) in results {
            inFlight.remove(host)
            onResolved(host, address)
        }
    }

    /// The first address of `host` (IPv4 preferred, as Redis's `anetResolve` does).
    static func lookUp(_ host: String) -> String? {
        for family in [AF_INET, AF_INET6] {
            var hints = addrinfo()
            hints.ai_family = family
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { continue }
            defer { freeaddrinfo(result) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            let converted: UnsafePointer<CChar>?
            if family == AF_INET {
                converted = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var raw = address.pointee.sin_addr
                    return inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
                }
            } else {
                converted = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
                }
            }
            if converted != nil {
                return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        return nil
    }
}

/// Carries a reference to the resolver into the background block; only its `Mutex`-guarded
/// result list is touched there.
private struct UnsafeSendableReference: @unchecked Sendable {
    let value: HostnameResolver
    init(_ value: HostnameResolver) { self.value = value }
}
