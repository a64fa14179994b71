import HTTP

/// The metrics port: a minimal HTTP/1.1 server on the event loop (`/metrics`, `/healthz`,
/// `/readyz`). It parses requests and writes responses; what a request is answered with comes
/// from `respond` (the core's `Sentinel.answer(_:at:)`).
///
/// Nothing a client does can block the loop or hold unbounded memory (`Settings`):
/// - at most `maximumConnections` connections; more are answered 503 and closed;
/// - requests are bounded (`HTTPLimits.metricsEndpoint`) and a malformed one is answered with
///   its error and the connection closed;
/// - one response at a time per connection, and one per turn of the loop: while one is still
///   queued (the client reads slowly or not at all), the connection is not read, so pipelined
///   requests wait in the kernel instead of being answered into an ever larger buffer; a
///   pipelining client's next request waits for the loop's next turn, after the other
///   connections' events;
/// - timeouts: `requestTimeoutMilliseconds` from a request's first byte to its end (a client
///   trickling a request), `sendTimeoutMilliseconds` for a queued response to be written (a
///   client that stopped reading), `idleTimeoutMilliseconds` between requests; then the
///   connection is closed.
public final class HTTPServer {
    public struct Settings: Sendable {
        public var maximumConnections = 16
        public var requestTimeoutMilliseconds: Int64 = 10_000
        public var sendTimeoutMilliseconds: Int64 = 30_000
        public var idleTimeoutMilliseconds: Int64 = 120_000
        /// Bytes a connection may have queued: one response, and more than `/metrics` ever is.
        public var outputBufferLimit = 64 * 1024 * 1024

        public init() {}
    }

    /// What a connection turned away gets before it is closed.
    static let busyResponse = HTTPResponse(status: .serviceUnavailable, contentType: HTTPResponse.plainText,
                                           body: Array("too many connections\n".utf8))
        .encoded(includingBody: true, keepingConnectionOpen: false)

    private let loop: EpollLoop
    private let settings: Settings
    private var listener: Listener?
    private var connections: [UInt64: HTTPConnection] = [:]
    private var nextConnectionID: UInt64 = 1
    private let respond: (HTTPRequest) -> HTTPResponse

    /// Listens on `port` at each of `bindAddresses` (spelled as for `Listener`); throws the
    /// listener's `SystemError` when a mandatory address cannot be bound.
    public init(loop: EpollLoop, bindAddresses: [String], port: Int, settings: Settings = Settings(),
                respond: @escaping (HTTPRequest) -> HTTPResponse) throws {
        self.loop = loop
        self.settings = settings
        self.respond = respond
        let listener = try Listener(loop: loop, bindAddresses: bindAddresses, port: port) { [unowned self] socket in
            self.accept(socket)
        }
        listener.refusalMessage = HTTPServer.busyResponse
        self.listener = listener
    }

    /// The addresses actually bound.
    public var boundAddresses: [SocketAddress] { listener?.boundAddresses ?? [] }

    /// Connections open now.
    public var connectionCount: Int { connections.count }

    /// Stops listening and closes every connection.
    public func close() {
        listener?.close()
        listener = nil
        for connection in connections.values { connection.close() }
        connections.removeAll()
    }

    private func accept(_ socket: AcceptedSocket) {
        guard let stream = try? StreamConnection(loop: loop, accepted: socket, outputBufferLimit: settings.outputBufferLimit) else { return }
        guard connections.count < settings.maximumConnections else {
            // The few bytes fit the new socket's buffer: the stream closes on the next loop
            // iteration (its deferred close keeps it alive until then).
            stream.write(HTTPServer.busyResponse)
            stream.closeAfterFlush()
            return
        }
        let id = nextConnectionID
        nextConnectionID += 1
        let connection = HTTPConnection(stream: stream, loop: loop, settings: settings, respond: respond)
        connections[id] = connection
        connection.onClose = { [unowned self] in self.connections[id] = nil }
    }
}

/// One client of the metrics port (see `HTTPServer`).
final class HTTPConnection {
    /// What the connection waits for, and so which timeout applies.
    private enum Phase {
        /// For a request to begin.
        case idle
        /// For the rest of a request whose first bytes arrived.
        case receiving
        /// For a queued response to be written.
        case sending
    }

    let stream: StreamConnection
    private let loop: EpollLoop
    private let settings: HTTPServer.Settings
    private let respond: (HTTPRequest) -> HTTPResponse
    private var parser = HTTPRequestParser(limits: .metricsEndpoint)
    private var phase = Phase.idle
    private var deadline: TimerID?
    /// Set while the next pipelined request waits for the next turn of the loop.
    private var nextRequest: TimerID?
    private var closing = false
    /// Called once when the connection is gone.
    var onClose: (() -> Void)?

    init(stream: StreamConnection, loop: EpollLoop, settings: HTTPServer.Settings, respond: @escaping (HTTPRequest) -> HTTPResponse) {
        self.stream = stream
        self.loop = loop
        self.settings = settings
        self.respond = respond
        stream.onData = { [unowned self] bytes in
            self.parser.append(bytes)
            self.serveRequests()
        }
        stream.onOutputDrained = { [unowned self] in
            self.stream.isReadingPaused = false
            self.enter(.idle, restart: true)
            self.serveRequests()
        }
        stream.onClose = { [unowned self] _ in self.finish() }
        enter(.idle, restart: true)
    }

    /// Answers the next complete request buffered, if any. Then: while its response is still
    /// queued, reading stops until it is written (`onOutputDrained`); when more pipelined
    /// bytes wait, reading stops and the next request is served on the next turn of the loop,
    /// after the other connections' events — a client cannot hold the loop for more than one
    /// response at a time, nor make the buffer grow faster than it is served.
    private func serveRequests() {
        guard !closing, nextRequest == nil, stream.pendingOutputBytes == 0 else { return }
        let request: HTTPRequest?
        do {
            request = try parser.next()
        } catch {
            reply(error.response.encoded(includingBody: true, keepingConnectionOpen: false), thenClose: true)
            return
        }
        if let request {
            reply(respond(request).encoded(for: request), thenClose: !request.keepsConnectionOpen)
            guard !closing else { return }
        }
        if stream.pendingOutputBytes > 0 {
            stream.isReadingPaused = true
            enter(.sending, restart: true)
        } else if request != nil && parser.bufferedByteCount > 0 {
            stream.isReadingPaused = true
            enter(.receiving, restart: true)
            nextRequest = loop.scheduleTimer(afterMilliseconds: 0) { [unowned self] in
                self.nextRequest = nil
                self.stream.isReadingPaused = false
                self.serveRequests()
            }
        } else if parser.bufferedByteCount > 0 {
            // Part of the next request: its timeout runs from its first byte.
            enter(.receiving, restart: request != nil)
        } else {
            enter(.idle, restart: request != nil)
        }
    }

    private func reply(_ bytes: [UInt8], thenClose: Bool) {
        stream.write(bytes)
        if thenClose {
            closing = true
            enter(.sending, restart: true)
            stream.closeAfterFlush()
        }
    }

    /// Starts the timeout of `newPhase`; when the phase does not change, the running timeout
    /// goes on unless `restart` (a request was answered).
    private func enter(_ newPhase: Phase, restart: Bool) {
        if newPhase == phase, deadline != nil, !restart { return }
        phase = newPhase
        if let deadline { loop.cancelTimer(deadline) }
        let timeout: Int64
        switch newPhase {
        case .idle: timeout = settings.idleTimeoutMilliseconds
        case .receiving: timeout = settings.requestTimeoutMilliseconds
        case .sending: timeout = settings.sendTimeoutMilliseconds
        }
        deadline = loop.scheduleTimer(afterMilliseconds: timeout) { [unowned self] in
            self.deadline = nil
            self.close()
            self.finish()
        }
    }

    /// Closes now, dropping what is queued.
    func close() {
        cancelTimers()
        stream.close()
    }

    private func finish() {
        cancelTimers()
        let callback = onClose
        onClose = nil
        callback?()
    }

    private func cancelTimers() {
        if let deadline { loop.cancelTimer(deadline) }
        deadline = nil
        if let nextRequest { loop.cancelTimer(nextRequest) }
        nextRequest = nil
    }
}
