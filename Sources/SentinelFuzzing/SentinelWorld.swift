import RESP
import SentinelCore

/// The shell, the network, the disk and the clients around a fuzzed `Sentinel`: it feeds
/// inputs the way `SentinelServer` does — the inputs of one read as one turn, carried out by
/// `TurnExecutor` through `WorldIO` —, then answers what the core asked for the way the
/// network, the disk and the clients would, and checks after every turn that it is sound
/// (`SentinelWorldChecks.swift`).
///
/// Everything the fuzz input picks from is kept in arrays in a fixed order: Swift's hashing is
/// seeded per process, and an input must replay the same way every time.
struct SentinelWorld {
    /// An outgoing connection the core asked for and has not closed (nor been told is closed).
    struct Connection {
        let id: ConnectionID
        let server: HostPort
        var established = false
        /// Reads the commands the core writes on it.
        var parser = RESPRequestParser()
        /// Commands written and not answered yet, oldest first.
        var unanswered: [[String]] = []
        /// Whether the server has confirmed a `SUBSCRIBE`: it then gets published hellos.
        var subscribed = false
    }

    /// A client of the sentinel's port.
    struct Client {
        let id: ClientID
        /// Reads everything the core sends it: every `sendToClient` is whole replies.
        var parser = RESPReplyParser()
        /// Commands sent, and values received (replies and pushed messages).
        var commandsSent = 0
        var valuesReceived = 0
        /// Whether it sent `CLIENT REPLY` (replies may then be turned off).
        var mayTurnRepliesOff = false
        /// Whether it subscribed to something (messages may then come between replies).
        var mayReceiveMessages = false
        /// The values received during the current turn.
        var valuesOfThisTurn: [RESPValue] = []
    }

    var sentinel: Sentinel
    var time: Timestamp
    /// The servers of the deployment by address; others are added (as healthy masters) when
    /// the core first connects to them.
    var servers: [HostPort: FakeServer]
    var connections: [Connection] = []
    var clients: [Client] = []
    var nextClient: UInt64 = 1
    var runningScripts: [ScriptID] = []
    var pendingHostnames: [String] = []
    /// Every connection id the core ever asked for (ids are never reused).
    var usedConnectionIDs: Set<ConnectionID> = []
    /// The configuration file as the shell last wrote it.
    var writtenConfiguration: [UInt8]
    /// The ACL files of the fake disk, by path.
    var aclFiles: [String: [UInt8]] = [:]
    /// Whether file writes fail (a full disk).
    var writesFail = false
    var nextProcessID: Int32 = 1000
    /// Set once the core asked to exit: no input follows.
    var exited = false
    /// Instances there were at the start, plus how many the inputs so far could have added.
    var instanceAllowance: Int
    /// The current epoch after the previous turn (epochs never go back).
    var lastEpoch: UInt64 = 0
    /// Per master entry, the last vote seen (epoch and leader, nil once reset) and config epoch.
    var votes: [InstanceID: (epoch: UInt64, leader: String?)] = [:]
    var configEpochs: [InstanceID: UInt64] = [:]
    /// The addresses are checked when the instance count changes, every 256 turns and at the end.
    var checkedInstanceCount = -1
    var stepsSinceAddressCheck = 0

    /// The largest monotonic time the fuzzed clock reaches (about 1,100 years).
    static let latestTime: Milliseconds = 1 << 45

    init(sentinel: Sentinel, configurationFile: [UInt8], servers: [HostPort: FakeServer], time: Timestamp) {
        self.sentinel = sentinel
        self.time = time
        self.servers = servers
        self.writtenConfiguration = configurationFile
        self.instanceAllowance = sentinel.instances.count
        self.lastEpoch = sentinel.currentEpoch
    }

    // MARK: Turns

    /// Feeds one input as a turn of its own.
    mutating func feed(_ input: SentinelInput) throws(FuzzFailure) {
        try feed([input])
    }

    /// Starts the sentinel (`Sentinel.start`) as the daemon does before its first input.
    mutating func start() throws(FuzzFailure) {
        var turn = Turn()
        sentinel.start(into: &turn)
        try carryOut(&turn, inputs: [])
    }

    /// Feeds the inputs of one read (one turn) at the current time, has the turn carried
    /// out, answers and checks what it asked for.
    mutating func feed(_ inputs: [SentinelInput]) throws(FuzzFailure) {
        guard !exited, !inputs.isEmpty else { return }
        var turn = Turn()
        for index in clients.indices { clients[index].valuesOfThisTurn = [] }
        for input in inputs {
            InputTrace.record(input, at: time, in: self)
            if case .clientCommand(let id, let arguments) = input { noteCommand(arguments.map(\.bytes), from: id) }
            sentinel.handle(input, at: time, into: &turn)
        }
        try carryOut(&turn, inputs: inputs)
    }

    /// Has `turn` carried out (`TurnExecutor`), then answers and checks what it asked for.
    private mutating func carryOut(_ turn: inout Turn, inputs: [SentinelInput]) throws(FuzzFailure) {
        var contracts: [(client: ClientID, arguments: [[UInt8]], contract: ReplyContract)] = []
        for input in inputs {
            if case .clientCommand(let id, let requestArguments) = input {
                let arguments = requestArguments.map(\.bytes)
                guard let contract = ReplyContract(arguments) else { continue }
                contracts.append((id, arguments, contract))
            }
        }
        var io = WorldIO(aclFiles: aclFiles, writesFail: writesFail, nextProcessID: nextProcessID)
        TurnExecutor.run(&turn, core: &sentinel, io: &io, at: time)
        aclFiles = io.aclFiles
        nextProcessID = io.nextProcessID
        try checkWorkBound(io.carriedOut.count, inputs: max(inputs.count, 1))
        for file in io.writtenConfigurations {
            try SentinelWorld.requireLoadsOnce(file, what: "the configuration the sentinel wrote")
            if !writesFail { writtenConfiguration = file }
        }
        try execute(io.carriedOut)
        if contracts.count == 1, let (id, arguments, contract) = contracts.first,
           let client = clients.first(where: { $0.id == id }), !client.mayTurnRepliesOff, !client.mayReceiveMessages {
            try require(client.valuesOfThisTurn.count <= 1, "\(client.valuesOfThisTurn.count) replies to one command")
            if let reply = client.valuesOfThisTurn.first { try contract.check(reply, to: arguments) }
        }
        try checkInvariants(after: inputs)
    }

    /// Counts a client's command, and notes those after which replies may be off or messages
    /// may come between replies.
    mutating func noteCommand(_ arguments: [[UInt8]], from id: ClientID) {
        guard let index = clients.firstIndex(where: { $0.id == id }) else { return }
        clients[index].commandsSent += 1
        let name = arguments.first?.lowercasedASCII ?? []
        if name == Array("client".utf8), arguments.count > 1, arguments[1].lowercasedASCII == Array("reply".utf8) {
            clients[index].mayTurnRepliesOff = true
        }
        if name.count >= 9 && name.suffix(9) == Array("subscribe".utf8) { clients[index].mayReceiveMessages = true }
    }

    /// Runs a timer tick `milliseconds` later (the clock never passes `latestTime`).
    mutating func tick(after milliseconds: Milliseconds) throws(FuzzFailure) {
        let step = min(max(milliseconds, 0), SentinelWorld.latestTime - time.monotonic)
        time.monotonic += step
        time.wallClock = min(time.wallClock + step, SentinelWorld.latestTime)
        try feed(.tick)
    }

    // MARK: Effects

    /// Does what the network and the clients do with the effects of a turn, checking each.
    mutating func execute(_ effects: [SentinelEffect]) throws(FuzzFailure) {
        var closedClients: [ClientID] = []
        for effect in effects {
            switch effect {
            case .sendToClient(let id, let bytes):
                try receiveOnClient(id, bytes)
            case .closeClient(let id):
                try require(clients.contains { $0.id == id }, "closeClient for unknown client \(id)")
                closedClients.append(id)
            case .connect(let id, let host, let port, _):
                try require(!usedConnectionIDs.contains(id), "connection id \(id) reused")
                try require(IPAddressLiteral.isLiteral(host), "connect to '\(host)', not an IP address")
                try require((1...65535).contains(port), "connect to port \(port)")
                usedConnectionIDs.insert(id)
                let server = HostPort(host: host, port: port)
                if servers[server] == nil { servers[server] = FakeServer(runID: SentinelWorld.runID(for: server), role: .master) }
                connections.append(Connection(id: id, server: server))
            case .sendOnConnection(let id, let bytes):
                try receiveOnConnection(id, bytes)
            case .closeConnection(let id):
                guard let index = connections.firstIndex(where: { $0.id == id }) else {
                    throw FuzzFailure("closeConnection for \(id), which is not open")
                }
                connections.remove(at: index)
            case .resolveHostname(let host):
                if !pendingHostnames.contains(host) { pendingHostnames.append(host) }
            case .runScript(let id, let arguments):
                try require(!arguments.isEmpty, "runScript without a path")
                runningScripts.append(id)
                try require(runningScripts.count <= 16, "\(runningScripts.count) scripts running at once (Redis runs at most 16)")
            case .killScript(let id):
                try require(runningScripts.contains(id), "killScript \(id), which is not running")
            case .scheduleTick(let delay):
                try require((1...1000).contains(delay), "next tick in \(delay) ms")
            case .exit:
                exited = true
            case .persistConfiguration, .writeACLFile, .readACLFile, .log, .event, .setLogLevel:
                break
            }
        }
        for id in closedClients where clients.contains(where: { $0.id == id }) {
            // The shell closes the connection once its output is written, then reports it.
            clients.removeAll { $0.id == id }
            try feed(.clientDisconnected(id))
        }
    }

    /// Every `sendToClient` holds whole replies in the client's protocol: a reply cut in two,
    /// or text that breaks the framing (a CR or LF in a status or error line), shows here.
    mutating func receiveOnClient(_ id: ClientID, _ bytes: [UInt8]) throws(FuzzFailure) {
        guard let index = clients.firstIndex(where: { $0.id == id }) else {
            throw FuzzFailure("reply to unknown client \(id)")
        }
        clients[index].parser.append(bytes)
        do throws(RESPProtocolError) {
            while let value = try clients[index].parser.next() {
                clients[index].valuesReceived += 1
                clients[index].valuesOfThisTurn.append(value)
            }
        } catch {
            throw FuzzFailure("the reply \(describe(bytes)) to client \(id) is not RESP: \(error)")
        }
        try require(clients[index].parser.bufferedByteCount == 0, "the reply \(describe(bytes)) to client \(id) is not whole replies")
    }

    /// Commands the core writes on a connection must be valid RESP requests on a connection it
    /// has open.
    mutating func receiveOnConnection(_ id: ConnectionID, _ bytes: [UInt8]) throws(FuzzFailure) {
        guard let index = connections.firstIndex(where: { $0.id == id }) else {
            throw FuzzFailure("command \(describe(bytes)) written on \(id), which is not open")
        }
        connections[index].parser.append(bytes)
        do throws(RESPProtocolError) {
            while let command = try connections[index].parser.next() {
                connections[index].unanswered.append(command.map { String(decoding: $0, as: UTF8.self) })
            }
        } catch {
            throw FuzzFailure("the core wrote \(describe(bytes)) on \(id): not a RESP request (\(error))")
        }
    }

    // MARK: The network

    /// Connects a connection the core asked for (or refuses it when its server does).
    mutating func establish(_ index: Int, localAddress: String) throws(FuzzFailure) {
        let connection = connections[index]
        guard !connection.established else { return }
        if servers[connection.server]?.isDown == true {
            connections.remove(at: index)
            try feed(.connectionClosed(connection.id, reason: "Connection refused"))
        } else {
            connections[index].established = true
            try feed(.connectionEstablished(connection.id, localAddress: localAddress))
        }
    }

    /// Breaks a connection (reset by the peer, or a failed connect).
    mutating func breakConnection(_ index: Int) throws(FuzzFailure) {
        let connection = connections.remove(at: index)
        try feed(.connectionClosed(connection.id, reason: "Connection reset by peer"))
    }

    /// Whether the oldest command on a connection can be answered by its server.
    func isAnswerable(_ index: Int) -> Bool {
        connections[index].established && !connections[index].unanswered.isEmpty && servers[connections[index].server]?.isDown != true
    }

    /// Answers the oldest unanswered command on an established connection: with `reply`, or
    /// with the server's default answer (after which published hellos reach its subscribers).
    /// A server that is down gives no default answers.
    mutating func answer(_ index: Int, with reply: RESPValue? = nil) throws(FuzzFailure) {
        guard connections[index].established, !connections[index].unanswered.isEmpty else { return }
        if reply == nil && servers[connections[index].server]?.isDown == true { return }
        let command = connections[index].unanswered.removeFirst()
        let id = connections[index].id
        let address = connections[index].server
        let value: RESPValue
        if let reply {
            value = reply
        } else {
            var server = servers[address] ?? FakeServer(runID: SentinelWorld.runID(for: address), role: .master)
            value = server.answer(command, address: address, world: &servers)
            servers[address] = server
        }
        if command.first?.uppercased() == "SUBSCRIBE", case .array = value {
            connections[index].subscribed = true
        }
        try feed(.connectionReply(id, value))
        if reply == nil, command.count == 3, command[0].uppercased() == "PUBLISH" {
            try deliver(message: Array(command[2].utf8), channel: command[1], to: address)
        }
    }

    /// Answers every unanswered command on an established connection with its server's
    /// default answers, arriving in one read (one turn), as a server answers pipelined commands.
    mutating func answerAll(_ index: Int) throws(FuzzFailure) {
        guard isAnswerable(index) else { return }
        let commands = connections[index].unanswered
        connections[index].unanswered = []
        let id = connections[index].id
        let address = connections[index].server
        var server = servers[address] ?? FakeServer(runID: SentinelWorld.runID(for: address), role: .master)
        var replies: [SentinelInput] = []
        var published: [(channel: String, message: [UInt8])] = []
        for command in commands {
            let value = server.answer(command, address: address, world: &servers)
            if command.first?.uppercased() == "SUBSCRIBE", case .array = value { connections[index].subscribed = true }
            if command.count == 3, command[0].uppercased() == "PUBLISH" { published.append((command[1], Array(command[2].utf8))) }
            replies.append(.connectionReply(id, value))
        }
        servers[address] = server
        try feed(replies)
        for (channel, message) in published {
            try deliver(message: message, channel: channel, to: address)
        }
    }

    /// Delivers a pub/sub message to every subscribed connection to `server`.
    mutating func deliver(message: [UInt8], channel: String, to server: HostPort) throws(FuzzFailure) {
        let subscribers = connections.filter { $0.server == server && $0.subscribed && $0.established }.map(\.id)
        for id in subscribers where connections.contains(where: { $0.id == id }) {
            try feed(.connectionReply(id, .array([.bulk("message"), .bulk(channel), .bulkString(message)])))
        }
    }

    /// What the deployment's host names resolve to.
    static let hostnames = ["db.example": "10.0.2.1", "localhost": "127.0.0.1"]

    /// Reports the lookup of a host name the core asked for.
    mutating func resolve(_ index: Int, to address: String?) throws(FuzzFailure) {
        let host = pendingHostnames.remove(at: index)
        try feed(.hostnameResolved(host, address: address))
    }

    /// Lets the network settle: resolves host names, connects every pending connection and
    /// answers every command with its server's default answer, a few rounds (answers cause
    /// more commands).
    mutating func settle(localAddress: String) throws(FuzzFailure) {
        while let host = pendingHostnames.first, !exited {
            try resolve(0, to: SentinelWorld.hostnames[host])
        }
        var budget = 256
        for _ in 0..<4 {
            var progressed = false
            var index = 0
            while index < connections.count && !exited && budget > 0 {
                budget -= 1
                if !connections[index].established {
                    try establish(index, localAddress: localAddress)
                    progressed = true
                    continue  // the index now names the next connection, or this one established
                }
                if isAnswerable(index) {
                    try answerAll(index)
                    progressed = true
                    continue
                }
                index += 1
            }
            if !progressed || exited { return }
        }
    }

    // MARK: Clients

    mutating func connectClient(remoteAddress: String) throws(FuzzFailure) {
        let id = ClientID(nextClient)
        nextClient += 1
        clients.append(Client(id: id))
        try feed(.clientConnected(id, remoteAddress: remoteAddress, localAddress: "127.0.0.1:26379"))
    }

    mutating func disconnectClient(_ index: Int) throws(FuzzFailure) {
        let client = clients.remove(at: index)
        try feed(.clientDisconnected(client.id))
    }

    /// A stable run id for a server the world did not know.
    static func runID(for address: HostPort) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in "\(address.host):\(address.port)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211
        }
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for index in 0..<40 { bytes.append(digits[Int((hash >> UInt64((index % 16) * 4)) & 0xF)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// The bytes with ASCII letters in lower case.
    var lowercasedASCII: [UInt8] { map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 } }
}
