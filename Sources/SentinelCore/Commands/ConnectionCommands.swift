import RESP

extension Sentinel {
    /// `CLIENT <subcommand>` (§10.1).
    mutating func clientCommand(_ client: ClientID, _ arguments: [String], at time: Timestamp, turn: inout Turn) {
        guard let session = clients[client] else { return }
        switch arguments[1].lowercased() {
        case "id":
            reply(to: client, .integer(Int64(client.rawValue)), turn: &turn)
        case "getname":
            reply(to: client, session.name.map { .bulk($0) } ?? .nullBulkString, turn: &turn)
        case "setname":
            guard isValidClientName(arguments[2]) else {
                return replyError(to: client, "ERR Client names cannot contain spaces, newlines or special characters.", turn: &turn)
            }
            clients[client]?.name = arguments[2].isEmpty ? nil : arguments[2]
            reply(to: client, .ok, turn: &turn)
        case "setinfo":
            let attribute = arguments[2].lowercased()
            guard attribute == "lib-name" || attribute == "lib-ver" else {
                return replyError(to: client, "ERR Unrecognized option '\(arguments[2])'", turn: &turn)
            }
            if attribute == "lib-name" { clients[client]?.libraryName = arguments[3] } else { clients[client]?.libraryVersion = arguments[3] }
            reply(to: client, .ok, turn: &turn)
        case "info":
            reply(to: client, .verbatim(format: Array("txt".utf8), text: Array((session.listLine(now: time.monotonic) + "\n").utf8)), turn: &turn)
        case "list":
            clientListCommand(client, arguments, now: time.monotonic, turn: &turn)
        case "kill":
            clientKillCommand(client, arguments, turn: &turn)
        case "reply":
            switch arguments[2].lowercased() {
            case "on": clients[client]?.replyMode = .on; reply(to: client, .ok, turn: &turn)
            case "off": clients[client]?.replyMode = .off
            case "skip": clients[client]?.replyMode = .skipNext
            default: replyError(to: client, "ERR syntax error", turn: &turn)
            }
        case "getredir":
            reply(to: client, .integer(-1), turn: &turn)
        case "trackinginfo":
            reply(to: client, .map([
                RESPMapEntry(.bulk("flags"), .set([.bulk("off")])),
                RESPMapEntry(.bulk("redirect"), .integer(-1)),
                RESPMapEntry(.bulk("prefixes"), .array([])),
            ]), turn: &turn)
        case "no-evict", "unpause", "pause":
            reply(to: client, .ok, turn: &turn)
        case "help":
            reply(to: client, helpReply(for: "CLIENT", [
                "ID", "    Return the ID of the current connection.",
                "GETNAME", "    Return the name of the current connection.",
                "SETNAME <name>", "    Assign the name <name> to the current connection.",
                "SETINFO <option> <value>", "    Set client meta attr (lib-name, lib-ver).",
                "INFO", "    Return information about the current client connection.",
                "LIST [TYPE <type>] [ID <id> ...]", "    Return information about client connections.",
                "KILL <ip:port> | <option> <value> [...]", "    Kill connections (ID, TYPE, USER, ADDR, LADDR, SKIPME).",
                "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
            ]), turn: &turn)
        default:
            replyError(to: client, "ERR CLIENT \(arguments[1].uppercased()) is not supported by a sentinel", turn: &turn)
        }
    }

    /// `CLIENT LIST [TYPE normal|pubsub|…] [ID id …]`.
    mutating func clientListCommand(_ client: ClientID, _ arguments: [String], now: Milliseconds, turn: inout Turn) {
        var selected = clients.values
        if arguments.count == 4 && arguments[2].lowercased() == "type" {
            switch arguments[3].lowercased() {
            case "normal": selected = selected.filter { $0.subscriptionCount == 0 }
            case "pubsub": selected = selected.filter { $0.subscriptionCount > 0 }
            case "master", "replica", "slave": selected = []
            default: return replyError(to: client, "ERR Unknown client type '\(arguments[3])'", turn: &turn)
            }
        } else if arguments.count >= 4 && arguments[2].lowercased() == "id" {
            var ids: Set<UInt64> = []
            for text in arguments.dropFirst(3) {
                guard let id = UInt64(text), id > 0 else {
                    return replyError(to: client, "ERR Invalid client ID", turn: &turn)
                }
                ids.insert(id)
            }
            selected = selected.filter { ids.contains($0.id.rawValue) }
        } else if arguments.count != 2 {
            return replyError(to: client, "ERR syntax error", turn: &turn)
        }
        let text = selected.map { $0.listLine(now: now) + "\n" }.joined()
        reply(to: client, .verbatim(format: Array("txt".utf8), text: Array(text.utf8)), turn: &turn)
    }

    /// `CLIENT KILL addr` (old form, `+OK`) or `CLIENT KILL <filter> <value> …` (`:count`).
    mutating func clientKillCommand(_ client: ClientID, _ arguments: [String], turn: inout Turn) {
        if arguments.count == 3 {
            guard let target = clients.values.first(where: { $0.remoteAddress == arguments[2] }) else {
                return replyError(to: client, "ERR No such client", turn: &turn)
            }
            reply(to: client, .ok, turn: &turn)
            closeClient(target.id, turn: &turn)
            return
        }
        guard arguments.count % 2 == 0 else { return replyError(to: client, "ERR syntax error", turn: &turn) }
        var candidates = clients.values
        var skipMe = true
        var index = 2
        while index + 1 < arguments.count {
            let value = arguments[index + 1]
            switch arguments[index].lowercased() {
            case "id":
                guard let id = UInt64(value), id > 0 else {
                    return replyError(to: client, "ERR client-id should be greater than 0", turn: &turn)
                }
                candidates = candidates.filter { $0.id.rawValue == id }
            case "type":
                switch value.lowercased() {
                case "normal": candidates = candidates.filter { $0.subscriptionCount == 0 }
                case "pubsub": candidates = candidates.filter { $0.subscriptionCount > 0 }
                case "master", "replica", "slave": candidates = []
                default: return replyError(to: client, "ERR Unknown client type '\(value)'", turn: &turn)
                }
            case "user":
                guard userDirectory.users[value] != nil else {
                    return replyError(to: client, "ERR No such user '\(value)'", turn: &turn)
                }
                candidates = candidates.filter { ($0.user ?? "default") == value }
            case "addr": candidates = candidates.filter { $0.remoteAddress == value }
            case "laddr": candidates = candidates.filter { $0.localAddress == value }
            case "skipme":
                switch value.lowercased() {
                case "yes": skipMe = true
                case "no": skipMe = false
                default: return replyError(to: client, "ERR syntax error", turn: &turn)
                }
            default:
                return replyError(to: client, "ERR syntax error", turn: &turn)
            }
            index += 2
        }
        if skipMe { candidates.removeAll { $0.id == client } }
        // The reply goes out first: a client that kills itself still reads its count.
        reply(to: client, .integer(Int64(candidates.count)), turn: &turn)
        for target in candidates {
            closeClient(target.id, turn: &turn)
        }
    }

    /// `COMMAND [COUNT|LIST|INFO|DOCS|GETKEYS|HELP]` over the command table of the release the
    /// sentinel presents; unlisted names are unknown to `INFO` (null) and `DOCS` (left out).
    mutating func commandCommand(_ client: ClientID, _ arguments: [String], turn: inout Turn) {
        let table = commandTable
        guard arguments.count >= 2 else {
            return reply(to: client, .array(table.commands.map(\.infoReply)), turn: &turn)
        }
        switch arguments[1].lowercased() {
        case "count":
            reply(to: client, .integer(Int64(table.commands.count)), turn: &turn)
        case "list":
            reply(to: client, .array(table.listedNames.map { .bulk($0) }), turn: &turn)
        case "info":
            let names = arguments.count > 2 ? Array(arguments.dropFirst(2)) : table.commands.map(\.name)
            reply(to: client, .array(names.map { table.listed($0)?.infoReply ?? .nullBulkString }), turn: &turn)
        case "docs":
            let names = arguments.count > 2 ? Array(arguments.dropFirst(2)) : table.commands.map(\.name)
            let entries = names.compactMap { name in
                table.listed(name).map { RESPMapEntry(.bulk($0.name), $0.docsReply) }
            }
            reply(to: client, .map(entries), turn: &turn)
        case "getkeys", "getkeysandflags":
            guard table.listed(arguments[2]) != nil else {
                return replyError(to: client, "ERR Invalid command specified", turn: &turn)
            }
            replyError(to: client, "ERR The command has no key arguments", turn: &turn)
        default:
            reply(to: client, helpReply(for: "COMMAND", [
                "(no subcommand)", "    Return details about all Redis commands.",
                "COUNT", "    Return the total number of commands in this Redis server.",
                "LIST", "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
                "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
                "GETKEYS <full-command>", "    Return the keys from a full Redis command.",
            ]), turn: &turn)
        }
    }

    /// A `HELP` reply: a title line, the given lines, and the closing `HELP` lines.
    func helpReply(for command: String, _ lines: [String]) -> RESPValue {
        // Redis 7.0 ends every help with "Prints this help.", 7.2 with "Print this help.".
        let trailer = configuration.redisCompatibility == .redis70 ? "    Prints this help." : "    Print this help."
        let all = ["\(command) <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"] + lines + ["HELP", trailer]
        return .array(all.map { .status($0) })
    }
}
