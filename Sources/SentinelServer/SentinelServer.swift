import CSystem
import Glibc
import RESP
import SentinelCore

/// The shell around `Sentinel`: it owns the sockets, the timer, the configuration file and
/// the child processes, turns what happens into `SentinelInput`s, and executes the core's
/// `SentinelEffect`s. It makes no Sentinel decision of its own.
public final class SentinelServer {
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
    /// Configuration writes the core asked for, to do (as one) before the next output.
    private var pendingPersistenceTickets: [UInt64] = []
    private var links: [ConnectionID: LinkConnection] = [:]
    private var scripts: [pid_t: ScriptID] = [:]
    private var runningScripts: [ScriptID: pid_t] = [:]
    private var nextClientID: UInt64 = 1
    private var effects: [SentinelEffect] = []
    private var pendingInputs: [SentinelInput] = []
    private var isDispatching = false
    private var exitCode: Int32?
    private var tickTimer: TimerID?

    /// Creates the shell; `listen()` and `run()` start it.
    public init(core: Sentinel, logger: Logger, configurationFilePath: String) throws {
        self.core = core
        self.logger = logger
        self.configurationFilePath = configurationFilePath
        self.loop = try EpollLoop()
    }

    /// Opens the listening sockets on `port` for each `bind` address (none when port is 0).
    public func listen(port: Int, bindAddresses: [String]) throws {
        guard port != 0 else { return }
        let listener = try Listener(loop: loop, bindAddresses: bindAddresses, port: port) { [unowned self] socket in
            self.accept(socket)
        }
        listener.onAcceptError = { [unowned self] message in self.logger.warning(message) }
        // Out of descriptors, waiting connections are turned away with the core's refusal
        // rather than left pending (see Listener).
        listener.refusalMessage = Sentinel.maximumClientsReply
        listener.onRefused = { [unowned self] in self.feed(.clientRefused) }
        listeners.append(listener)
    }

    /// Runs until the core asks to exit; returns the exit code.
    public func run() throws -> Int32 {
        SignalSource.ignoreSIGPIPE()
        signals = try SignalSource(loop: loop) { [unowned self] signal in self.handleSignal(signal) }
        spawner.onExit = { [unowned self] exit in self.handleChildExit(exit) }
        var startEffects: [SentinelEffect] = []
        core.start(effects: &startEffects)
        isDispatching = true
        execute(startEffects)
        drainInputs(at: now())
        isDispatching = false
        flushOutput()
        if exitCode == nil { try loop.run() }
        signals?.close()
        for listener in listeners { listener.close() }
        return exitCode ?? 0
    }

    // MARK: Inputs

    private func now() -> Timestamp {
        Timestamp(monotonic: MonotonicClock.now(), wallClock: WallClock.nowMilliseconds())
    }

    /// Hands one input to the core and executes what it asks; inputs that effects produce
    /// (e.g. a configuration write's result) are queued and handled in order afterwards.
    private func feed(_ input: SentinelInput) {
        dispatch(input, at: now())
        flushOutput()
    }

    /// Hands `input` to the core and executes its effects, then the inputs those effects
    /// queued, in order. Called while dispatching (from an effect), it only queues `input`.
    private func dispatch(_ input: SentinelInput, at time: Timestamp) {
        guard !isDispatching else {
            pendingInputs.append(input)
            return
        }
        isDispatching = true
        handle(input, at: time)
        drainInputs(at: time)
        isDispatching = false
    }

    /// Handles the queued inputs (effects' results, e.g. a configuration write's).
    private func drainInputs(at time: Timestamp) {
        guard !pendingInputs.isEmpty else { return }
        var index = 0
        while index < pendingInputs.count && exitCode == nil {
            let input = pendingInputs[index]
            index += 1
            handle(input, at: time)
        }
        pendingInputs.removeAll(keepingCapacity: true)
    }

    private func handle(_ input: SentinelInput, at time: Timestamp) {
        guard exitCode == nil else { return }
        var batch: [SentinelEffect] = []
        swap(&batch, &effects)
        batch.removeAll(keepingCapacity: true)
        core.handle(input, at: time, effects: &batch)
        execute(batch)
        swap(&batch, &effects)
    }

    private func accept(_ socket: AcceptedSocket) {
        guard let stream = try? StreamConnection(loop: loop, accepted: socket, outputBufferLimit: SentinelServer.clientOutputBufferLimit) else { return }
        let id = ClientID(nextClientID)
        nextClientID += 1
        let client = ClientConnection(stream: stream)
        clients[id] = client
        stream.onData = { [unowned self] bytes in self.receive(bytes, from: id) }
        stream.onClose = { [unowned self] _ in
            self.clients[id] = nil
            self.feed(.clientDisconnected(id))
        }
        feed(.clientConnected(id, remoteAddress: socket.remoteAddress.description, localAddress: socket.localAddress.description))
    }

    /// Parses every complete command in `bytes`; a protocol error gets Redis's error reply and
    /// closes that client only. A client that has yet to authenticate is held to Redis's
    /// smaller request limits (`RESPRequestParser.requiresAuthentication`).
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
            client.parser.requiresAuthentication = core.requiresAuthentication(id)
            let command: [[UInt8]]?
            do {
                command = try client.parser.next()
            } catch {
                var reply: [UInt8] = []
                RESPEncoder.encode(error.reply, as: .resp2, into: &reply)
                markDirty(client, id)
                client.pendingOutput += reply
                client.closing = true
                flushClients()
                client.stream.closeAfterFlush()
                return
            }
            guard let command, !command.isEmpty else { break }
            dispatch(.clientCommand(id, command), at: time)
            if client.closing { break }
        }
        flushOutput()
    }

    private func handleSignal(_ signal: Int32) {
        switch signal {
        case SIGTERM: feed(.shutdownRequested(signalName: "SIGTERM"))
        case SIGINT: feed(.shutdownRequested(signalName: "SIGINT"))
        case SIGCHLD: spawner.reapChildren()
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

    // MARK: Effects

    private func execute(_ batch: [SentinelEffect]) {
        for effect in batch {
            if exitCode != nil { return }
            switch effect {
            case .sendToClient(let id, let bytes):
                guard let client = clients[id], !client.closing else { continue }
                markDirty(client, id)
                client.pendingOutput += bytes
            case .closeClient(let id):
                guard let client = clients[id] else { continue }
                client.closing = true
                flushClients()
                client.stream.closeAfterFlush()
            case .connect(let id, let host, let port, let sourceAddress):
                openLink(id, host: host, port: port, sourceAddress: sourceAddress)
            case .resolveHostname(let host):
                if resolver == nil {
                    resolver = try? HostnameResolver(loop: loop) { [unowned self] host, address in
                        self.feed(.hostnameResolved(host, address: address))
                    }
                }
                resolver?.resolve(host)
            case .sendOnConnection(let id, let bytes):
                guard let link = links[id] else { continue }
                if link.pendingOutput.isEmpty { dirtyLinks.append(id) }
                link.pendingOutput += bytes
            case .closeConnection(let id):
                guard let link = links.removeValue(forKey: id) else { continue }
                commitPersistence()
                if !link.pendingOutput.isEmpty { link.stream.write(link.pendingOutput) }
                link.stream.close()
            case .persistConfiguration(let ticket):
                // Written before any output leaves (`commitPersistence`), once for all the
                // changes of this turn: fifty votes in one read cost one write, not fifty.
                pendingPersistenceTickets.append(ticket)
            case .readACLFile(let path, let ticket):
                do {
                    pendingInputs.append(.aclFileRead(ticket: ticket, contents: try FileAccess.readBytes(path), error: nil))
                } catch {
                    pendingInputs.append(.aclFileRead(ticket: ticket, contents: [], error: SystemError.describe(error.code)))
                }
            case .writeACLFile(let path, let contents, let ticket):
                do {
                    try AtomicFileWriter.write(contents, to: path)
                    pendingInputs.append(.aclFileWritten(ticket: ticket, error: nil))
                } catch {
                    pendingInputs.append(.aclFileWritten(ticket: ticket, error: error.message))
                }
            case .log(let level, let text):
                logger.log(level, text)
            case .setLogLevel(let level):
                logger.configuration.minimumLevel = level
            case .runScript(let id, let arguments):
                do {
                    let pid = try spawner.spawn(path: arguments[0], arguments: Array(arguments.dropFirst()))
                    scripts[pid] = id
                    runningScripts[id] = pid
                    pendingInputs.append(.scriptStarted(id, pid: pid))
                } catch {
                    pendingInputs.append(.scriptFinished(id, .spawnFailed(reason: error.message)))
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
                flushClients()
                loop.stop()
            }
        }
    }

    /// Remembers that `client` has replies to write (call before adding them).
    private func markDirty(_ client: ClientConnection, _ id: ClientID) {
        if client.pendingOutput.isEmpty { dirtyClients.append(id) }
    }

    /// Writes the configuration, then everything collected for links and clients.
    private func flushOutput() {
        commitPersistence()
        flushLinks()
        flushClients()
    }

    /// If the core asked for configuration writes, writes its current text once for all of
    /// them and hands each result to the core. Called before any output leaves: a vote, a new
    /// epoch or a failover step is durable before a peer, a client or an instance learns of it.
    private func commitPersistence() {
        while !pendingPersistenceTickets.isEmpty {
            let tickets = pendingPersistenceTickets
            pendingPersistenceTickets = []
            let file = core.configurationFileToWrite()
            var failure: String?
            do {
                try AtomicFileWriter.write(file, to: configurationFilePath)
            } catch {
                failure = error.message
            }
            let time = now()
            for ticket in tickets { dispatch(.configurationPersisted(ticket: ticket, error: failure), at: time) }
        }
    }

    /// Writes each link's collected commands with one call.
    private func flushLinks() {
        commitPersistence()
        guard !dirtyLinks.isEmpty else { return }
        for id in dirtyLinks { writeCollectedOutput(of: links[id]) }
        dirtyLinks.removeAll(keepingCapacity: true)
    }

    /// Writes each client's collected replies with one call.
    private func flushClients() {
        commitPersistence()
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
                                              outputBufferLimit: SentinelServer.linkOutputBufferLimit)
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

    /// Parses replies from an instance; garbage closes that link (it reconnects later).
    private func receiveReply(_ bytes: UnsafeRawBufferPointer, on id: ConnectionID) {
        guard let link = links[id] else { return }
        link.parser.append(bytes)
        let time = now()
        while links[id] != nil {
            do {
                guard let value = try link.parser.next() else { break }
                dispatch(.connectionReply(id, value), at: time)
            } catch {
                links[id] = nil
                link.stream.close()
                dispatch(.connectionClosed(id, reason: error.message), at: time)
                break
            }
        }
        flushOutput()
    }
}
