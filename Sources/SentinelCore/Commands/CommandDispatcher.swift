import RESP

extension Sentinel {
    /// Runs one client command: lookup, arity and authentication checks with Redis's error
    /// texts (client libraries match on them), then the command itself (§10.1).
    mutating func handleClientCommand(_ client: ClientID, _ arguments: [RequestArgument], at time: Timestamp, turn: inout Turn) {
        guard let sessionIndex = clients.index(of: client), !clients[position: sessionIndex].closing, let first = arguments.first else { return }
        statistics.totalCommandsProcessed += 1
        clients[position: sessionIndex].lastCommandTime = time.monotonic

        guard var command = commandTable.lookup(typed: first) else {
            return replyError(to: client, unknownCommandMessage(String(decoding: first, as: UTF8.self), arguments), turn: &turn)
        }
        let topLevelCommand = command
        if !command.subcommands.isEmpty && arguments.count >= 2 {
            guard let subcommand = command.subcommand(matching: arguments[1]) else {
                let subcommand = String(decoding: arguments[1].prefix(128), as: UTF8.self)
                let typed = String(decoding: first, as: UTF8.self).uppercased()
                return replyError(to: client, "ERR unknown subcommand '\(subcommand)'. Try \(typed) HELP.", turn: &turn)
            }
            command = subcommand
        }
        clients[position: sessionIndex].lastCommand = command.name
        if !command.route.isReadOnlyQuery { stateVersion &+= 1 }
        guard command.accepts(argumentCount: arguments.count) else {
            return replyError(to: client, "ERR wrong number of arguments for '\(command.name)' command", turn: &turn)
        }
        if !command.allowedBeforeAuthentication && requiresAuthentication(at: sessionIndex) {
            return replyError(to: client, "NOAUTH Authentication required.", turn: &turn)
        }
        if let user = clients[position: sessionIndex].user, user != "default" || userDirectory.restrictsDefaultUser {
            switch userDirectory.denial(of: user, running: command, in: topLevelCommand, arguments: arguments) {
            case .command:
                return replyError(to: client, "NOPERM this user has no permissions to run the '\(command.name)' command", turn: &turn)
            case .channel:
                return replyError(to: client, "NOPERM this user has no permissions to access one of the channels used as arguments", turn: &turn)
            case nil:
                break
            }
        }
        if clients[position: sessionIndex].protocolVersion == .resp2 && clients[position: sessionIndex].subscriptionCount > 0
            && !command.route.isAllowedWhileSubscribed {
            return replyError(to: client, "ERR Can't execute '\(command.name)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", turn: &turn)
        }
        if topLevelCommand.route == .sentinel && Sentinel.wakesEverything(command.route) { schedule.wakeEverything() }
        switch topLevelCommand.route {
        case .ping: pingCommand(client, at: sessionIndex, arguments, turn: &turn)
        case .info: infoCommand(client, arguments, at: time, turn: &turn)
        case .role: reply(to: client, .array([.bulk("sentinel"), .array(masterOrder.compactMap { instances[$0].map { .bulk($0.name) } })]), turn: &turn)
        case .publish: publishCommand(client, arguments, at: time, turn: &turn)
        case .shutdown: shutdownCommand(client, arguments, turn: &turn)
        case .sentinel: sentinelCommand(client, command, arguments, at: time, turn: &turn)
        default:
            // The rarely used commands take their arguments as text.
            let text = arguments.map { String(decoding: $0, as: UTF8.self) }
            switch topLevelCommand.route {
            case .auth: authCommand(client, arguments, turn: &turn)
            case .hello: helloCommand(client, arguments, turn: &turn)
            case .client: clientCommand(client, text, at: time, turn: &turn)
            case .command: commandCommand(client, text, turn: &turn)
            case .acl: aclCommand(client, arguments, turn: &turn)
            case .subscribe, .psubscribe: subscribeCommand(client, text, patterns: command.route == .psubscribe, turn: &turn)
            case .unsubscribe, .punsubscribe: unsubscribeCommand(client, text, patterns: command.route == .punsubscribe, turn: &turn)
            default: replyError(to: client, unknownCommandMessage(String(decoding: first, as: UTF8.self), arguments), turn: &turn)
            }
        }
    }

    /// Whether `client` has yet to authenticate (Redis's `authRequired`): the default user has
    /// a password or is disabled, and the client has not authenticated. Until it has, Redis
    /// answers only AUTH, HELLO and QUIT, and reads no request with more than 10 arguments or
    /// an argument longer than 16384 bytes (CVE-2021-32675); the shell keeps its request
    /// parser's limits in step with this before reading each command.
    public func requiresAuthentication(_ client: ClientID) -> Bool {
        guard userDirectory.authenticationRequired, let index = clients.index(of: client) else { return false }
        return clients[position: index].user == nil
    }

    /// `requiresAuthentication` of the client at `index` of `clients`.
    func requiresAuthentication(at index: Int) -> Bool {
        userDirectory.authenticationRequired && clients[position: index].user == nil
    }

    /// `unknown command '<name>', with args beginning with: '<a>' '<b>' ` (Redis 7.0's text,
    /// arguments cut after 128 characters; the encoder turns CR/LF into spaces).
    func unknownCommandMessage(_ name: String, _ arguments: [RequestArgument]) -> String {
        var listed = ""
        for argument in arguments.dropFirst() where listed.utf8.count < 128 {
            let room = 128 - listed.utf8.count
            listed += "'\(String(decoding: argument.prefix(room), as: UTF8.self))' "
        }
        return "ERR unknown command '\(String(name.utf8.prefix(128)) ?? name)', with args beginning with: \(listed)"
    }

    // MARK: Replies

    /// Encodes `value` in the client's protocol version and queues it.
    mutating func reply(to client: ClientID, _ value: RESPValue, turn: inout Turn) {
        guard let index = clients.index(of: client) else { return }
        if value.isError { statistics.totalErrorReplies += 1 }
        var bytes: [UInt8] = []
        RESPEncoder.encode(value, as: clients[position: index].protocolVersion, into: &bytes)
        replyEncoded(to: client, bytes, turn: &turn)
    }

    /// Queues an already encoded reply, honouring `CLIENT REPLY OFF|SKIP`.
    mutating func replyEncoded(to client: ClientID, _ bytes: [UInt8], turn: inout Turn) {
        guard let index = clients.index(of: client) else { return }
        replyEncoded(toClientAt: index, client, bytes, turn: &turn)
    }

    /// `replyEncoded(to:_:turn:)` for the client at `index` of `clients`.
    mutating func replyEncoded(toClientAt index: Int, _ client: ClientID, _ bytes: [UInt8], turn: inout Turn) {
        switch clients[position: index].replyMode {
        case .on: break
        case .off: return
        case .skipNext:
            clients[position: index].replyMode = .on
            return
        }
        turn.append(.sendToClient(client, bytes))
    }

    /// Closes a client once its pending replies are written; commands it already sent are not
    /// run (Redis's `CLIENT_CLOSE_AFTER_REPLY`).
    mutating func closeClient(_ client: ClientID, turn: inout Turn) {
        if let index = clients.index(of: client) { clients[position: index].closing = true }
        turn.append(.closeClient(client))
    }

    mutating func replyError(to client: ClientID, _ text: String, turn: inout Turn) {
        reply(to: client, .errorText(text), turn: &turn)
    }

    mutating func removeClient(_ client: ClientID) {
        guard let session = clients.removeValue(forKey: client) else { return }
        removeSubscriptions(of: session)
    }

    // MARK: Connection commands

    /// `PING [message]`: `+PONG` or the message; `*2 pong <message>` for a subscribed RESP2
    /// client. `index` is the client's position in `clients` (the dispatcher found it).
    mutating func pingCommand(_ client: ClientID, at index: Int, _ arguments: [RequestArgument], turn: inout Turn) {
        guard arguments.count <= 2 else {
            return replyError(to: client, "ERR wrong number of arguments for 'ping' command", turn: &turn)
        }
        if clients[position: index].protocolVersion == .resp2 && clients[position: index].subscriptionCount > 0 {
            return reply(to: client, .array([.bulk("pong"), .bulkString(arguments.count == 2 ? arguments[1].bytes : [])]), turn: &turn)
        }
        if arguments.count == 2 {
            return reply(to: client, .bulkString(arguments[1].bytes), turn: &turn)
        }
        replyEncoded(toClientAt: index, client, Sentinel.pongReply, turn: &turn)
    }

    /// `+PONG\r\n`, encoded once.
    static let pongReply: [UInt8] = Array("+PONG\r\n".utf8)

    /// `AUTH [user] password`; the password is compared as the bytes sent.
    mutating func authCommand(_ client: ClientID, _ arguments: [RequestArgument], turn: inout Turn) {
        guard arguments.count <= 3 else {
            return replyError(to: client, "ERR syntax error", turn: &turn)
        }
        let user = arguments.count == 3 ? String(decoding: arguments[1], as: UTF8.self) : "default"
        let password = arguments[arguments.count - 1].bytes
        if arguments.count == 2 && !userDirectory.authenticationRequired {
            return replyError(to: client, "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?", turn: &turn)
        }
        if userDirectory.authenticate(user: user, password: password) {
            clients[client]?.user = user
            reply(to: client, .ok, turn: &turn)
        } else {
            replyError(to: client, "WRONGPASS invalid username-password pair or user is disabled.", turn: &turn)
        }
    }

    /// `HELLO [protover [AUTH user pass] [SETNAME name]]`: switches RESP2/RESP3 and answers the
    /// server map (`mode` sentinel, no `role`).
    mutating func helloCommand(_ client: ClientID, _ rawArguments: [RequestArgument], turn: inout Turn) {
        let arguments = rawArguments.map { String(decoding: $0, as: UTF8.self) }
        var version: RESPVersion?
        var index = 1
        if arguments.count >= 2 {
            guard let number = Int64(arguments[1]) else {
                return replyError(to: client, "ERR Protocol version is not an integer or out of range", turn: &turn)
            }
            guard number == 2 || number == 3 else {
                return replyError(to: client, "NOPROTO unsupported protocol version", turn: &turn)
            }
            version = number == 3 ? .resp3 : .resp2
            index = 2
        }
        var newName: String?
        var credentials: (String, [UInt8])?
        while index < arguments.count {
            let option = arguments[index].lowercased()
            if option == "auth" && index + 2 < arguments.count {
                credentials = (arguments[index + 1], rawArguments[index + 2].bytes)
                index += 3
            } else if option == "setname" && index + 1 < arguments.count {
                newName = arguments[index + 1]
                index += 2
            } else {
                return replyError(to: client, "ERR Syntax error in HELLO option '\(arguments[index])'", turn: &turn)
            }
        }
        if let (user, password) = credentials {
            guard userDirectory.authenticate(user: user, password: password) else {
                return replyError(to: client, "WRONGPASS invalid username-password pair or user is disabled.", turn: &turn)
            }
            clients[client]?.user = user
        }
        if clients[client]?.user == nil && userDirectory.authenticationRequired {
            return replyError(to: client, "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time", turn: &turn)
        }
        if let newName {
            guard isValidClientName(newName) else {
                return replyError(to: client, "ERR Client names cannot contain spaces, newlines or special characters.", turn: &turn)
            }
            clients[client]?.name = newName.isEmpty ? nil : newName
        }
        if let version { clients[client]?.protocolVersion = version }
        let protocolNumber: Int64 = clients[client]?.protocolVersion == .resp3 ? 3 : 2
        reply(to: client, .map([
            RESPMapEntry(.bulk("server"), .bulk("redis")),
            RESPMapEntry(.bulk("version"), .bulk(configuration.redisCompatibility.redisVersion)),
            RESPMapEntry(.bulk("proto"), .integer(protocolNumber)),
            RESPMapEntry(.bulk("id"), .integer(Int64(client.rawValue))),
            RESPMapEntry(.bulk("mode"), .bulk("sentinel")),
            RESPMapEntry(.bulk("modules"), .array([])),
        ]), turn: &turn)
    }

    /// Client names are printable ASCII without spaces (Redis's rule).
    func isValidClientName(_ name: String) -> Bool {
        name.utf8.allSatisfy { $0 > 32 && $0 < 127 }
    }

    /// `SHUTDOWN` and SIGTERM/SIGINT: flush the configuration, then exit 0 (a sentinel never
    /// saves a dataset).
    mutating func shutdown(reason: String, turn: inout Turn) {
        log(.warning, reason, turn: &turn)
        persistConfiguration(turn: &turn)
        log(.warning, "Sentinel is now ready to exit, bye bye...", turn: &turn)
        exitProcess(code: 0, turn: &turn)
    }

    /// The Redis version a sentinel reports by default (`redis-compatibility 7.0`); `INFO` and
    /// `HELLO` report the configured one.
    public static let redisVersion = RedisCompatibility.redis70.redisVersion
}
