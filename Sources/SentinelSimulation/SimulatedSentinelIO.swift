import RESP
import SentinelCore

/// How the simulated world carries out one turn of sentinel `s` for `TurnExecutor`: the same
/// executor, so the same order, as the daemon. Writes go to the sentinel's persisted text;
/// messages go onto the simulated network at once; what the checker reads (events, the
/// sentinel's epochs when it said something) is noted here and looked at after the turn,
/// when the core can be read again.
struct SimulatedSentinelIO: SentinelIO {
    unowned let world: Simulation
    let s: Int
    /// The turn writes files: the one a `crashInTurn` fault may be waiting for.
    let writesFiles: Bool
    /// Messages performed so far in this turn.
    var messagesPerformed = 0
    /// Set when the process is gone: crashed by a fault or exited.
    var ended: Ended?
    /// Events of the turn, in order.
    var events: [SentinelEvent] = []
    /// Whether anything others can see was performed in this turn.
    var spoke = false

    enum Ended {
        case crashed
        case exited(code: Int32)
    }

    mutating func writeConfiguration(_ file: [UInt8], to destination: ConfigurationDestination) -> String? {
        switch destination {
        case .configurationFile: world.sentinels[s].persistedText = String(decoding: file, as: UTF8.self)
        case .stateFile: world.sentinels[s].stateText = String(decoding: file, as: UTF8.self)
        }
        return nil
    }

    mutating func writeACLFile(path: String, contents: [UInt8]) -> String? {
        nil
    }

    mutating func perform(_ message: SentinelEffect) -> Bool {
        if let afterMessages = world.sentinels[s].crashInTurn, writesFiles, messagesPerformed >= afterMessages {
            ended = .crashed
            return false
        }
        messagesPerformed += 1
        let sentinel = world.sentinels[s]
        switch message {
        case .sendToClient(let client, let bytes):
            spoke = true
            guard let c = sentinel.incoming[client.rawValue] else { break }
            world.connections[c].replyParser.append(bytes)
            while let value = try? world.connections[c].replyParser.next() { world.sendReply(c, value) }
        case .closeClient(let client):
            guard let c = sentinel.incoming.removeValue(forKey: client.rawValue) else { break }
            world.breakConnection(c, reason: "closed by peer")
        case .connect(let id, let host, let port, _):
            world.connect(from: s, id: id, host: host, port: port)
        case .sendOnConnection(let id, let bytes):
            spoke = true
            guard let c = sentinel.outgoing[id.rawValue] else { break }
            world.connections[c].requestParser.append(bytes)
            while let arguments = try? world.connections[c].requestParser.next() { world.sendRequest(c, arguments.map(\.bytes)) }
        case .closeConnection(let id):
            guard let c = sentinel.outgoing.removeValue(forKey: id.rawValue) else { break }
            world.closeByOwner(c)
        case .event(let event):
            events.append(event)
        case .log(_, let text):
            if world.options.trace { world.trace.append("\(Simulation.timeText(world.now)) S\(s) log: \(text)") }
        case .setLogLevel:
            break
        default:
            preconditionFailure("\(message) is not a message")
        }
        return true
    }

    mutating func start(_ effect: SentinelEffect) -> [SentinelInput] {
        switch effect {
        case .runScript, .killScript:
            return []
        case .readACLFile(_, let ticket):
            // The simulated world has no ACL file.
            return [.aclFileRead(ticket: ticket, contents: [], error: "No such file or directory")]
        case .resolveHostname(let host):
            // The simulated world uses IP literals only: a name never resolves.
            return [.hostnameResolved(host, address: nil)]
        case .scheduleTick(let delay):
            world.queue.push(.tick(sentinel: s, incarnation: world.sentinels[s].incarnation), at: world.now + delay)
            return []
        case .exit(let code):
            if ended == nil { ended = .exited(code: code) }
            return []
        default:
            preconditionFailure("\(effect) is not a start")
        }
    }
}

extension Simulation {
    var timestamp: Timestamp { Timestamp(monotonic: now, wallClock: Simulation.wallClockBase + now) }

    /// Starts (or restarts) sentinel `s` from the configuration it last persisted, and its
    /// state file over it.
    func startSentinel(_ s: Int) {
        let text = sentinels[s].persistedText
        var configuration: SentinelConfiguration
        do {
            configuration = try ConfigurationParser.parse(text: text, fileName: "sentinel-\(s).conf", readInclude: { _ in "" })
            if let statePath = configuration.container.stateConfigFile {
                try StateFileOverlay.apply(sentinels[s].stateText.map { Array($0.utf8) }, fileName: statePath, to: &configuration)
            }
        } catch {
            return fail("persisted-configuration", "sentinel#\(s) cannot load the configuration it persisted: \(error)\n\(text)\n\(sentinels[s].stateText ?? "")")
        }
        if sentinels[s].movesOnRestart { moveSentinel(s) }
        var core = Sentinel(configuration: configuration, configurationText: text, environment: SentinelEnvironment(listeningPort: 26379),
                            randomSeed: random.next(), now: timestamp)
        core.deliberateDefects = options.defects
        sentinels[s].core = core
        sentinels[s].shadow = options.checkSchedule ? ShadowSentinel(copying: core) : nil
        sentinels[s].outgoing = [:]
        sentinels[s].incoming = [:]
        sentinels[s].pausedUntil = 0
        sentinels[s].crashInTurn = nil
        sentinels[s].eventCounts = [:]
        var turn = Turn()
        sentinels[s].core!.start(into: &turn)
        if var shadow = sentinels[s].shadow {
            sentinels[s].shadow = nil
            shadow.core.start(into: &shadow.pendingTurn)
            sentinels[s].shadow = shadow
        }
        let runID = sentinels[s].core!.myID
        sentinels[s].myID = runID
        runIDOwner[runID] = s
        record("S\(s) starts (incarnation \(sentinels[s].incarnation), current-epoch \(sentinels[s].core!.currentEpoch)\(sentinels[s].core!.isLearningEpochs ? ", without its state, as \(runID.prefix(8)) at \(sentinels[s].host)" : ""))")
        if !sentinels[s].stateLost && !sentinels[s].core!.isLearningEpochs { observeRestart(of: s) }
        sentinels[s].stateLost = false
        observeState(of: s, restarted: true)
        run(&turn, of: s, after: "the start")
    }

    /// Feeds one input to a live sentinel core (held until the end of a pause) as one turn,
    /// then checks what it did.
    func feed(_ s: Int, _ input: SentinelInput) {
        guard sentinels[s].alive else { return }
        if sentinels[s].pausedUntil > now {
            queue.push(.sentinelInput(sentinel: s, incarnation: sentinels[s].incarnation, input), at: sentinels[s].pausedUntil)
            return
        }
        if options.trace { trace.append("\(Simulation.timeText(now)) S\(s) <- \(describe(input))") }
        var turn = Turn()
        sentinels[s].core!.handle(input, at: timestamp, into: &turn)
        if var shadow = sentinels[s].shadow {
            sentinels[s].shadow = nil
            shadow.core.handle(input, at: timestamp, into: &shadow.pendingTurn)
            sentinels[s].shadow = shadow
        }
        observeState(of: s, restarted: false)
        run(&turn, of: s, after: sentinels[s].shadow == nil ? "" : describe(input))
    }

    /// Carries out a turn of sentinel `s` with the daemon's executor, then checks it; a crash
    /// inside the turn (a `crashInTurn` fault) or an exit ends the process there.
    /// With `--check-schedule`, the shadow's turn for the same input (`input` says which) is
    /// then compared with it.
    func run(_ turn: inout Turn, of s: Int, after input: String) {
        var io = SimulatedSentinelIO(world: self, s: s, writesFiles: turn.needsDurableWrites)
        if sentinels[s].shadow != nil {
            var recording = RecordingIO(base: io)
            TurnExecutor.run(&turn, core: &sentinels[s].core!, io: &recording, at: timestamp)
            io = recording.base
            checkSchedule(of: s, real: recording.executed, results: recording.results, input: input)
        } else {
            TurnExecutor.run(&turn, core: &sentinels[s].core!, io: &io, at: timestamp)
        }
        if io.spoke { noteSpoken(by: s) }
        for event in io.events { observeEvent(event, of: s) }
        observeState(of: s, restarted: false)
        switch io.ended {
        case .crashed:
            record("S\(s) crashes after \(io.messagesPerformed) message(s) of a turn that wrote its configuration")
            crashSentinel(s)
        case .exited(let code):
            record("S\(s) exits with code \(code)")
            crashSentinel(s)
            queue.push(.restartSentinel(s), at: now + 1000)
        case nil:
            break
        }
    }

    func crashSentinel(_ s: Int) {
        guard sentinels[s].alive else { return }
        refreshBadness()
        sentinels[s].core = nil
        sentinels[s].shadow = nil
        sentinels[s].incarnation += 1
        sentinels[s].pausedUntil = 0
        sentinels[s].crashInTurn = nil
        for c in sentinels[s].outgoing.keys.sorted().compactMap({ sentinels[s].outgoing[$0] }) {
            closeByOwner(c)
        }
        sentinels[s].outgoing = [:]
        for c in incomingByEndpoint[s] where connections[c].targetIncarnation == sentinels[s].incarnation - 1 {
            if connections[c].state == .open || connections[c].state == .connecting { breakConnection(c, reason: "connection reset") }
        }
        incomingByEndpoint[s] = []
        sentinels[s].incoming = [:]
        refreshBadness()
    }

    func describe(_ input: SentinelInput) -> String {
        switch input {
        case .tick: return "tick"
        case .clientConnected(let c, let remote, _): return "client \(c) connected from \(remote)"
        case .clientCommand(let c, let arguments): return "client \(c): \(arguments.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " "))"
        case .clientDisconnected(let c): return "client \(c) disconnected"
        case .connectionEstablished(let c, _): return "\(c) established"
        case .connectionClosed(let c, let reason): return "\(c) closed (\(reason))"
        case .connectionReply(let c, let value): return "\(c) reply \(Simulation.describe(value))"
        case .configurationPersisted(let ticket, _): return "persisted #\(ticket)"
        default: return "\(input)"
        }
    }

    static func describe(_ value: RESPValue) -> String {
        switch value {
        case .simpleString(let b): return "+" + String(decoding: b, as: UTF8.self)
        case .error(let b): return "-" + String(decoding: b, as: UTF8.self)
        case .integer(let i): return ":\(i)"
        case .bulkString(let b):
            let text = String(decoding: b, as: UTF8.self)
            if text.hasPrefix("# Server") {
                let role = text.split(separator: "\r\n").first { $0.hasPrefix("role:") } ?? ""
                return "INFO(\(role))"
            }
            return "$" + text
        case .array(let items): return "[" + items.map(describe).joined(separator: ", ") + "]"
        default: return "\(value)"
        }
    }
}
