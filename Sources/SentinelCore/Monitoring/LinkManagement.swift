import RESP

extension Sentinel {
    /// Opens the missing connections of a disconnected link, each at most once per ping
    /// period (§1.3; Redis limits both together, so a pub/sub connection reopened just
    /// before delays the command connection — and its PING — by up to a ping period). The
    /// command connection is greeted with AUTH (if credentials apply), CLIENT SETNAME and a
    /// PING; the pub/sub one with AUTH, CLIENT SETNAME and SUBSCRIBE.
    mutating func reconnect(_ instanceID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let linkID = instances.field(instanceID, \.link), links.field(linkID, \.isDisconnected) == true,
              let instance = instances[instanceID], var link = links[linkID] else { return }
        guard instance.address.port != 0 else { return }
        let reconnectCommand = link.commandConnection == nil && now - link.lastCommandReconnectTime >= timings.pingPeriod
        let reconnectPubSub = link.needsPubSub && link.pubSubConnection == nil && now - link.lastPubSubReconnectTime >= timings.pingPeriod
        guard reconnectCommand || reconnectPubSub else { return }
        // A hostname is looked up again before each new command connection (the instance
        // may have moved); the connection uses the last address known.
        if configuration.resolveHostnames && !IPAddressLiteral.isLiteral(instance.address.host) && reconnectCommand {
            turn.append(.resolveHostname(instance.address.host))
        }
        if reconnectCommand { link.lastCommandReconnectTime = now }
        if reconnectPubSub { link.lastPubSubReconnectTime = now }
        guard let ip = ipAddress(of: instance.address.host) else {
            links[link.id] = link
            return
        }
        if reconnectCommand {
            let connection = makeConnectionID()
            link.commandConnection = connection
            link.commandConnected = false
            link.pendingReplies.removeAll()
            link.commandConnectedTime = now
            connectionOwners[connection] = (link.id, false)
            turn.append(.connect(connection, host: ip, port: instance.address.port, sourceAddress: configuration.bindSourceAddress))
            links[link.id] = link
            sendGreeting(on: connection, for: instance, role: "cmd", turn: &turn)
            sendPing(instanceID, now: now, turn: &turn)
            link = links[link.id]!
        }
        if reconnectPubSub {
            let connection = makeConnectionID()
            link.pubSubConnection = connection
            link.pubSubConnected = false
            link.pubSubConnectedTime = now
            link.pubSubLastActivity = now
            link.pubSubGreetingReplies = credentials(for: instance) == nil ? 1 : 2
            connectionOwners[connection] = (link.id, true)
            turn.append(.connect(connection, host: ip, port: instance.address.port, sourceAddress: configuration.bindSourceAddress))
            links[link.id] = link
            sendGreeting(on: connection, for: instance, role: "pubsub", turn: &turn)
            write(command(["SUBSCRIBE", HelloMessage.channel], for: instance), on: connection, turn: &turn)
        } else {
            links[link.id] = link
        }
    }

    mutating func makeConnectionID() -> ConnectionID {
        defer { nextConnectionID += 1 }
        return ConnectionID(nextConnectionID)
    }

    /// AUTH (when credentials apply, §14) and `CLIENT SETNAME sentinel-<id8>-<role>`.
    mutating func sendGreeting(on connection: ConnectionID, for instance: MonitoredInstance, role: String, turn: inout Turn) {
        let isCommand = role == "cmd"
        if let credentials = credentials(for: instance) {
            // The password goes out as the bytes configured.
            let arguments = [Array("AUTH".utf8)] + (credentials.user.map { [Array($0.utf8)] } ?? []) + [credentials.password.bytes]
            if isCommand {
                sendCommand(arguments, to: instance.id, expecting: .ignored, turn: &turn)
            } else {
                write(command(arguments, for: instance), on: connection, turn: &turn)
            }
        }
        let name = ["CLIENT", "SETNAME", "sentinel-\(myID.prefix(8))-\(role)"]
        if isCommand {
            sendCommand(name, to: instance.id, expecting: .ignored, turn: &turn)
        } else {
            write(command(name, for: instance), on: connection, turn: &turn)
        }
    }

    /// The credentials for an instance (§14): a master's `auth-pass`/`auth-user` for it and its
    /// replicas; for sentinels `sentinel-user`/`sentinel-pass`, else our own `requirepass`.
    func credentials(for instance: MonitoredInstance) -> (user: String?, password: Secret)? {
        switch instance.kind {
        case .master, .replica:
            let masterID = instance.kind == .master ? instance.id : instance.master
            guard let masterID, let state = masters[masterID], let password = state.authPass else { return nil }
            return (state.authUser, password)
        case .sentinel:
            if let password = configuration.sentinelPass { return (configuration.sentinelUser, password) }
            if let password = configuration.requirePass { return (nil, password) }
            return nil
        }
    }

    /// Encodes a command, mapping its name through the master's `rename-command` table
    /// (case-insensitive; subcommands are never mapped, §1.3).
    func command(_ arguments: [String], for instance: MonitoredInstance) -> [UInt8] {
        var arguments = arguments
        let masterID = instance.kind == .master ? instance.id : instance.master
        if let masterID, let renamed = masters[masterID]?.renamedCommands[arguments[0].lowercased()] {
            arguments[0] = renamed
        }
        var bytes: [UInt8] = []
        RESPEncoder.encodeCommand(arguments, into: &bytes)
        return bytes
    }

    /// `command` for arguments given as bytes (the name is mapped the same way).
    func command(_ arguments: [[UInt8]], for instance: MonitoredInstance) -> [UInt8] {
        var arguments = arguments
        let masterID = instance.kind == .master ? instance.id : instance.master
        if let masterID, let renamed = masters[masterID]?.renamedCommands[String(decoding: arguments[0], as: UTF8.self).lowercased()] {
            arguments[0] = Array(renamed.utf8)
        }
        var bytes: [UInt8] = []
        RESPEncoder.encodeCommand(arguments, into: &bytes)
        return bytes
    }

    mutating func write(_ bytes: [UInt8], on connection: ConnectionID, turn: inout Turn) {
        turn.append(.sendOnConnection(connection, bytes))
    }

    /// Sends a command on an instance's command connection and remembers what its reply
    /// answers. Returns false when there is no command connection.
    @discardableResult
    mutating func sendCommand(_ arguments: [String], to instanceID: InstanceID, expecting kind: PendingReply.Kind, turn: inout Turn) -> Bool {
        guard let instance = instances[instanceID], let linkID = links[instance.link]?.id,
              let connection = links[linkID]?.commandConnection else { return false }
        links[linkID]!.pendingReplies.append(PendingReply(kind, instance: instanceID))
        write(command(arguments, for: instance), on: connection, turn: &turn)
        return true
    }

    /// `sendCommand` for arguments given as bytes (AUTH with a password).
    @discardableResult
    mutating func sendCommand(_ arguments: [[UInt8]], to instanceID: InstanceID, expecting kind: PendingReply.Kind, turn: inout Turn) -> Bool {
        guard let instance = instances[instanceID], let linkID = links[instance.link]?.id,
              let connection = links[linkID]?.commandConnection else { return false }
        links[linkID]!.pendingReplies.append(PendingReply(kind, instance: instanceID))
        write(command(arguments, for: instance), on: connection, turn: &turn)
        return true
    }

    /// Sends a PING, starting the outstanding-ping clock if none was outstanding (§3.1).
    mutating func sendPing(_ instanceID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let linkID = instances[instanceID]?.link else { return }
        guard sendCommand(["PING"], to: instanceID, expecting: .ping, turn: &turn) else { return }
        links[linkID]?.lastPingTime = now
        if links[linkID]?.activePingTime == 0 { links[linkID]?.activePingTime = now }
    }

    /// The shell connected one of our connections.
    mutating func handleConnectionEstablished(_ connection: ConnectionID, localAddress: String, now: Milliseconds, turn: inout Turn) {
        guard let owner = connectionOwners[connection], var link = links[owner.link] else { return }
        if owner.isPubSub {
            link.pubSubConnected = true
            link.pubSubLastActivity = now
        } else {
            link.commandConnected = true
            link.commandEstablishedTime = now
            link.localAddress = localAddress
        }
        // A link back after a break announces our configurations at once. A new one does not:
        // at start-up the first hellos follow a hello period after the instance was added, as
        // in Redis, by which time the replicas' INFO is in (clients and Redis's suite take
        // "every peer discovered" to mean the replicas can be failed over to).
        let announce = !link.isDisconnected && link.wasConnected
        if !link.isDisconnected { link.wasConnected = true }
        links[owner.link] = link
        if announce {
            for user in link.users { announceNow(to: user, now: now, turn: &turn) }
        }
    }

    /// A connection failed or broke: the link is disconnected and reconnects on a later tick.
    mutating func handleConnectionClosed(_ connection: ConnectionID, reason: String, now: Milliseconds, turn: inout Turn) {
        // A command connection that never opened is a failed attempt (refused, timed out); one
        // the server ended voids the PING outstanding on it: the server was alive to end it.
        if let owner = connectionOwners[connection], !owner.isPubSub {
            if links.field(owner.link, \.commandConnected) == false {
                links[owner.link]?.commandConnectFailureTime = now
            } else {
                links[owner.link]?.activePingTime = 0
            }
        }
        guard let owner = forgetConnection(connection) else { return }
        if let user = links.field(owner.link, \.firstUser), let instance = instances[user] {
            emitEvent(owner.isPubSub ? .pubSubLinkReconnection : .commandLinkReconnection, about: instance, "#\(reason)", turn: &turn)
        }
    }

    /// Closes one connection of a link on purpose (health checks, credential changes).
    mutating func closeConnection(_ connection: ConnectionID?, turn: inout Turn) {
        guard let connection, forgetConnection(connection) != nil else { return }
        turn.append(.closeConnection(connection))
    }

    /// Detaches a connection from its link (which becomes disconnected); returns its owner.
    mutating func forgetConnection(_ connection: ConnectionID) -> (link: LinkID, isPubSub: Bool)? {
        guard let owner = connectionOwners.removeValue(forKey: connection) else { return nil }
        guard var link = links[owner.link] else { return owner }
        // The wake-up rule (`DueSchedule`): reconnecting, the periodic commands and the
        // health checks of every user read the link.
        wakeUsers(of: owner.link)
        if owner.isPubSub {
            link.pubSubConnection = nil
            link.pubSubConnected = false
        } else {
            link.commandConnection = nil
            link.commandConnected = false
            link.pendingReplies.removeAll()
        }
        links[owner.link] = link
        return owner
    }

    /// `SENTINEL SET … auth-pass/auth-user/rename-command`: the master and its replicas move
    /// to the links their new credentials or command names call for (`rehomeServerLink`);
    /// with new credentials, a link they have to themselves reconnects.
    mutating func rehomeLinks(ofMasterAndReplicas masterID: InstanceID, reconnecting: Bool, turn: inout Turn) {
        for id in [masterID] + (masters[masterID]?.replicas ?? []) {
            rehomeServerLink(of: id, reconnecting: reconnecting, now: currentTime, turn: &turn)
        }
    }

    /// `SENTINEL CONFIG SET sentinel-user/sentinel-pass`: reconnect every sentinel link.
    mutating func dropSentinelConnections(turn: inout Turn) {
        for instance in instances.values where instance.kind == .sentinel {
            guard let link = links[instance.link] else { continue }
            closeConnection(link.commandConnection, turn: &turn)
        }
    }

    /// A reply or push arrived: pub/sub messages go to hello processing, command replies to
    /// the handler of the oldest outstanding request.
    mutating func handleConnectionReply(_ connection: ConnectionID, _ value: RESPValue, at time: Timestamp, turn: inout Turn) {
        // The link is changed in place, never copied out and back: a link shared by many
        // entries holds a large queue of outstanding replies, and a copy would duplicate it
        // for every reply.
        guard let owner = connectionOwners[connection], links.field(owner.link, \.id) != nil else { return }
        let now = time.monotonic
        if owner.isPubSub {
            links[owner.link]?.pubSubLastActivity = now
            if let greetingReplies = links.field(owner.link, \.pubSubGreetingReplies), greetingReplies > 0 {
                links[owner.link]?.pubSubGreetingReplies = greetingReplies - 1
                return
            }
            if value.isError {
                // SUBSCRIBE was refused (e.g. -NOAUTH): the connection cannot carry hellos, so
                // it is dropped and the link counts as disconnected until a reconnect works.
                closeConnection(connection, turn: &turn)
                return
            }
            receivePubSubMessage(value, now: now, turn: &turn)
            return
        }
        guard let pending = links[owner.link]?.pendingReplies.popFirst() else { return }
        guard let instanceID = pending.instance, instances[instanceID] != nil else { return }
        switch pending.kind {
        case .ignored:
            break
        case .ping:
            receivePingReply(value, from: instanceID, now: now, turn: &turn)
        case .info:
            if case .bulkString(let bytes) = value {
                applyInfo(bytes, to: instanceID, now: now, turn: &turn)
            }
        case .hello:
            if !value.isError { instances[instanceID]?.lastPublishTime = now }
        case .isMasterDownByAddress:
            receiveIsMasterDownReply(value, from: instanceID, now: now, turn: &turn)
        case .epochProbe:
            receiveEpochProbeReply(value, from: instanceID, now: now, turn: &turn)
        case .serverFailover:
            receiveServerFailoverReply(value, from: instanceID, now: now, turn: &turn)
        }
    }

    /// PING replies (§3.1): any reply refreshes `last-ping-reply`; `PONG`, `LOADING` and
    /// `MASTERDOWN` are valid and end the outstanding ping; `-BUSY` on an SDOWN instance sends
    /// SCRIPT KILL once.
    mutating func receivePingReply(_ value: RESPValue, from instanceID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let instance = instances[instanceID], var link = links[instance.link] else { return }
        switch value {
        case .simpleString(let bytes), .error(let bytes):
            let text = String(decoding: bytes.prefix(10), as: UTF8.self)
            if text.hasPrefix("PONG") || text.hasPrefix("LOADING") || text.hasPrefix("MASTERDOWN") {
                link.lastAvailableTime = now
                link.activePingTime = 0
                if text.hasPrefix("PONG") { instances[instanceID]?.flags.remove(.masterReboot) }
            } else if text.hasPrefix("BUSY") && instance.flags.contains(.subjectivelyDown) && !instance.flags.contains(.scriptKillSent) {
                links[instance.link] = link
                sendCommand(["SCRIPT", "KILL"], to: instanceID, expecting: .ignored, turn: &turn)
                link = links[instance.link]!
                instances[instanceID]?.flags.insert(.scriptKillSent)
            }
        default:
            break
        }
        link.lastPongTime = now
        links[instance.link] = link
    }

    static let messageKind = Array("message".utf8)

    /// A pub/sub push: `message __sentinel__:hello <payload>` is a hello (our own are dropped
    /// by `processHello` once parsed, which is cheaper than searching the text for our id).
    mutating func receivePubSubMessage(_ value: RESPValue, now: Milliseconds, turn: inout Turn) {
        guard case .array(let items) = value, items.count == 3,
              case .bulkString(let kind) = items[0], kind.count == 7, kind == Sentinel.messageKind,
              case .bulkString(let payload) = items[2] else { return }
        processHello(payload, now: now, turn: &turn)
    }
}
