import RESP

extension Sentinel {
    /// `ACL WHOAMI|USERS|LIST|CAT|GETUSER|SETUSER|DELUSER|GENPASS|LOG|LOAD|SAVE|DRYRUN|HELP`.
    ///
    /// Users are persisted like Redis's `CONFIG REWRITE` writes them: without an `aclfile`,
    /// `ACL SETUSER` and `ACL DELUSER` rewrite the configuration file (the `user` lines, hashes
    /// only) and reply once it is on disk, so a revoked user stays revoked after a restart.
    /// With an `aclfile`, the file is the operator's: changes last until `ACL SAVE` writes it
    /// (and `ACL LOAD` reads it back), as in Redis.
    mutating func aclCommand(_ client: ClientID, _ rawArguments: [RequestArgument], turn: inout Turn) {
        let arguments = rawArguments.map { String(decoding: $0, as: UTF8.self) }
        switch arguments[1].lowercased() {
        case "whoami":
            reply(to: client, .bulk(clients[client]?.user ?? "default"), turn: &turn)
        case "users":
            reply(to: client, .array(userDirectory.sortedUsers.map { .bulk($0.name) }), turn: &turn)
        case "list":
            let table = userDirectory.commandTable
            let lines = userDirectory.sortedUsers.map { user in RESPValue.bulk((["user", user.name] + user.describedRules(in: table)).joined(separator: " ")) }
            reply(to: client, .array(lines), turn: &turn)
        case "cat":
            reply(to: client, .array(ACLSelector.categories.map { .bulk($0) }), turn: &turn)
        case "getuser":
            reply(to: client, userDirectory.users[arguments[2]]?.getUserReply(in: userDirectory.commandTable) ?? .nullBulkString, turn: &turn)
        case "setuser":
            if let error = userDirectory.setUser(arguments[2], rules: rawArguments.dropFirst(3).map(\.bytes)) {
                return replyError(to: client, "ERR " + error, turn: &turn)
            }
            closeSubscribersNoLongerAllowed(arguments[2], turn: &turn)
            replyAfterPersistingUsers(to: client, .ok, turn: &turn)
        case "deluser":
            if arguments.dropFirst(2).contains("default") {
                return replyError(to: client, "ERR The 'default' user cannot be removed", turn: &turn)
            }
            var deleted: Set<String> = []
            for name in arguments.dropFirst(2) where userDirectory.deleteUser(name) { deleted.insert(name) }
            let disconnected = clients.values.filter { $0.user.map(deleted.contains) ?? false }.map(\.id)
            // Reply first, then close the deleted users' connections (the caller's included).
            if deleted.isEmpty { return reply(to: client, .integer(0), turn: &turn) }
            replyAfterPersistingUsers(to: client, .integer(Int64(deleted.count)), closing: disconnected, turn: &turn)
        case "genpass":
            reply(to: client, .bulk(String(Sentinel.randomHexIdentifier(using: &random).prefix(32)) + String(Sentinel.randomHexIdentifier(using: &random).prefix(32))), turn: &turn)
        case "log":
            reply(to: client, arguments.count > 2 && arguments[2].lowercased() == "reset" ? .ok : .array([]), turn: &turn)
        case "load", "save":
            guard let path = configuration.aclFile else {
                return replyError(to: client, "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.", turn: &turn)
            }
            let ticket = nextPersistTicket
            nextPersistTicket += 1
            aclFileRequests[ticket] = client
            if arguments[1].lowercased() == "load" {
                turn.append(.readACLFile(path: path, ticket: ticket))
            } else {
                turn.append(.writeACLFile(path: path, contents: ACLFile.render(userDirectory.sortedUsers, table: userDirectory.commandTable), ticket: ticket))
            }
        case "dryrun":
            aclDryRun(client, rawArguments, turn: &turn)
        default:
            reply(to: client, helpReply(for: "ACL", [
                "CAT [<category>]", "    List all commands that belong to <category>, or all command categories",
                "DELUSER <username> [<username> ...]", "    Delete a list of users.",
                "GETUSER <username>", "    Get the user's details.",
                "LIST", "    Show users details in config file format.",
                "SETUSER <username> <attribute> [<attribute> ...]", "    Create or modify a user with the specified attributes.",
                "USERS", "    List all the registered usernames.",
                "WHOAMI", "    Return the current connection username.",
            ]), turn: &turn)
        }
    }

    /// `ACL DRYRUN user command [arg …]`: `+OK` if the user could run it, else the reason as
    /// a bulk string (Redis 7.0's texts); the command is not run.
    mutating func aclDryRun(_ client: ClientID, _ rawArguments: [RequestArgument], turn: inout Turn) {
        let name = String(decoding: rawArguments[2], as: UTF8.self)
        guard userDirectory.users[name] != nil else {
            return replyError(to: client, "ERR User '\(name)' not found", turn: &turn)
        }
        let command = Array(rawArguments.dropFirst(3))
        let typed = String(decoding: command[0], as: UTF8.self)
        guard let container = commandTable.lookup(typed: command[0]) else {
            return replyError(to: client, "ERR Command '\(typed)' not found", turn: &turn)
        }
        var description = container
        if !container.subcommands.isEmpty && command.count >= 2 {
            guard let subcommand = container.subcommand(matching: command[1]) else {
                return replyError(to: client, "ERR Command '\(typed)' not found", turn: &turn)
            }
            description = subcommand
        }
        guard description.accepts(argumentCount: command.count) else {
            return replyError(to: client, "ERR wrong number of arguments for '\(description.name)' command", turn: &turn)
        }
        switch userDirectory.denial(of: name, running: description, in: container, arguments: command) {
        case nil:
            reply(to: client, .ok, turn: &turn)
        case .command:
            reply(to: client, .bulk("This user has no permissions to run the '\(description.name)' command"), turn: &turn)
        case .channel(let position):
            reply(to: client, .bulk("This user has no permissions to access the '\(String(decoding: command[position], as: UTF8.self))' channel"), turn: &turn)
        }
    }

    /// After `ACL SETUSER name`: the user's subscribed connections that hold a channel or
    /// pattern its rights no longer grant are closed (Redis's `ACLKillPubsubClientsIfNeeded`),
    /// so a revoked subscriber stops receiving events.
    mutating func closeSubscribersNoLongerAllowed(_ name: String, turn: inout Turn) {
        guard let user = userDirectory.users[name] else { return }
        let selectors = [user.root] + user.selectors
        if selectors.contains(where: \.allChannels) { return }
        let allowed = selectors.flatMap(\.channelPatterns.elements)
        let allowedPatterns = Set(allowed)
        for session in clients.values where session.user == name && session.subscriptionCount > 0 {
            let revoked = session.patterns.contains { !allowedPatterns.contains($0) }
                || session.channels.contains { channel in !allowed.contains { GlobPattern.matches($0, channel) } }
            if revoked { closeClient(session.id, turn: &turn) }
        }
    }

    /// After a change of users: without an `aclfile`, the reply waits for the configuration
    /// file to hold the new users; with one, it goes at once (the file changes on `ACL SAVE`).
    mutating func replyAfterPersistingUsers(to client: ClientID, _ value: RESPValue, closing: [ClientID] = [], turn: inout Turn) {
        if configuration.aclFile == nil {
            return persistConfiguration(replyTo: client, reply: value, closing: closing, turn: &turn)
        }
        reply(to: client, value, turn: &turn)
        for id in closing { closeClient(id, turn: &turn) }
    }

    /// `ACL LOAD`'s file arrived: all its users replace the current ones (and the connections
    /// of users other than `default` are closed), or, if any line is wrong, none do and the
    /// client gets every problem found (Redis's `ACLLoadFromFile`).
    /// Deviation: a file without a `default` user keeps the one `requirepass` gives, where
    /// Redis would leave `default` without a password.
    mutating func handleACLFileRead(ticket: UInt64, contents: [UInt8], error: String?, turn: inout Turn) {
        guard let client = aclFileRequests.removeValue(forKey: ticket), let path = configuration.aclFile else { return }
        if let error {
            return replyError(to: client, "ERR Error loading ACLs, opening file '\(path)': \(error)", turn: &turn)
        }
        switch ACLFile.parse(contents, fileName: path, table: userDirectory.commandTable) {
        case .success(let users):
            userDirectory.replaceUsers(with: users)
            reply(to: client, .ok, turn: &turn)
            // Every user but `default` was replaced: as in Redis, their connections go.
            for session in clients.values where session.user != nil && session.user != "default" {
                closeClient(session.id, turn: &turn)
            }
        case .failure(let failure):
            replyError(to: client, "ERR " + failure.message, turn: &turn)
        }
    }

    /// `ACL SAVE`'s write finished.
    mutating func handleACLFileWritten(ticket: UInt64, error: String?, turn: inout Turn) {
        guard let client = aclFileRequests.removeValue(forKey: ticket) else { return }
        if let error {
            log(.warning, "Writing ACL file for ACL SAVE: \(error)", turn: &turn)
            return replyError(to: client, "ERR There was an error trying to save the ACLs. Please check the server logs for more information", turn: &turn)
        }
        reply(to: client, .ok, turn: &turn)
    }
}
