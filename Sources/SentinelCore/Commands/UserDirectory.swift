import RESP

/// The users that may authenticate on the sentinel port (§14): the `default` user, whose
/// password is `requirepass`, and the users of `user` lines (or of the `aclfile`).
struct UserDirectory: Sendable {
    private(set) var users: [String: ACLUser] = [:]
    /// The `default` user `requirepass` (or its absence) gives.
    let impliedDefaultUser: ACLUser
    /// The commands rules name: those of the release the sentinel presents.
    let commandTable: CommandTable

    /// The users of a loaded configuration: `default` from `requirepass`, then each user line
    /// (already validated by the parser, passwords as hashes); a `default` line replaces the
    /// implied `default` user, as Redis resets that user before applying its line.
    init(requirePass: Secret?, aclUsers: [[String]], commandTable: CommandTable) {
        impliedDefaultUser = ACLUser.defaultUser(password: requirePass)
        self.commandTable = commandTable
        replaceUsers(with: aclUsers)
    }

    /// Replaces every user with those of `lines` (`[name, rule…]` each, applied to a new
    /// user); `default` is the implied one unless a line defines it.
    mutating func replaceUsers(with lines: [[String]]) {
        users = ["default": impliedDefaultUser]
        for line in lines {
            guard let name = line.first else { continue }
            var user = ACLUser(name: name)
            for rule in line.dropFirst() { try? user.apply(Array(rule.utf8), table: commandTable) }
            users[name] = user
        }
        noteDefaultUserRights()
    }

    /// Why a `user` line cannot be loaded: the rule at fault and Redis's reason.
    struct LineError: Error, Equatable {
        var rule: String
        var message: String
    }

    /// The words after `user` on a configuration line, checked as Redis checks them at load
    /// (every rule must apply to a new user, an unknown command included), with each
    /// `>password` turned into `#<its SHA-256>` and each `<password` into `!<SHA-256>`:
    /// the configuration never holds a user's password, only its hash, as Redis's rewrite
    /// writes it. A `(…)` selector spread over several words becomes one word.
    static func loadableLine(_ words: [[UInt8]], table: CommandTable) -> Result<[String], LineError> {
        guard let name = words.first else { return .failure(LineError(rule: "user", message: "Syntax error")) }
        let nameText = String(decoding: name, as: UTF8.self)
        if ACLSelector.hasSpaces(name) { return .failure(LineError(rule: nameText, message: "Spaces not allowed in ACL usernames")) }
        guard let rules = mergingSelectors(Array(words.dropFirst())) else {
            return .failure(LineError(rule: nameText, message: "Unmatched parenthesis in acl selector"))
        }
        var check = ACLUser(name: nameText)
        var line = [nameText]
        for rule in rules {
            do {
                try check.apply(rule, table: table)
            } catch {
                return .failure(LineError(rule: String(decoding: rule, as: UTF8.self), message: error.message))
            }
            switch rule.first {
            case UInt8(ascii: ">"): line.append("#" + SHA256.hexDigest(Array(rule.dropFirst())))
            case UInt8(ascii: "<"): line.append("!" + SHA256.hexDigest(Array(rule.dropFirst())))
            default: line.append(String(decoding: rule, as: UTF8.self))
            }
        }
        return .success(line)
    }

    /// `ACL SETUSER name rules…`: every rule is tried on a copy of the user (a new one if
    /// absent) and the copy replaces it only if all apply (Redis's `ACLStringSetUser`).
    /// Returns the error text (without `ERR `) or nil.
    mutating func setUser(_ name: String, rules: [[UInt8]]) -> String? {
        if ACLSelector.hasSpaces(name.utf8) { return "Usernames can't contain spaces or null characters" }
        guard let merged = Self.mergingSelectors(rules) else {
            let start = rules.first { $0.first == UInt8(ascii: "(") && $0.last != UInt8(ascii: ")") } ?? []
            return "Unmatched parenthesis in acl selector starting at '\(String(decoding: start, as: UTF8.self))'."
        }
        var user = users[name] ?? ACLUser(name: name)
        for rule in merged {
            do {
                try user.apply(rule, table: commandTable)
            } catch {
                return "Error in ACL SETUSER modifier '\(String(decoding: rule, as: UTF8.self))': \(error.message)"
            }
        }
        users[name] = user
        noteDefaultUserRights()
        return nil
    }

    /// `ACL DELUSER` of one user; false if it did not exist.
    mutating func deleteUser(_ name: String) -> Bool {
        defer { noteDefaultUserRights() }
        return users.removeValue(forKey: name) != nil
    }

    /// Rules split over several arguments, `(~key` … `+get)`, joined into one selector rule
    /// with spaces (Redis's `ACLMergeSelectorArguments`); nil when a `(` is never closed.
    static func mergingSelectors(_ rules: [[UInt8]]) -> [[UInt8]]? {
        var merged: [[UInt8]] = []
        var selector: [UInt8] = []
        var isInSelector = false
        for rule in rules {
            if !isInSelector, rule.first == UInt8(ascii: "("), rule.last != UInt8(ascii: ")") {
                selector = rule
                isInSelector = true
            } else if isInSelector {
                selector.append(UInt8(ascii: " "))
                selector += rule
                if rule.last == UInt8(ascii: ")") {
                    merged.append(selector)
                    isInSelector = false
                }
            } else {
                merged.append(rule)
            }
        }
        return isInSelector ? nil : merged
    }

    /// Whether the default user's rights were narrowed from `+@all` and `&*` (checked per
    /// command only then, to keep the common path fast).
    private(set) var restrictsDefaultUser = false

    /// Whether a connection must authenticate before running commands: the default user
    /// has a password or is disabled. Asked before every command, so kept up to date with
    /// the users rather than looked up.
    private(set) var authenticationRequired = true

    private mutating func noteDefaultUserRights() {
        guard let user = users["default"] else {
            restrictsDefaultUser = true
            authenticationRequired = true
            return
        }
        restrictsDefaultUser = !user.root.allowsEverything
        authenticationRequired = !user.enabled || !user.noPassword
    }

    /// Why user `name` may not run `command` (a subcommand of `container`, or the container
    /// itself) with `arguments` (the command's, its name first), or nil when it may (a deleted
    /// user may run nothing). A channel denial gives the position of the channel in `arguments`.
    func denial(of name: String, running command: CommandDescription, in container: CommandDescription,
                arguments: [RequestArgument]) -> ACLUser.Denial? {
        guard let user = users[name] else { return .command }
        // The channels a command names: Redis checks those of SUBSCRIBE, PSUBSCRIBE (as
        // patterns) and PUBLISH.
        let channels: ArraySlice<RequestArgument>
        switch command.route {
        case .subscribe, .psubscribe: channels = arguments.dropFirst()
        case .publish: channels = arguments.dropFirst().prefix(1)
        default: channels = []
        }
        let denial = user.denial(of: command, in: container, channels: channels.map { String(decoding: $0, as: UTF8.self) },
                                 asPatterns: command.route == .psubscribe)
        if case .channel(let position) = denial { return .channel(position + 1) }
        return denial
    }

    /// Whether `password` (its exact bytes) authenticates `name`.
    func authenticate(user name: String, password: [UInt8]) -> Bool {
        users[name]?.accepts(password: password) ?? false
    }

    /// The users sorted by name bytes, as Redis lists them (its users live in a radix tree).
    var sortedUsers: [ACLUser] {
        users.values.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    /// `user` lines for the configuration file, `[name, rule…]` each, sorted by name: every
    /// user as `ACL LIST` describes it, but `default` only when it differs from what
    /// `requirepass` (or its absence) gives, so that line alone restores it.
    var configurationLines: [[String]] {
        let implied = impliedDefaultUser.describedRules(in: commandTable)
        return sortedUsers.map { [$0.name] + $0.describedRules(in: commandTable) }.filter { $0[0] != "default" || Array($0.dropFirst()) != implied }
    }
}
