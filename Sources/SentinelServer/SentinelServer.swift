import CSystem
import Glibc
import HTTP
import RESP
import SentinelCore

/// The shell around `Sentinel`: it owns the sockets, the timer, the configuration file and
/// the child processes, turns what happens into `SentinelInput`s, and carries out the core's
/// effects as `TurnExecutor` orders them (it is the executor's `SentinelIO`). It makes no
/// Sentinel decision of its own.
///
/// A turn is what one wake-up of the loop brings: every command of one read, every reply of
/// one read, a tick. The inputs of a turn are handed to the core one by one; then the turn is
/// carried out — the configuration written once, then the messages, then the starts — and the
/// replies and link commands collected meanwhile are written with one call per connection.
public final class SentinelServer: SentinelIO {
    /// Bytes a client may have waiting to be written before it is disconnected.
    static let clientOutputBufferLimit = 64 * 1024 * 1024
    /// Bytes an outgoing link may have waiting before it is closed.
    static let linkOutputBufferLimit = 16 * 1024 * 1024
    /// How long a connection attempt to an instance may take.
    static let connectTimeoutMilliseconds: Int64 = 2000

    private var core: Sentinel
    private let loop: EpollLoop
    private let logger: Logger
    private let configurationFilePath: String
    private var listeners: [Listener] = []
    /// The metrics port (`metrics-port`), when configured.
    private var metricsServer: HTTPServer?
    private var signals: SignalSource?
    private var resolver: HostnameResolver?
    private let spawner = ProcessSpawner()

    /// A connection whose output is collected during a turn and written with one call.
    private protocol CollectedOutput: AnyObject {
        var stream: StreamConnection { get }
        var pendingOutput: [UInt8] { get set }
    }

    private final class ClientConnection: CollectedOutput {
        let stream: StreamConnection
        var parser = RESPRequestParser()
        /// Replies produced while handling one read, written with a single call afterwards.
        var pendingOutput: [UInt8] = []
        var closing = false
        init(stream: StreamConnection) { self.stream = stream }
    }

    private final class LinkConnection: CollectedOutput {
        let stream: StreamConnection
        var parser = RESPReplyParser(limits: .instanceReplies)
        /// Commands produced while handling one input, written with a single call afterwards
        /// (a tick often sends a PING, an INFO and a hello to the same instance).
        var pendingOutput: [UInt8] = []
        init(stream: StreamConnection) { self.stream = stream }
    }

    private var clients = ClientTable<ClientConnection>()
    private var dirtyClients: [ClientID] = []
    private var dirtyLinks: [ConnectionID] = []
    private var links: [ConnectionID: LinkConnection] = [:]
    private var scripts: [pid_t: ScriptID] = [:]
    private var runningScripts: [ScriptID: pid_t] = [:]
    private var nextClientID: UInt64 = 1
    /// What the inputs of the current turn asked for, carried out by `finishTurn`.
    private var turn = Turn()
    private var exitCode: Int32?
    private var tickTimer: TimerID?
    /// The TLS context for the TLS port and, with `linksUseTLS`, for the links.
    private var tlsCertificates: TLSCertificates?
    private var linksUseTLS = false
    /// Failed TLS handshakes on the TLS port: one log line per 10 s at most.
    private var handshakeFailures = RateLimitedReport(intervalMilliseconds: 10_000)

    /// Creates the shell; `listen()` and `run()` start it.
    public init(core: Sentinel, logger: Logger, configurationFilePath: String) throws {
        self.core = core
        self.logger = logger
        self.configurationFilePath = configurationFilePath
        self.loop = try EpollLoop()
    }

    /// Uses `certificates` for the TLS port and, when `linksUseTLS` (`tls-replication yes`),
    /// for every link to masters, replicas and peers. Call before `listen(…, tls: true)`.
    public func useTLS(_ certificates: TLSCertificates, linksUseTLS: Bool) {
        tlsCertificates = certificates
        self.linksUseTLS = linksUseTLS
    }

    /// Opens the listening sockets on `port` for each `bind` address (none when port is 0);
    /// with `tls`, connections accepted there are TLS (see `useTLS`).
    public func listen(port: Int, bindAddresses: [String], tls: Bool = false) throws {
        guard port != 0 else { return }
        precondition(!tls || tlsCertificates != nil, "useTLS comes before a TLS listener")
        let listener = try Listener(loop: loop, bindAddresses: bindAddresses, port: port) { [unowned self] socket in
            self.accept(socket, tls: tls)
        }
        listener.onAcceptError = { [unowned self] message in self.logger.warning(message) }
        // Out of descriptors, waiting connections are turned away with the core's refusal
        // rather than left pending (see Listener).
        listener.refusalMessage = Sentinel.maximumClientsReply
        listener.onRefused = { [unowned self] in self.feed(.clientRefused) }
        listeners.append(listener)
    }

    /// Serves `/metrics`, `/healthz` and `/readyz` on `port` at `bindAddresses` (none when port
    /// is 0). The core answers each request (`Sentinel.answer`); this only carries the bytes.
    /// Returns the addresses bound.
    @discardableResult
    public func listenForMetrics(port: Int, bindAddresses: [String]) throws -> [SocketAddress] {
        guard port != 0 else { return [] }
        let server = try HTTPServer(loop: loop, bindAddresses: bindAddresses, port: port) { [unowned self] request in
            self.core.answer(request, at: self.now())
        }
        metricsServer = server
        return server.boundAddresses
    }

    /// Runs until the core asks to exit; returns the exit code.
    public func run() throws -> Int32 {
        SignalSource.ignoreSIGPIPE()
        signals = try SignalSource(loop: loop) { [unowned self] signal in self.handleSignal(signal) }
        spawner.onExit = { [unowned self] exit in self.handleChildExit(exit) }
        tlsCertificates?.watchFiles(on: loop) { [unowned self] outcome in self.reportTLSReload(outcome, cause: "the files changed") }
        core.start(into: &turn)
        finishTurn(at: now())
        if exitCode == nil { try loop.run() }
        signals?.close()
        for listener in listeners { listener.close() }
        metricsServer?.close()
        return exitCode ?? 0
    }

    // MARK: Turns

    private func now() -> Timestamp {
        Timestamp(monotonic: MonotonicClock.now(), wallClock: WallClock.nowMilliseconds())
    }

    /// A turn of one input.
    private func feed(_ input: SentinelInput) {
        let time = now()
        handle(input, at: time)
        finishTurn(at: time)
    }

    /// Hands one input of the current turn to the core.
    private func handle(_ input: SentinelInput, at time: Timestamp) {
        guard exitCode == nil else { return }
        core.handle(input, at: time, into: &turn)
    }

    /// Carries out the current turn, then writes what it collected for links and clients.
    private func finishTurn(at time: Timestamp) {
        var io = self
        TurnExecutor.run(&turn, core: &core, io: &io, at: time)
        flushLinks()
        flushClients()
    }

    // MARK: Inputs

    /// A new client; on the TLS port its handshake runs before its first command is read
    /// (it counts as a client from the start, as in Redis).
    private func accept(_ socket: AcceptedSocket, tls: Bool) {
        let stream: StreamConnection
        do {
            if tls, let context = tlsCertificates?.context {
                stream = try StreamConnection(loop: loop, accepted: socket, tls: context, outputBufferLimit: SentinelServer.clientOutputBufferLimit)
            } else {
                stream = try StreamConnection(loop: loop, accepted: socket, outputBufferLimit: SentinelServer.clientOutputBufferLimit)
            }
        } catch {
            return
        }
        let id = ClientID(nextClientID)
        nextClientID += 1
        let client = ClientConnection(stream: stream)
        clients[id] = client
        stream.onData = { [unowned self] bytes in self.receive(bytes, from: id) }
        stream.onClose = { [unowned self] reason in
            if case .tlsHandshakeFailed(let text) = reason {
                self.reportHandshakeFailure(text, from: socket.remoteAddress)
            }
            self.clients[id] = nil
            self.feed(.clientDisconnected(id))
        }
        feed(.clientConnected(id, remoteAddress: socket.remoteAddress.description, localAddress: socket.localAddress.description))
    }

    /// Parses every complete command in `bytes` as one turn; a protocol error gets Redis's
    /// error reply (after the replies to the commands before it) and closes that client only.
    /// A client that has yet to authenticate is held to Redis's smaller request limits
    /// (`RESPRequestParser.requiresAuthentication`).
    private func receive(_ bytes: UnsafeRawBufferPointer, from id: ClientID) {
        guard let client = clients[id], !client.closing else { return }
        client.parser.append(bytes)
        // Every complete command of this read is handled with one clock reading, and all the
        // replies are written with one call; each command is handled as soon as it is parsed,
        // so its argument buffers are freed before the next command's are allocated.
        let time = now()
        while true {
            // Checked per command: an AUTH earlier in this same read lifts the limits for
            // the commands after it (the core owns authentication).
            client.parser.requiresAuthentication = Self.requiresAuthentication(id, in: &core)
            let command: [RequestArgument]?
            do {
                command = try client.parser.next()
            } catch {
                finishTurn(at: time)
                var reply: [UInt8] = []
                RESPEncoder.encode(error.reply, as: .resp2, into: &reply)
                client.closing = true
                client.stream.write(reply)
                client.stream.closeAfterFlush()
                return
            }
            guard let command, !command.isEmpty else { break }
            handle(.clientCommand(id, command), at: time)
        }
        finishTurn(at: time)
    }

    /// Asks the core in place: calling a method on the stored `core` directly copied the whole
    /// state (every table retained and released) once per command.
    private static func requiresAuthentication(_ id: ClientID, in core: inout Sentinel) -> Bool {
        core.requiresAuthentication(id)
    }

    /// Parses every reply in `bytes` as one turn; garbage closes that link (it reconnects later).
    private func receiveReply(_ bytes: UnsafeRawBufferPointer, on id: ConnectionID) {
        guard let link = links[id] else { return }
        link.parser.append(bytes)
        let time = now()
        while links[id] != nil {
            do {
                guard let value = try link.parser.next() else { break }
                handle(.connectionReply(id, value), at: time)
            } catch {
                links[id] = nil
                link.stream.close()
                handle(.connectionClosed(id, reason: error.message), at: time)
                break
            }
        }
        finishTurn(at: time)
    }

    private func handleSignal(_ signal: Int32) {
        switch signal {
        case SIGTERM: feed(.shutdownRequested(signalName: "SIGTERM"))
        case SIGINT: feed(.shutdownRequested(signalName: "SIGINT"))
        case SIGCHLD: spawner.reapChildren()
        case SIGHUP:
            if let tlsCertificates { reportTLSReload(tlsCertificates.reload(), cause: "SIGHUP") }
        default: break
        }
    }

    private func handleChildExit(_ exit: ChildExit) {
        guard let script = scripts.removeValue(forKey: exit.pid) else { return }
        runningScripts[script] = nil
        switch exit.termination {
        case .exited(let code): feed(.scriptFinished(script, .exited(code: code)))
        case .signaled(let signal): feed(.scriptFinished(script, .signaled(signal: signal)))
        }
    }

    // MARK: SentinelIO

    public func writeConfiguration(_ file: [UInt8], to destination: ConfigurationDestination) -> String? {
        let path: String
        switch destination {
        case .configurationFile: path = configurationFilePath
        case .stateFile(let statePath): path = statePath
        }
        do {
            try AtomicFileWriter.write(file, to: path)
            return nil
        } catch {
            return error.message
        }
    }

    /// The write, timed for `redis_sentinel_config_write_duration_seconds`.
    public func writeConfigurationMeasured(_ file: [UInt8], to destination: ConfigurationDestination) -> (error: String?, seconds: Double?) {
        let start = MonotonicClock.nanoseconds()
        let error = writeConfiguration(file, to: destination)
        return (error, Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    public func writeACLFile(path: String, contents: [UInt8]) -> String? {
        do {
            try AtomicFileWriter.write(contents, to: path)
            return nil
        } catch {
            return error.message
        }
    }

    /// Replies and link commands are collected and written at the end of the turn.
    public func perform(_ message: SentinelEffect) -> Bool {
        switch message {
        case .sendToClient(let id, let bytes):
            guard let client = clients[id], !client.closing else { break }
            markDirty(client, id)
            client.pendingOutput += bytes
        case .closeClient(let id):
            guard let client = clients[id] else { break }
            client.closing = true
            writeCollectedOutput(of: client)
            client.stream.closeAfterFlush()
        case .connect(let id, let host, let port, let sourceAddress):
            openLink(id, host: host, port: port, sourceAddress: sourceAddress)
        case .sendOnConnection(let id, let bytes):
            guard let link = links[id] else { break }
            if link.pendingOutput.isEmpty { dirtyLinks.append(id) }
            link.pendingOutput += bytes
        case .closeConnection(let id):
            guard let link = links.removeValue(forKey: id) else { break }
            writeCollectedOutput(of: link)
            link.stream.close()
        case .log(let level, let text):
            logger.log(level, text)
        case .event(let event):
            logger.log(event.type.level, event.logLine)
        case .setLogLevel(let level):
            logger.configuration.minimumLevel = level
        default:
            preconditionFailure("\(message) is not a message")
        }
        return true
    }

    public func start(_ effect: SentinelEffect) -> [SentinelInput] {
        switch effect {
        case .resolveHostname(let host):
            if resolver == nil {
                resolver = try? HostnameResolver(loop: loop) { [unowned self] host, address in
                    self.feed(.hostnameResolved(host, address: address))
                }
            }
            resolver?.resolve(host)
        case .readACLFile(let path, let ticket):
            do {
                return [.aclFileRead(ticket: ticket, contents: try FileAccess.readBytes(path), error: nil)]
            } catch {
                return [.aclFileRead(ticket: ticket, contents: [], error: SystemError.describe(error.code))]
            }
        case .runScript(let id, let arguments):
            do {
                let pid = try spawner.spawn(path: arguments[0], arguments: Array(arguments.dropFirst()))
                scripts[pid] = id
                runningScripts[id] = pid
                return [.scriptStarted(id, pid: pid)]
            } catch {
                return [.scriptFinished(id, .spawnFailed(reason: error.message))]
            }
        case .killScript(let id):
            if let pid = runningScripts[id] { spawner.kill(pid: pid) }
        case .scheduleTick(let delay):
            if let tickTimer { loop.cancelTimer(tickTimer) }
            tickTimer = loop.scheduleTimer(afterMilliseconds: delay) { [unowned self] in
                self.tickTimer = nil
                // SIGCHLD coalesces and may be missed: running scripts are also checked
                // on every tick.
                if !self.runningScripts.isEmpty { self.spawner.reapChildren() }
                self.feed(.tick)
            }
        case .exit(let code):
            exitCode = code
            loop.stop()
        default:
            preconditionFailure("\(effect) is not a start")
        }
        return []
    }

    // MARK: Output

    /// Remembers that `client` has replies to write (call before adding them).
    private func markDirty(_ client: ClientConnection, _ id: ClientID) {
        if client.pendingOutput.isEmpty { dirtyClients.append(id) }
    }

    /// Writes each link's collected commands with one call.
    private func flushLinks() {
        guard !dirtyLinks.isEmpty else { return }
        for id in dirtyLinks { writeCollectedOutput(of: links[id]) }
        dirtyLinks.removeAll(keepingCapacity: true)
    }

    /// Writes each client's collected replies with one call.
    private func flushClients() {
        guard !dirtyClients.isEmpty else { return }
        // Writing never calls back into the server, so the list can be walked in place.
        for id in dirtyClients { writeCollectedOutput(of: clients[id]) }
        dirtyClients.removeAll(keepingCapacity: true)
    }

    /// Writes what was collected for `connection`, if anything, with one call. Written in
    /// place (the stream copies what the kernel does not take), so the buffer's storage is
    /// reused for the next turn.
    private func writeCollectedOutput(of connection: (some CollectedOutput)?) {
        guard let connection, !connection.pendingOutput.isEmpty else { return }
        connection.stream.write(connection.pendingOutput)
        connection.pendingOutput.removeAll(keepingCapacity: true)
    }

    private func openLink(_ id: ConnectionID, host: String, port: Int, sourceAddress: String?) {
        let stream = StreamConnection.connect(loop: loop, host: host, port: port, sourceAddress: sourceAddress,
                                              timeoutMilliseconds: SentinelServer.connectTimeoutMilliseconds,
                                              outputBufferLimit: SentinelServer.linkOutputBufferLimit,
                                              tls: linksUseTLS ? tlsCertificates?.context : nil)
        let link = LinkConnection(stream: stream)
        links[id] = link
        stream.onConnect = { [unowned self] in
            self.feed(.connectionEstablished(id, localAddress: stream.localIP ?? "127.0.0.1"))
        }
        stream.onData = { [unowned self] bytes in self.receiveReply(bytes, on: id) }
        stream.onClose = { [unowned self] reason in
            guard self.links.removeValue(forKey: id) != nil else { return }
            self.feed(.connectionClosed(id, reason: reason.description))
        }
    }

    // MARK: TLS

    /// A client on the TLS port whose handshake failed (plain text, a refused certificate):
    /// closed, and logged with Redis's line at most once per 10 s.
    private func reportHandshakeFailure(_ reason: String, from address: SocketAddress) {
        let text = "Error accepting a client connection: \(reason) (addr=\(address))"
        if let line = handshakeFailures.line(for: text, now: MonotonicClock.now()) { logger.warning(line) }
    }

    private func reportTLSReload(_ outcome: Result<Void, TLSSetupError>, cause: String) {
        switch outcome {
        case .success:
            logger.notice("TLS certificates and keys reloaded (\(cause)); connections already open keep theirs")
        case .failure(let error):
            logger.warning("Failed to reload the TLS certificates (\(cause)), the previous ones stay in use: \(error.message)")
        }
    }
}
