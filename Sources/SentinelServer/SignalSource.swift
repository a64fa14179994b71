import CSystem
import Glibc

/// Delivers signals as ordinary loop events: the signals are blocked with `sigprocmask` and
/// read from a `signalfd` registered on the loop (no async-signal-safety concerns, no globals).
///
/// The mask is per thread and inherited by children: `ProcessSpawner` resets it in the child.
public final class SignalSource {
    /// The signals a sentinel handles: shutdown (TERM, INT), child exit (CHLD), reload (HUP).
    public static let defaultSignals: [Int32] = [SIGTERM, SIGINT, SIGCHLD, SIGHUP]

    private let loop: EpollLoop
    private let fd: Int32
    private var registration: IORegistration?
    private var mask = sigset_t()
    private let handler: (Int32) -> Void

    /// Ignores SIGPIPE process-wide, so writes to closed sockets fail with EPIPE instead.
    public static func ignoreSIGPIPE() {
        _ = csystem_signal_ignore(SIGPIPE)
    }

    /// Blocks `signals`, opens a signalfd for them and calls `handler(signo)` from the loop for
    /// each delivered signal (signals of the same number pending together coalesce into one).
    public init(loop: EpollLoop, signals: [Int32] = SignalSource.defaultSignals, handler: @escaping (Int32) -> Void) throws {
        self.loop = loop
        self.handler = handler
        sigemptyset(&mask)
        for signo in signals { sigaddset(&mask, signo) }
        if sigprocmask(SIG_BLOCK, &mask, nil) != 0 {
            throw SystemError("sigprocmask", code: csystem_errno())
        }
        let fd = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        if fd < 0 { throw SystemError("signalfd", code: csystem_errno()) }
        self.fd = fd
        do {
            registration = try loop.register(fd: fd, events: .readable, handler: IOHandler(onReadable: { [weak self] in
                self?.drain()
            }))
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    deinit {
        if let registration { loop.unregister(registration) }
        Glibc.close(fd)
    }

    /// Stops delivering; the signals stay blocked (they remain pending until a new source or
    /// `unblock` is called).
    public func close() {
        if let registration { loop.unregister(registration) }
        registration = nil
    }

    /// Unblocks the signals this source blocked (for example before exec-ing in place).
    public func unblock() {
        _ = sigprocmask(SIG_UNBLOCK, &mask, nil)
    }

    private func drain() {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        while registration != nil {
            let count = read(fd, &info, size)
            if count != size { return }
            handler(Int32(info.ssi_signo))
        }
    }
}
