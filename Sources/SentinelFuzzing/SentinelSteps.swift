import RESP
import SentinelCore

/// Decodes a fuzz input into inputs for a `SentinelWorld`: each step's first byte picks what
/// happens next (time passes, alone or with a healthy network answering; the network
/// connects, answers or breaks; a peer publishes a hello; a client connects or sends a
/// command; the disk fills up or frees; a script finishes), the following bytes its details.
enum SentinelSteps {
    enum Kind {
        case tick, run, settle, establish, breakConnection, answer, hello
        case changeServer, connectClient, clientCommand, rawClientCommand, disconnectClient, diskFull
        case scriptEvent, resolveHostname, wallClockJump, shutdown
    }

    /// Step kinds by the value of their byte; the common ones appear several times.
    static let schedule: [Kind] = [
        .tick, .tick, .tick, .run, .run, .settle, .settle, .settle, .establish, .establish, .breakConnection,
        .answer, .answer, .answer, .answer, .answer, .answer, .hello, .hello, .hello, .hello,
        .changeServer, .changeServer, .connectClient, .clientCommand, .clientCommand, .clientCommand, .clientCommand,
        .rawClientCommand, .disconnectClient, .diskFull, .diskFull, .scriptEvent, .resolveHostname,
        .wallClockJump, .shutdown,
    ]

    static let localAddresses = ["10.0.0.100", "127.0.0.1", "::1", "10.0.0.1", "fe80::1"]
    static let remoteAddresses = ["127.0.0.1:50000", "10.9.9.9:40000", "[::1]:50001", "10.0.0.10:5555"]

    /// Decodes and applies one step.
    static func apply(_ input: inout FuzzInput, to world: inout SentinelWorld) throws(FuzzFailure) {
        switch input.pick(schedule) {
        case .tick:
            // Mostly steps the timer makes; sometimes gaps that put the sentinel in TILT.
            let steps = input.number(below: 4) == 0 ? FuzzDictionary.timeSteps : FuzzDictionary.timerSteps
            try world.tick(after: input.pick(steps) + Milliseconds(input.byte() & 0x3F))
        case .run:
            // A while of healthy network: ticks every 100 ms, every command answered.
            let local = input.pick(localAddresses)
            for _ in 0...input.number(below: 64) where !world.exited {
                try world.tick(after: 100)
                try world.settle(localAddress: local)
            }
        case .settle:
            try world.settle(localAddress: input.pick(localAddresses))
        case .establish:
            let pending = world.connections.indices.filter { !world.connections[$0].established }
            guard !pending.isEmpty else { return }
            try world.establish(input.pick(pending), localAddress: input.pick(localAddresses))
        case .breakConnection:
            guard !world.connections.isEmpty else { return }
            try world.breakConnection(input.number(below: world.connections.count))
        case .answer:
            try answer(&input, world: &world)
        case .hello:
            let subscribed = world.connections.indices.filter { world.connections[$0].subscribed }
            guard !subscribed.isEmpty else { return }
            let id = world.connections[input.pick(subscribed)].id
            let payload = input.number(below: 2) == 0 && !input.isExhausted ? input.data(maximum: 160) : Array(HelloText.make(&input).utf8)
            let message: RESPValue = .array([.bulk("message"), .bulk(input.number(below: 8) == 0 ? "x" : "__sentinel__:hello"), .bulkString(payload)])
            try world.feed(.connectionReply(id, message))
        case .changeServer:
            changeServer(&input, world: &world)
        case .connectClient:
            try world.connectClient(remoteAddress: input.pick(remoteAddresses))
        case .clientCommand, .rawClientCommand:
            if world.clients.isEmpty { try world.connectClient(remoteAddress: remoteAddresses[0]) }
            let client = world.clients[input.number(below: world.clients.count)].id
            let arguments: [[UInt8]]
            if input.bool() {
                arguments = ClientCommandGrammar.command(&input)
            } else {
                arguments = (0...input.number(below: 6)).map { _ in input.data(maximum: 48) }
            }
            try world.feed(.clientCommand(client, arguments.map(RequestArgument.init)))
        case .disconnectClient:
            guard !world.clients.isEmpty else { return }
            try world.disconnectClient(input.number(below: world.clients.count))
        case .diskFull:
            world.writesFail.toggle()
        case .scriptEvent:
            guard !world.runningScripts.isEmpty else { return }
            let index = input.number(below: world.runningScripts.count)
            let script = world.runningScripts[index]
            switch input.number(below: 5) {
            case 0:
                try world.feed(.scriptStarted(script, pid: Int32(input.number(below: 30000))))
            case 1:
                world.runningScripts.remove(at: index)
                try world.feed(.scriptFinished(script, .signaled(signal: 9)))
            case 2:
                world.runningScripts.remove(at: index)
                try world.feed(.scriptFinished(script, .spawnFailed(reason: "No such file or directory")))
            default:
                world.runningScripts.remove(at: index)
                try world.feed(.scriptFinished(script, .exited(code: input.pick([0, 1, 2, 255, -1]))))
            }
        case .resolveHostname:
            guard !world.pendingHostnames.isEmpty else { return }
            try world.resolve(input.number(below: world.pendingHostnames.count), to: input.pick(["10.0.2.1", "10.0.0.1", "::1", nil]))
        case .wallClockJump:
            world.time.wallClock = input.pick([0, 1, 1_700_000_000_000, 4_102_444_800_000, 253_402_300_799_000, SentinelWorld.latestTime])
        case .shutdown:
            try world.feed(.shutdownRequested(signalName: "SIGTERM"))
        }
    }

    /// Answers the oldest command on an established connection: as its server would, with a
    /// hostile reply for that command, or with a value read from raw bytes (as the shell reads
    /// them; a protocol error closes the connection, as the shell does).
    static func answer(_ input: inout FuzzInput, world: inout SentinelWorld) throws(FuzzFailure) {
        let waiting = world.connections.indices.filter { world.connections[$0].established && !world.connections[$0].unanswered.isEmpty }
        guard !waiting.isEmpty else { return }
        let index = input.pick(waiting)
        let connection = world.connections[index]
        switch input.number(below: 4) {
        case 0, 1:
            try world.answer(index)
        case 2:
            let server = world.servers[connection.server] ?? FakeServer(runID: "", role: .master)
            try world.answer(index, with: HostileReplies.reply(to: connection.unanswered[0], server: server, &input))
        default:
            var parser = RESPReplyParser(limits: .instanceReplies)
            parser.append(input.data())
            let value: RESPValue?
            do throws(RESPProtocolError) {
                value = try parser.next()
            } catch {
                return try world.breakConnection(index)
            }
            if let value { try world.answer(index, with: value) }
        }
    }

    /// Changes how one server of the deployment behaves from now on.
    static func changeServer(_ input: inout FuzzInput, world: inout SentinelWorld) {
        let addresses = world.servers.keys.sorted { ($0.host, $0.port) < ($1.host, $1.port) }
        guard !addresses.isEmpty else { return }
        let address = input.pick(addresses)
        guard var server = world.servers[address] else { return }
        switch input.number(below: 10) {
        case 0: server.role = server.role == .master ? .replica : .master
        case 1:
            let master = input.pick(addresses)
            server.role = .replica
            server.masterHost = master.host
            server.masterPort = master.port
        case 2: server.extraInfoLines = HostileReplies.infoLines(&input)
        case 3: server.extraInfoLines = []
        case 4: server.isDown.toggle()
        case 5: server.obeysSlaveOf.toggle()
        case 6: server.votePolicy = input.pick(FakeServer.VotePolicy.allCases)
        case 7: server.masterLinkUp.toggle()
        case 8:
            server.priority = input.pick([0, 1, 100, 1000, Int(Int32.max)])
            server.offset = input.pick([0, 1, 1000, 5000, Int64.max])
        default:
            server.pingReply = input.pick([.status("PONG"), .errorText("LOADING x"), .errorText("BUSY x"), .errorText("ERR x")])
        }
        world.servers[address] = server
    }
}
