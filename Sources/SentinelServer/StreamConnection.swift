import CSystem
import Glibc

/// A non-blocking TCP stream on an `EpollLoop`, for accepted clients and outgoing links alike,
/// in plain text or TLS.
///
/// - Reads everything available when readable and hands each chunk to `onData` (the buffer is
///   the loop's shared scratch buffer, valid only during the call).
/// - With TLS, the stream stays `.connecting` until the handshake is done (`onConnect` then,
///   for accepted streams too); what OpenSSL asks to wait for (the socket readable or
///   writable, in either direction) is what the stream waits for, and bytes OpenSSL has
///   already decrypted are read on the next loop iteration without waiting for the socket.
/// - `write` tries to write at once; whatever the kernel does not take is queued and written
///   on `EPOLLOUT` until drained. If more than `outputBufferLimit` bytes (0 = unlimited) are
///   queued, the connection closes (like Redis's client-output-buffer-limit).
/// - `onClose` is called once, always from the loop (never from inside `write`, `connect` or
///   `closeAfterFlush`), for every close except an explicit `close()`. After a close all
///   callbacks are released.
public final class StreamConnection {
    public enum State: Equatable, Sendable {
        /// Connecting, or (with TLS) in the handshake.
        case connecting
        case connected
        case closed
    }

    public private(set) var state: State
    /// The socket, or -1 once closed (or if the socket could not be created).
    public private(set) var fd: Int32
    /// Maximum bytes queued for output before the connection is closed; 0 = unlimited.
    public var outputBufferLimit: Int

    /// An outgoing connection completed; writes queued before it are being flushed.
    public var onConnect: (() -> Void)?
    /// Bytes arrived. The pointer is only valid during the call.
    public var onData: ((UnsafeRawBufferPointer) -> Void)?
    /// The connection closed (see the type's documentation for when this is called).
    public var onClose: ((StreamCloseReason) -> Void)?
    /// Output that had to be queued is now all written (called from the loop, not from
    /// `write`; not after `closeAfterFlush`).
    public var onOutputDrained: (() -> Void)?

    private let loop: EpollLoop
    private var registration: IORegistration?
    private var output: [UInt8] = []
    private var outputStart = 0
    private var closeRequested = false
    private var readingPaused = false
    private var connectTimer: TimerID?
    private var deferredClose: TimerID?
    private var cachedRemote: SocketAddress?
    /// TLS on this stream: the context until the handshake starts, then the session.
    private var tlsContext: TLSContext?
    private var tlsRole: TLSSession.Role = .client
    private var tls: TLSSession?
    /// While connecting: the TCP connection is up and the TLS handshake runs.
    private var handshaking = false
    /// What the handshake, a read and a write wait for (TLS may swap readable and writable).
    private var handshakeWaitsFor: IOEvents = .readable
    private var readWaitsFor: IOEvents = .readable
    private var writeWaitsFor: IOEvents = .writable
    /// Set while a read of bytes OpenSSL already holds is scheduled for the next iteration.
    private var bufferedInputRead: TimerID?

    /// Reads per readable event before yielding to other fds (level-triggered: the rest
    /// is read on the next iteration).
    private static let maxReadsPerEvent = 16

    private init(loop: EpollLoop, fd: Int32, state: State, outputBufferLimit: Int) {
        self.loop = loop
        self.fd = fd
        self.state = state
        self.outputBufferLimit = outputBufferLimit
    }

    /// Wraps an accepted socket (already non-blocking and close-on-exec) and starts reading.
    public convenience init(loop: EpollLoop, accepted: AcceptedSocket, outputBufferLimit: Int = 0) throws {
        try self.init(loop: loop, connectedFD: accepted.fd, outputBufferLimit: outputBufferLimit)
        cachedRemote = accepted.remoteAddress
    }

    /// Wraps an accepted socket and starts the server side of a TLS handshake from `tls`;
    /// `onConnect` is called when it completes, `onClose(.tlsHandshakeFailed)` when it fails.
    /// On failure the fd is closed.
    public convenience init(loop: EpollLoop, accepted: AcceptedSocket, tls context: TLSContext, outputBufferLimit: Int = 0) throws {
        self.init(loop: loop, fd: accepted.fd, state: .connecting, outputBufferLimit: outputBufferLimit)
        cachedRemote = accepted.remoteAddress
        tlsContext = context
        tlsRole = .server
        do {
            registration = try loop.register(fd: accepted.fd, events: .readable, handler: makeHandler())
        } catch {
            Glibc.close(accepted.fd)
            self.fd = -1
            self.state = .closed
            throw error
        }
        // The handshake starts from the loop (the ClientHello makes the socket readable), never
        // here: a fast client could complete it and send its first command before the owner has
        // set `onData`.
        startHandshake(stepNow: false)
    }

    /// Adopts a connected, non-blocking stream socket and starts reading. On failure the fd is
    /// closed.
    public convenience init(loop: EpollLoop, connectedFD: Int32, outputBufferLimit: Int = 0) throws {
        self.init(loop: loop, fd: connectedFD, state: .connected, outputBufferLimit: outputBufferLimit)
        do {
            registration = try loop.register(fd: connectedFD, events: .readable, handler: makeHandler())
        } catch {
            Glibc.close(connectedFD)
            self.fd = -1
            self.state = .closed
            throw error
        }
    }

    /// Starts a non-blocking connection to `host` (an IPv4 or IPv6 literal) and `port`,
    /// optionally binding the local side to `sourceAddress` first. Never throws: every
    /// failure, immediate or not, arrives as `onClose(.connectFailed(_))` or
    /// `onClose(.connectTimedOut)` from the loop, so set the callbacks right after this call.
    /// Writes made while connecting are queued and sent once connected.
    ///
    /// With `tls`, the client side of a TLS handshake follows the TCP connection (within the
    /// same timeout), presenting the client certificate and verifying the server's against the
    /// CA; `onConnect` is called once it completes.
    public static func connect(loop: EpollLoop, host: String, port: Int, sourceAddress: String? = nil,
                               timeoutMilliseconds: Int64? = nil, outputBufferLimit: Int = 0,
                               tls: TLSContext? = nil) -> StreamConnection {
        let connection = StreamConnection(loop: loop, fd: -1, state: .connecting, outputBufferLimit: outputBufferLimit)
        connection.tlsContext = tls
        connection.startConnect(host: host, port: port, sourceAddress: sourceAddress, timeoutMilliseconds: timeoutMilliseconds)
        return connection
    }

    deinit {
        if let connectTimer { loop.cancelTimer(connectTimer) }
        if let bufferedInputRead { loop.cancelTimer(bufferedInputRead) }
        if let registration { loop.unregister(registration) }
        if fd >= 0 { Glibc.close(fd) }
    }

    // MARK: - Addresses

    /// Our side of the socket (`getsockname`), e.g. to announce the IP a link leaves from.
    public var localAddress: SocketAddress? {
        fd >= 0 ? SocketAddressCodec.local(of: fd) : nil
    }

    /// The IP of our side of the socket.
    public var localIP: String? { localAddress?.ip }

    /// The peer (`getpeername`, or the address recorded at accept).
    public var remoteAddress: SocketAddress? {
        if let cachedRemote { return cachedRemote }
        guard fd >= 0, state == .connected else { return nil }
        cachedRemote = SocketAddressCodec.remote(of: fd)
        return cachedRemote
    }

    /// Bytes queued and not yet written.
    public var pendingOutputBytes: Int { output.count - outputStart }

    /// Enables TCP keepalive like Redis's `anetKeepAlive` (idle `interval` s, probes every
    /// interval/3 s, 3 probes).
    public func setKeepAlive(intervalSeconds: Int32) {
        guard fd >= 0, intervalSeconds > 0 else { return }
        _ = SocketOptions.setInt(fd, level: SOL_SOCKET, name: SO_KEEPALIVE, value: 1)
        _ = SocketOptions.setInt(fd, level: Int32(IPPROTO_TCP), name: TCP_KEEPIDLE, value: intervalSeconds)
        _ = SocketOptions.setInt(fd, level: Int32(IPPROTO_TCP), name: TCP_KEEPINTVL, value: max(1, intervalSeconds / 3))
        _ = SocketOptions.setInt(fd, level: Int32(IPPROTO_TCP), name: TCP_KEEPCNT, value: 3)
    }

    /// Whether the stream is encrypted.
    public var usesTLS: Bool { tlsContext != nil }

    /// The subject of the certificate the TLS peer presented (`/O=…/CN=…`), once connected.
    public var peerCertificateSubject: String? { tls?.peerCertificateSubject }

    /// Stops (true) or resumes (false) reading; data stays in the kernel (or in OpenSSL)
    /// meanwhile.
    public var isReadingPaused: Bool {
        get { readingPaused }
        set {
            readingPaused = newValue
            updateInterest()
            if !newValue { readBufferedInputSoon() }
        }
    }

    // MARK: - Writing

    /// Queues `bytes`, writing as much as possible right away. Ignored once closed or after
    /// `closeAfterFlush()`.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard state != .closed, !closeRequested, bytes.count > 0 else { return }
        var offset = 0
        if state == .connected && pendingOutputBytes == 0 {
            writing: while offset < bytes.count {
                switch transportWrite(UnsafeRawBufferPointer(rebasing: bytes[offset...])) {
                case .transferred(let count):
                    offset += count
                case .wouldBlock(let events):
                    writeWaitsFor = events
                    break writing
                case .endOfStream:
                    closeDeferred(.peerClosed)
                    return
                case .failed(let text):
                    closeDeferred(.error(text))
                    return
                }
            }
            if offset == bytes.count { return }
        }
        if outputStart > 0 && outputStart >= output.count / 2 {
            output.removeFirst(outputStart)
            outputStart = 0
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        if outputBufferLimit > 0 && pendingOutputBytes > outputBufferLimit {
            closeDeferred(.outputBufferLimitReached(outputBufferLimit))
            return
        }
        updateInterest()
    }

    /// Queues `bytes` (see `write(_: UnsafeRawBufferPointer)`).
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Queues `bytes` (see `write(_: UnsafeRawBufferPointer)`).
    public func write(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Stops reading, writes everything queued, then closes with `.flushedAndClosed`
    /// (like Redis's CLIENT_CLOSE_AFTER_REPLY). Later writes are ignored.
    public func closeAfterFlush() {
        guard state != .closed, !closeRequested else { return }
        closeRequested = true
        if state == .connected && pendingOutputBytes == 0 {
            closeDeferred(.flushedAndClosed)
        } else {
            updateInterest()
        }
    }

    /// Closes now, dropping queued output (a TLS stream sends close_notify if the socket takes
    /// it at once). `onClose` is not called.
    public func close() {
        if state == .connected { tls?.shutdown() }
        if let deferredClose {
            loop.cancelTimer(deferredClose)
            self.deferredClose = nil
        }
        teardown()
        releaseCallbacks()
    }

    // MARK: - Internals

    private func makeHandler() -> IOHandler {
        IOHandler(onReadable: { [weak self] in self?.handleReadable() },
                  onWritable: { [weak self] in self?.handleWritable() },
                  onErrorOrHangup: { [weak self] in self?.handleErrorOrHangup() })
    }

    private func startConnect(host: String, port: Int, sourceAddress: String?, timeoutMilliseconds: Int64?) {
        guard var address = SocketAddressCodec.make(ip: host, port: port) else {
            closeDeferred(.connectFailed("Invalid IP address \(host)"))
            return
        }
        switch SocketOptions.makeStreamSocket(family: address.family) {
        case .success(let value): fd = value
        case .failure(let error):
            closeDeferred(.connectFailed(SystemError.describe(error.code)))
            return
        }
        if let sourceAddress {
            guard var source = SocketAddressCodec.make(ip: sourceAddress, port: 0), source.family == address.family else {
                closeDeferred(.connectFailed("Invalid source address \(sourceAddress)"))
                return
            }
            let bound = withUnsafeMutablePointer(to: &source.storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, source.length) }
            }
            if bound != 0 {
                closeDeferred(.connectFailed(SystemError.describe(csystem_errno())))
                return
            }
        }
        let result = withUnsafeMutablePointer(to: &address.storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, address.length) }
        }
        if result != 0 {
            let code = csystem_errno()
            if code != EINPROGRESS {
                closeDeferred(.connectFailed(SystemError.describe(code)))
                return
            }
        }
        // Completion (or an immediate success) is reported as writability.
        do {
            registration = try loop.register(fd: fd, events: .writable, handler: makeHandler())
        } catch let error as SystemError {
            closeDeferred(.connectFailed(error.message))
            return
        } catch {
            closeDeferred(.connectFailed("\(error)"))
            return
        }
        if let timeoutMilliseconds {
            connectTimer = loop.scheduleTimer(afterMilliseconds: timeoutMilliseconds) { [weak self] in
                guard let self else { return }
                self.connectTimer = nil
                if self.state == .connecting { self.closeNow(.connectTimedOut) }
            }
        }
    }

    private func completeConnect() {
        let code = SocketOptions.pendingError(fd)
        if code != 0 {
            closeNow(.connectFailed(SystemError.describe(code)))
            return
        }
        SocketOptions.setNoDelay(fd)
        if tlsContext != nil {
            startHandshake()
            return
        }
        becomeConnected()
    }

    /// The stream is up (TCP connected, and the TLS handshake done): report it and send what
    /// was queued meanwhile.
    private func becomeConnected() {
        if let connectTimer {
            loop.cancelTimer(connectTimer)
            self.connectTimer = nil
        }
        state = .connected
        updateInterest()
        onConnect?()
        guard state == .connected else { return }
        if pendingOutputBytes > 0 {
            flush()
        } else if closeRequested {
            closeNow(.flushedAndClosed)
            return
        }
        // The peer may have sent right after its last handshake message.
        if tls != nil && state == .connected { readAvailable() }
    }

    /// Creates the session; `stepNow` runs the first step at once (loop context only).
    private func startHandshake(stepNow: Bool = true) {
        guard let tlsContext, let session = TLSSession(context: tlsContext, fd: fd, role: tlsRole) else {
            closeDeferred(.tlsHandshakeFailed("Failed to create the TLS session: \(OpenSSLLibrary.takeError())"))
            return
        }
        tls = session
        handshaking = true
        handshakeWaitsFor = .readable
        if stepNow { continueHandshake() } else { updateInterest() }
    }

    /// One handshake step (loop context, or right after the connection started).
    private func continueHandshake() {
        guard let tls else { return }
        switch tls.handshake() {
        case .transferred:
            handshaking = false
            becomeConnected()
        case .wouldBlock(let events):
            handshakeWaitsFor = events
            updateInterest()
        case .endOfStream:
            closeDeferred(.tlsHandshakeFailed("Connection closed by peer"))
        case .failed(let text):
            closeDeferred(.tlsHandshakeFailed(text))
        }
    }

    private func handleReadable() {
        switch state {
        case .connecting:
            if handshaking { continueHandshake() } else { completeConnect() }
        case .connected:
            if writeWaitsFor == .readable && pendingOutputBytes > 0 { flush() }
            if state == .connected && readWaitsFor == .readable { readAvailable() }
        case .closed:
            return
        }
    }

    /// Reads until nothing is left (or `maxReadsPerEvent` reads), handing each chunk to
    /// `onData`; stops early when the owner pauses reading or closes.
    private func readAvailable() {
        guard state == .connected, !readingPaused, !closeRequested else { return }
        let buffer = loop.readBuffer
        for _ in 0..<Self.maxReadsPerEvent {
            switch transportRead(into: buffer) {
            case .transferred(let count):
                readWaitsFor = .readable
                onData?(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                if state != .connected || readingPaused || closeRequested { return }
                // A short read emptied the socket, unless OpenSSL holds more decrypted bytes.
                if count < buffer.count && tls?.hasBufferedInput != true { return }
            case .wouldBlock(let events):
                if readWaitsFor != events {
                    readWaitsFor = events
                    updateInterest()
                }
                return
            case .endOfStream:
                closeNow(.peerClosed)
                return
            case .failed(let text):
                closeNow(.error(text))
                return
            }
        }
        // Level-triggered epoll reports what is left in the socket, but not what OpenSSL holds.
        readBufferedInputSoon()
    }

    /// Reads on the next loop iteration what OpenSSL has already decrypted, if anything: the
    /// socket may never become readable again for those bytes.
    private func readBufferedInputSoon() {
        guard bufferedInputRead == nil, state == .connected, tls?.hasBufferedInput == true else { return }
        bufferedInputRead = loop.scheduleTimer(afterMilliseconds: 0) { [weak self] in
            guard let self else { return }
            self.bufferedInputRead = nil
            self.readAvailable()
        }
    }

    private func transportRead(into buffer: UnsafeMutableRawBufferPointer) -> TransportOutcome {
        if let tls { return tls.read(into: buffer) }
        return PlainSocket.read(fd, into: buffer)
    }

    private func transportWrite(_ bytes: UnsafeRawBufferPointer) -> TransportOutcome {
        if let tls { return tls.write(bytes) }
        return PlainSocket.write(fd, bytes)
    }

    /// EPOLLERR/EPOLLHUP are reported even for a registration waiting for nothing (reading
    /// paused, or only flushing): resolve them here so a dead socket cannot spin the loop.
    private func handleErrorOrHangup() {
        switch state {
        case .connecting:
            if handshaking { continueHandshake() } else { completeConnect() }
        case .connected:
            if !readingPaused && !closeRequested {
                readAvailable()    // drains what is left, then sees EOF or the error
            } else if pendingOutputBytes > 0 {
                flush()            // the write reports the error
            } else {
                let code = SocketOptions.pendingError(fd)
                closeNow(code == 0 ? .peerClosed : .error(SystemError.describe(code)))
            }
        case .closed:
            return
        }
    }

    private func handleWritable() {
        switch state {
        case .connecting:
            if handshaking { continueHandshake() } else { completeConnect() }
        case .connected:
            if readWaitsFor == .writable { readAvailable() }
            if state == .connected && writeWaitsFor == .writable && pendingOutputBytes > 0 { flush() }
        case .closed:
            return
        }
    }

    /// Writes queued output until EAGAIN or drained (loop context: may call `onClose`).
    private func flush() {
        while pendingOutputBytes > 0 {
            let outcome = output.withUnsafeBytes { raw in
                transportWrite(UnsafeRawBufferPointer(rebasing: raw[outputStart...]))
            }
            switch outcome {
            case .transferred(let count):
                writeWaitsFor = .writable
                outputStart += count
            case .wouldBlock(let events):
                writeWaitsFor = events
                updateInterest()
                return
            case .endOfStream:
                closeNow(.peerClosed)
                return
            case .failed(let text):
                closeNow(.error(text))
                return
            }
        }
        writeWaitsFor = .writable
        // Drained: give the memory back rather than keeping a multi-megabyte buffer.
        output = []
        outputStart = 0
        if closeRequested {
            closeNow(.flushedAndClosed)
        } else {
            updateInterest()
            onOutputDrained?()
        }
    }

    private func updateInterest() {
        guard let registration, state != .closed else { return }
        var events: IOEvents = []
        switch state {
        case .connecting:
            events = handshaking ? handshakeWaitsFor : .writable
        case .connected:
            if !readingPaused && !closeRequested { events.formUnion(readWaitsFor) }
            if pendingOutputBytes > 0 { events.formUnion(writeWaitsFor) }
        case .closed:
            return
        }
        do {
            try loop.modify(registration, events: events)
        } catch {
            closeDeferred(.error("\(error)"))
        }
    }

    private func teardown() {
        if let connectTimer {
            loop.cancelTimer(connectTimer)
            self.connectTimer = nil
        }
        if let bufferedInputRead {
            loop.cancelTimer(bufferedInputRead)
            self.bufferedInputRead = nil
        }
        // The session does not own the descriptor: it goes first, then the socket.
        tls = nil
        handshaking = false
        if let registration {
            loop.unregister(registration)
            self.registration = nil
        }
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
        state = .closed
        output = []
        outputStart = 0
    }

    private func releaseCallbacks() {
        onConnect = nil
        onData = nil
        onClose = nil
        onOutputDrained = nil
    }

    /// Closes and reports now (only from loop callbacks).
    private func closeNow(_ reason: StreamCloseReason) {
        guard state != .closed else { return }
        if reason == .flushedAndClosed { tls?.shutdown() }
        teardown()
        let callback = onClose
        releaseCallbacks()
        callback?(reason)
    }

    /// Closes now and reports on the next loop iteration (from calls made by the owner).
    private func closeDeferred(_ reason: StreamCloseReason) {
        guard state != .closed else { return }
        if reason == .flushedAndClosed { tls?.shutdown() }
        teardown()
        deferredClose = loop.scheduleTimer(afterMilliseconds: 0) { [self] in
            deferredClose = nil
            let callback = onClose
            releaseCallbacks()
            callback?(reason)
        }
    }
}
