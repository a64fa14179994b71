import RESP

/// One command (or subcommand) a sentinel knows: what dispatching it needs (arity, whether it
/// runs before authentication, its handler) and what `COMMAND INFO` and `COMMAND DOCS` say
/// about it (§10.1).
final class CommandDescription: Sendable {
    /// Lowercase name; subcommands are named `container|sub`.
    let name: String
    /// Redis arity: N exactly, or −N for at least N (the name counts), as `COMMAND INFO` says.
    let arity: Int
    /// The arity the dispatcher checks: `arity`, or a wider one where swift-sentinel takes more
    /// arguments than the release (`SENTINEL FAILOVER <name> COORDINATED|FORCE`).
    let acceptedArity: Int
    /// The flags `COMMAND INFO` lists (`admin`, `noscript`, `loading`, …).
    let flags: [String]
    /// ACL categories (`@admin`, `@slow`, …), explicit and implicit.
    let categories: [String]
    /// `COMMAND INFO` tips (`request_policy:all_nodes`, …).
    let tips: [String]
    let documentation: CommandDocumentation
    let subcommands: [CommandDescription]
    /// Whether a client may run it before authenticating (`no_auth`).
    let allowedBeforeAuthentication: Bool
    /// Whether `COMMAND` lists and describes it. Commands answered although the release the
    /// sentinel presents does not have them (Valkey's names; `CLIENT SETINFO` in 7.0) are not.
    let isListed: Bool
    /// The name as typed by clients (for a subcommand, the part after `|`), lowercase bytes.
    let typedName: [UInt8]
    /// The subcommands grouped by the length of their typed name, so that finding the one a
    /// client typed compares one or two names, not all of them.
    let subcommandsByLength: NamesByLength
    /// The handler that runs it.
    let route: CommandRoute

    init(name: String, arity: Int, flags: [String], categories: [String], tips: [String],
         documentation: CommandDocumentation, subcommands: [CommandDescription] = [], isListed: Bool = true,
         acceptedArity: Int? = nil) {
        self.name = name
        self.arity = arity
        self.acceptedArity = acceptedArity ?? arity
        self.flags = flags
        self.categories = categories
        self.tips = tips
        self.documentation = documentation
        self.subcommands = subcommands
        self.allowedBeforeAuthentication = flags.contains("no_auth")
        self.isListed = isListed
        self.typedName = Array(name.split(separator: "|").last.map(String.init)?.utf8 ?? name.utf8)
        self.route = CommandRoute(name: name)
        self.subcommandsByLength = NamesByLength(subcommands)
    }

    /// This command under another name (Valkey's `sentinel|primary` for `sentinel|master`):
    /// same arity, flags and categories, not listed.
    func alias(_ name: String) -> CommandDescription {
        CommandDescription(name: name, arity: arity, flags: flags, categories: categories, tips: tips,
                           documentation: documentation, isListed: false, acceptedArity: acceptedArity)
    }

    /// A copy with different subcommands, listing or accepted arity.
    func with(subcommands: [CommandDescription]? = nil, isListed: Bool? = nil, acceptedArity: Int? = nil) -> CommandDescription {
        CommandDescription(name: name, arity: arity, flags: flags, categories: categories, tips: tips,
                           documentation: documentation, subcommands: subcommands ?? self.subcommands,
                           isListed: isListed ?? self.isListed, acceptedArity: acceptedArity ?? self.acceptedArity)
    }

    /// Whether `bytes` spell this command's typed name, ignoring ASCII case.
    func matches<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        CommandDescription.equalIgnoringCase(bytes, typedName)
    }

    /// Whether `bytes` equal the lowercase `name`, ignoring the ASCII case of `bytes`.
    static func equalIgnoringCase<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ name: [UInt8]) -> Bool {
        guard bytes.count == name.count else { return false }
        let compare = { (typed: UnsafeBufferPointer<UInt8>) in name.withUnsafeBufferPointer { equalIgnoringCase(typed, $0) } }
        return bytes.withContiguousStorageIfAvailable(compare) ?? Array(bytes).withUnsafeBufferPointer(compare)
    }

    /// `equalIgnoringCase` on two buffers of the same length, a byte at a time without
    /// bounds checks (the lookup of every command and subcommand).
    @inline(__always)
    private static func equalIgnoringCase(_ typed: UnsafeBufferPointer<UInt8>, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in 0..<typed.count {
            var byte = typed[index]
            if byte >= 65 && byte <= 90 { byte += 32 }
            if byte != name[index] { return false }
        }
        return true
    }

    /// The subcommand typed as `bytes` (any case).
    func subcommand<Bytes: Collection<UInt8>>(matching bytes: Bytes) -> CommandDescription? {
        subcommandsByLength.find(bytes)
    }

    /// Whether `count` arguments (name included) satisfy the accepted arity.
    func accepts(argumentCount count: Int) -> Bool {
        acceptedArity >= 0 ? count == acceptedArity : count >= -acceptedArity
    }

    /// The listed subcommands.
    var listedSubcommands: [CommandDescription] { subcommands.filter(\.isListed) }

    /// The `COMMAND INFO` entry: name, arity, flags, first/last key, step, categories, tips,
    /// key specs (none: no sentinel command takes keys), subcommands (an empty set when there
    /// are none).
    var infoReply: RESPValue {
        .array([
            .bulk(name), .integer(Int64(arity)),
            .set(flags.map { .status($0) }),
            .integer(0), .integer(0), .integer(0),
            .set(categories.map { .status($0) }),
            .set(tips.map { .bulk($0) }), .set([]),
            subcommands.isEmpty ? .set([]) : .array(listedSubcommands.map(\.infoReply)),
        ])
    }

    /// The `COMMAND DOCS` value for this command.
    var docsReply: RESPValue {
        var entries = documentation.entries
        if !subcommands.isEmpty {
            entries.append(RESPMapEntry(.bulk("subcommands"), .map(listedSubcommands.map { RESPMapEntry(.bulk($0.name), $0.docsReply) })))
        }
        return .map(entries)
    }
}
