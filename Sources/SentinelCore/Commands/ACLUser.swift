import RESP

/// One ACL user as Redis 7.0 keeps it: flags, the SHA-256 of each password (never the
/// password itself), a root selector and `(…)` selectors.
struct ACLUser: Sendable {
    /// `sanitize-payload` / `skip-sanitize-payload` (kept for `ACL LIST`; a sentinel has no
    /// payloads to sanitize).
    enum PayloadSanitizing: Sendable, Equatable { case sanitize, skip }

    var name: String
    /// `on` (true) or `off`: a disabled user cannot authenticate.
    var enabled = false
    /// `nopass`: any password (or none) authenticates.
    var noPassword = false
    var payloadSanitizing: PayloadSanitizing?
    /// The SHA-256 of each password, 64 lowercase hex digits, in the order they were added.
    private(set) var passwordHashes = InsertionOrderedSet<String>()
    var root = ACLSelector()
    var selectors: [ACLSelector] = []

    /// A new user (Redis's `ACLCreateUser`): `off`, no password, no keys, no channels, no commands.
    init(name: String) {
        self.name = name
    }

    /// Redis's `default` user when nothing configures it: `on nopass ~* &* +@all`; with
    /// `requirepass`, that password instead of `nopass`.
    static func defaultUser(password: Secret?) -> ACLUser {
        var user = ACLUser(name: "default")
        user.enabled = true
        user.root = .everything
        if let password {
            user.passwordHashes.insert(SHA256.hexDigest(password.bytes))
        } else {
            user.noPassword = true
        }
        return user
    }

    /// Applies one rule (Redis's `ACLSetUser`); keywords ignore case, passwords are bytes.
    ///
    /// `on`, `off`, `nopass`, `resetpass`, `reset`, `sanitize-payload`,
    /// `skip-sanitize-payload`, `>password` (adds its SHA-256), `<password` (removes it),
    /// `#hash` / `!hash` (add or remove a SHA-256 given as 64 lowercase hex digits),
    /// `(rules…)` (a new selector), `clearselectors`, and every selector rule of the root
    /// selector. An empty rule does nothing.
    /// Commands are looked up in `table`, the one of the release the sentinel presents.
    mutating func apply(_ rule: [UInt8], table: CommandTable) throws(ACLRuleError) {
        guard let first = rule.first else { return }
        switch first {
        case UInt8(ascii: ">"), UInt8(ascii: "#"):
            let hash = first == UInt8(ascii: ">") ? SHA256.hexDigest(Array(rule.dropFirst())) : try Self.validHash(rule.dropFirst())
            passwordHashes.insert(hash)
            noPassword = false
            return
        case UInt8(ascii: "<"), UInt8(ascii: "!"):
            let hash = first == UInt8(ascii: "<") ? SHA256.hexDigest(Array(rule.dropFirst())) : try Self.validHash(rule.dropFirst())
            guard passwordHashes.remove(hash) else { throw .noSuchPassword }
            return
        case UInt8(ascii: "(") where rule.last == UInt8(ascii: ")"):
            selectors.append(try Self.selector(from: rule.dropFirst().dropLast(), table: table))
            return
        default:
            break
        }
        let text = String(decoding: rule, as: UTF8.self)
        switch text.lowercased() {
        case "on": enabled = true
        case "off": enabled = false
        case "skip-sanitize-payload": payloadSanitizing = .skip
        case "sanitize-payload": payloadSanitizing = .sanitize
        case "nopass":
            noPassword = true
            passwordHashes = InsertionOrderedSet()
        case "resetpass":
            noPassword = false
            passwordHashes = InsertionOrderedSet()
        case "clearselectors":
            selectors = []
        case "reset":
            self = ACLUser(name: name)
            payloadSanitizing = .sanitize
        default:
            try root.apply(text, table: table)
        }
    }

    /// A hash given in a rule: exactly 64 lowercase hex digits (Redis's `ACLCheckPasswordHash`).
    static func validHash(_ bytes: ArraySlice<UInt8>) throws(ACLRuleError) -> String {
        guard bytes.count == 64, bytes.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw .malformedHash
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A `(rules…)` selector: the inner text split like a configuration line, each rule a
    /// selector rule (Redis's `aclCreateSelectorFromOpSet`).
    static func selector(from inner: ArraySlice<UInt8>, table: CommandTable) throws(ACLRuleError) -> ACLSelector {
        var selector = ACLSelector()
        guard case .success(let rules) = RedisArgumentSplitter.split(inner) else { return selector }
        for rule in rules { try selector.apply(String(decoding: rule, as: UTF8.self), table: table) }
        return selector
    }

    /// Whether `password` is one of the user's, compared through its SHA-256 in constant time
    /// (Redis's `ACLCheckUserCredentials` with `time_independent_strcmp`).
    func accepts(password: [UInt8]) -> Bool {
        guard enabled else { return false }
        if noPassword { return true }
        let candidate = Array(SHA256.hexDigest(password).utf8)
        var matched = false
        for hash in passwordHashes.elements where Self.constantTimeEqual(Array(hash.utf8), candidate) { matched = true }
        return matched
    }

    /// Whether two byte strings of the same length are equal, in time that does not depend on
    /// where they differ.
    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    /// Why a command is refused (Redis's `ACL_DENIED_CMD`, `ACL_DENIED_CHANNEL`).
    enum Denial: Sendable, Equatable {
        case command
        /// The channel at this position of the channels checked.
        case channel(Int)
    }

    /// Whether the user may run `command` (a subcommand of `container`, or `container`
    /// itself) on `channels` (SUBSCRIBE, PUBLISH; PSUBSCRIBE's as patterns): one of its
    /// selectors must allow both. Refused, the reason is a channel if some selector allows
    /// the command: the last one a selector stopped at (Redis's `ACLCheckAllUserCommandPerm`).
    func denial(of command: CommandDescription, in container: CommandDescription, channels: [String], asPatterns: Bool) -> Denial? {
        var denial = Denial.command
        for selector in [root] + selectors where selector.allows(command, in: container) {
            guard let position = selector.firstDeniedChannel(channels, asPatterns: asPatterns) else { return nil }
            if case .channel(let last) = denial, last >= position { continue }
            denial = .channel(position)
        }
        return denial
    }

    /// The flags in Redis's order: `on`/`off`, `nopass`, `skip-sanitize-payload`, `sanitize-payload`.
    var flags: [String] {
        var flags = [enabled ? "on" : "off"]
        if noPassword { flags.append("nopass") }
        switch payloadSanitizing {
        case .skip: flags.append("skip-sanitize-payload")
        case .sanitize: flags.append("sanitize-payload")
        case nil: break
        }
        return flags
    }

    /// The rules that rebuild this user, as `ACL LIST` and the rewritten `user` lines show
    /// them (Redis's `ACLDescribeUser`): flags, `#hash` per password, the root selector, then
    /// each selector in parentheses. Each element is one rule (a selector is one element).
    func describedRules(in table: CommandTable) -> [String] {
        flags + passwordHashes.elements.map { "#" + $0 } + root.description(in: table).split(separator: " ").map(String.init)
            + selectors.map { "(" + $0.description(in: table) + ")" }
    }

    /// `ACL GETUSER`: flags (a set), passwords (hashes), commands, keys, channels, selectors.
    func getUserReply(in table: CommandTable) -> RESPValue {
        func selectorEntries(_ selector: ACLSelector) -> [RESPMapEntry] {
            [
                RESPMapEntry(.bulk("commands"), .bulk(selector.commandsDescription(in: table))),
                RESPMapEntry(.bulk("keys"), .bulk(selector.keysDescription)),
                RESPMapEntry(.bulk("channels"), .bulk(selector.channelsDescription)),
            ]
        }
        return .map([
            RESPMapEntry(.bulk("flags"), .set(flags.map { .bulk($0) })),
            RESPMapEntry(.bulk("passwords"), .array(passwordHashes.elements.map { .bulk($0) })),
        ] + selectorEntries(root) + [
            RESPMapEntry(.bulk("selectors"), .array(selectors.map { .map(selectorEntries($0)) })),
        ])
    }
}
