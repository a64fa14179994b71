/// Why an ACL rule was refused, with Redis 7.0's text (`ACLSetUserStringError`).
enum ACLRuleError: Error, Equatable, Sendable {
    /// `+name`, `-name` or `±@category` names nothing this server has.
    case unknownCommandOrCategory
    /// A rule that is not one at all, or a pattern with spaces.
    case syntax
    /// A key pattern after `~*` / `allkeys`.
    case keyPatternAfterAllKeys
    /// A channel pattern after `&*` / `allchannels`.
    case channelPatternAfterAllChannels
    /// `<password` or `!hash` of a password the user does not have.
    case noSuchPassword
    /// `#hash` or `!hash` that is not 64 lowercase hex digits.
    case malformedHash
    /// `+command|subcommand|argument`.
    case firstArgumentOfSubcommand

    var message: String {
        switch self {
        case .unknownCommandOrCategory: return "Unknown command or category name in ACL"
        case .syntax: return "Syntax error"
        case .keyPatternAfterAllKeys:
            return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
        case .channelPatternAfterAllChannels:
            return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
        case .noSuchPassword: return "The password you are trying to remove from the user does not exist"
        case .malformedHash: return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
        case .firstArgumentOfSubcommand: return "Allowing first-arg of a subcommand is not supported"
        }
    }
}

/// The permissions of an ACL user (its root selector) or of one `(…)` selector of it: which
/// keys, channels and commands it grants (Redis's `aclSelector`).
///
/// Command rules are kept as given (lowercased), after the `+@all` or `-@all` they start from,
/// and are replayed in order to decide a command; a later rule for the same command or
/// category replaces an earlier one, so there are at most as many as the sentinel has
/// commands and categories. Channel patterns decide SUBSCRIBE, PSUBSCRIBE and PUBLISH; keys
/// are kept for `ACL LIST` only: a sentinel has no keys.
struct ACLSelector: Sendable {
    /// The access a key pattern gives (`~p` both, `%R~p` read, `%W~p` write).
    struct KeyAccess: Sendable, Equatable {
        var read: Bool
        var write: Bool
    }

    var allKeys = false
    private(set) var keyPatterns = InsertionOrderedSet<String>()
    private var keyAccess: [String: KeyAccess] = [:]
    var allChannels = false
    private(set) var channelPatterns = InsertionOrderedSet<String>()
    /// Whether the rules start from `+@all` (commands added later are allowed too).
    var startsFromAllCommands = false
    /// The command and category rules after the `+@all`/`-@all` start, lowercased.
    private(set) var commandRules: [String] = []
    /// `+command|argument` rules of commands without subcommands (Redis allows that first
    /// argument of an otherwise denied command; here they are only shown).
    private(set) var firstArgumentRules = InsertionOrderedSet<String>()

    /// The selector of Redis's `default` user: `~* &* +@all`.
    static let everything = ACLSelector(allKeys: true, allChannels: true, startsFromAllCommands: true)

    private init(allKeys: Bool, allChannels: Bool, startsFromAllCommands: Bool) {
        self.allKeys = allKeys
        self.allChannels = allChannels
        self.startsFromAllCommands = startsFromAllCommands
    }

    /// No keys, no channels, no commands (a new user's).
    init() {}

    /// Applies one selector rule (Redis's `ACLSetSelector`): `allkeys`/`~*`, `resetkeys`,
    /// `~pattern`, `%R~`/`%W~`/`%RW~pattern`, `allchannels`/`&*`, `resetchannels`, `&pattern`,
    /// `allcommands`/`+@all`, `nocommands`/`-@all`, `+command`, `-command`,
    /// `+command|subcommand`, `+command|first-argument`, `±@category`. Keywords ignore case.
    /// Commands are looked up in `table`, the one of the release the sentinel presents.
    mutating func apply(_ rule: String, table: CommandTable) throws(ACLRuleError) {
        let lowered = rule.lowercased()
        switch lowered {
        case "allkeys", "~*", "resetkeys":
            allKeys = lowered != "resetkeys"
            keyPatterns = InsertionOrderedSet()
            keyAccess = [:]
            return
        case "allchannels", "&*", "resetchannels":
            allChannels = lowered != "resetchannels"
            channelPatterns = InsertionOrderedSet()
            return
        case "allcommands", "+@all", "nocommands", "-@all":
            startsFromAllCommands = lowered == "allcommands" || lowered == "+@all"
            commandRules = []
            firstArgumentRules = InsertionOrderedSet()
            return
        default:
            break
        }
        let bytes = Array(rule.utf8)
        guard let first = bytes.first else { throw .syntax }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "%"):
            try addKeyPattern(bytes)
        case UInt8(ascii: "&"):
            if allChannels { throw .channelPatternAfterAllChannels }
            let pattern = bytes.dropFirst()
            if Self.hasSpaces(pattern) { throw .syntax }
            channelPatterns.insert(String(decoding: pattern, as: UTF8.self))
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            if try validateCommandRule(lowered, table: table) {
                firstArgumentRules.insert(lowered)
                return
            }
            // A later rule for the same command or category replaces an earlier one.
            let target = lowered.dropFirst()
            commandRules.removeAll { $0.dropFirst() == target }
            commandRules.append(lowered)
        default:
            throw .syntax
        }
    }

    /// `~pattern` or `%<R|W…>~pattern`.
    private mutating func addKeyPattern(_ bytes: [UInt8]) throws(ACLRuleError) {
        if allKeys { throw .keyPatternAfterAllKeys }
        var read = true
        var write = true
        var offset = 1
        if bytes[0] == UInt8(ascii: "%") {
            read = false
            write = false
            while offset < bytes.count {
                let byte = bytes[offset] | 0x20
                if byte == UInt8(ascii: "r") && !read {
                    read = true
                } else if byte == UInt8(ascii: "w") && !write {
                    write = true
                } else if bytes[offset] == UInt8(ascii: "~") {
                    offset += 1
                    break
                } else {
                    throw .syntax
                }
                offset += 1
            }
        }
        let pattern = bytes[offset...]
        if Self.hasSpaces(pattern) { throw .syntax }
        let text = String(decoding: pattern, as: UTF8.self)
        keyPatterns.insert(text)
        let access = keyAccess[text] ?? KeyAccess(read: false, write: false)
        keyAccess[text] = KeyAccess(read: access.read || read, write: access.write || write)
    }

    /// `~pattern` or `%R~`, `%W~`, `%RW~pattern` (Redis's `sdsCatPatternString`).
    private func keyPatternDescription(_ pattern: String) -> String {
        let access = keyAccess[pattern] ?? KeyAccess(read: true, write: true)
        if access.read && access.write { return "~" + pattern }
        return "%" + (access.read ? "R" : "") + (access.write ? "W" : "") + "~" + pattern
    }

    /// Checks a `±command`, `±command|subcommand` or `±@category` rule against this
    /// sentinel's command table (Redis looks commands up in its own table, so a command of a
    /// Redis server, `+get`, is unknown to a sentinel). Returns whether it is a first-argument
    /// rule (`+command|argument` of a command without subcommands).
    private func validateCommandRule(_ rule: String, table: CommandTable) throws(ACLRuleError) -> Bool {
        let sign = rule.first
        let target = String(rule.dropFirst())
        if target.hasPrefix("@") {
            guard Self.categories.contains(String(target.dropFirst())) else { throw .unknownCommandOrCategory }
            return false
        }
        guard sign == "+", let bar = target.lastIndex(of: "|") else {
            guard table.lookup(target) != nil else { throw .unknownCommandOrCategory }
            return false
        }
        let containerName = String(target[..<bar])
        let argument = target[target.index(after: bar)...]
        guard let container = table.lookup(containerName) else { throw .unknownCommandOrCategory }
        if containerName.contains("|") { throw .firstArgumentOfSubcommand }
        if argument.isEmpty { throw .syntax }
        if container.subcommands.isEmpty { return true }
        guard table.lookup(target) != nil else { throw .unknownCommandOrCategory }
        return false
    }

    /// A command of the table with its container (itself for a top-level command).
    typealias TableEntry = (command: CommandDescription, container: CommandDescription)

    /// Every command and subcommand of `table`.
    static func entries(of table: CommandTable) -> [TableEntry] {
        table.commands.flatMap { container in
            ([container] + container.subcommands).map { (command: $0, container: container) }
        }
    }

    /// Whether `rule` (`±target`) decides `entry`.
    static func rule(_ rule: String, matches entry: TableEntry) -> Bool {
        targets(rule.dropFirst(), entry.command, in: entry.container)
    }

    /// Whether `target` names `command` (a subcommand of `container`, or `container`): its
    /// name, its container's name, or a category it is in.
    static func targets(_ target: Substring, _ command: CommandDescription, in container: CommandDescription) -> Bool {
        target.hasPrefix("@") ? command.categories.contains(String(target)) : target == command.name || target == container.name
    }

    /// Whether `command` (a subcommand of `container`, or `container` itself) may run: the
    /// rules replayed in order from the `+@all`/`-@all` start.
    /// Commands a client may run before authenticating (AUTH, HELLO) are always allowed.
    func allows(_ command: CommandDescription, in container: CommandDescription) -> Bool {
        if command.allowedBeforeAuthentication { return true }
        var allowed = startsFromAllCommands
        for rule in commandRules where Self.targets(rule.dropFirst(), command, in: container) {
            allowed = rule.first == "+"
        }
        return allowed
    }

    /// The position of the first of `channels` the selector does not grant, or nil when it
    /// grants them all (Redis's `ACLCheckChannelAgainstList`): a channel must match one of its
    /// channel patterns; a pattern a client subscribes to (`patterns`, PSUBSCRIBE) must be one
    /// of them, literally.
    func firstDeniedChannel(_ channels: [String], asPatterns patterns: Bool) -> Int? {
        if allChannels { return nil }
        if patterns { return channels.firstIndex { !channelPatterns.contains($0) } }
        let allowed = channelPatterns.elements
        return channels.firstIndex { channel in !allowed.contains { GlobPattern.matches($0, channel) } }
    }

    /// Whether this selector grants every command and every channel (the default user's).
    var allowsEverything: Bool { startsFromAllCommands && commandRules.isEmpty && allChannels }

    /// `+@all …` or `-@all …`: the command part of `ACL LIST` and `ACL GETUSER`. As Redis
    /// describes the rights that result rather than the rules given, a rule that later rules
    /// override entirely, or that changes nothing where it stands (`+client|setname` after
    /// `+@connection`), is left out, and so is a first argument of a command allowed whole.
    func commandsDescription(in commandTable: CommandTable) -> String {
        let table = Self.entries(of: commandTable)
        var decidedLater = [Bool](repeating: false, count: table.count)
        var overridden = [Bool](repeating: true, count: commandRules.count)
        for (position, rule) in commandRules.enumerated().reversed() {
            for (index, entry) in table.enumerated() where Self.rule(rule, matches: entry) {
                if !decidedLater[index] { overridden[position] = false }
                decidedLater[index] = true
            }
        }
        var allowed = [Bool](repeating: startsFromAllCommands, count: table.count)
        var shown = [startsFromAllCommands ? "+@all" : "-@all"]
        for (position, rule) in commandRules.enumerated() where !overridden[position] {
            let allow = rule.first == "+"
            var changes = false
            for (index, entry) in table.enumerated() where allowed[index] != allow && Self.rule(rule, matches: entry) {
                allowed[index] = allow
                changes = true
            }
            if changes { shown.append(rule) }
        }
        for rule in firstArgumentRules.elements {
            let name = rule.dropFirst().prefix { $0 != "|" }
            if let index = table.firstIndex(where: { $0.command.name == name }), !allowed[index] { shown.append(rule) }
        }
        return shown.joined(separator: " ")
    }

    /// The key patterns as `ACL GETUSER` shows them: `~*`, or the patterns joined by spaces.
    var keysDescription: String {
        allKeys ? "~*" : keyPatterns.elements.map(keyPatternDescription).joined(separator: " ")
    }

    /// The channel patterns as `ACL GETUSER` shows them: `&*`, or the patterns joined by spaces.
    var channelsDescription: String {
        allChannels ? "&*" : channelPatterns.elements.map { "&" + $0 }.joined(separator: " ")
    }

    /// The selector in `ACL LIST` form (Redis's `ACLDescribeSelector`): key patterns, then
    /// `&*` or `resetchannels` and the channel patterns, then the command rules.
    func description(in table: CommandTable) -> String {
        var words: [String] = allKeys ? ["~*"] : keyPatterns.elements.map(keyPatternDescription)
        if allChannels {
            words.append("&*")
        } else {
            words.append("resetchannels")
            words += channelPatterns.elements.map { "&" + $0 }
        }
        words.append(commandsDescription(in: table))
        return words.joined(separator: " ")
    }


    /// Redis refuses spaces and NUL bytes in key and channel patterns (`ACLStringHasSpaces`).
    static func hasSpaces<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        bytes.contains { $0 == 0 || $0 == 0x20 || (0x09...0x0D).contains($0) }
    }

    /// The ACL categories, in Redis's order (`ACL CAT`).
    static let categories = [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
        "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ]
}
