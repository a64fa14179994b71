import RESP

/// One command (or subcommand) a sentinel knows: what `COMMAND`, `COMMAND DOCS` and the arity
/// check need. Only the 15 commands of Redis's sentinel mode exist (§10.1).
final class CommandDescription: Sendable {
    /// Lowercase name; subcommands are named `container|sub`.
    let name: String
    /// Redis arity: N exactly, or −N for at least N (the name counts).
    let arity: Int
    let flags: [String]
    let categories: [String]
    let summary: String
    let group: String
    let since: String
    let subcommands: [CommandDescription]
    /// Whether a client may run it before authenticating (`no_auth`).
    let allowedBeforeAuthentication: Bool
    /// Whether `COMMAND LIST/INFO/DOCS` show it: the names Redis 7.0.15 does not have
    /// (Valkey's, `CLIENT SETINFO`) are answered but not listed, so the command table
    /// matches Redis's (72 names).
    let isListed: Bool
    /// The name as typed by clients (for a subcommand, the part after `|`), lowercase bytes.
    let typedName: [UInt8]
    /// The subcommands grouped by the length of their typed name, so that finding the one a
    /// client typed compares one or two names, not all of them.
    let subcommandsByLength: NamesByLength
    /// The handler that runs it.
    let route: CommandRoute

    init(name: String, arity: Int, flags: [String], categories: [String], summary: String, group: String, since: String, subcommands: [CommandDescription] = []) {
        self.name = name
        self.arity = arity
        self.flags = flags
        self.categories = categories
        self.summary = summary
        self.group = group
        self.since = since
        self.subcommands = subcommands
        self.allowedBeforeAuthentication = flags.contains("no_auth")
        self.isListed = !CommandDescription.unlistedNames.contains(name)
        self.typedName = Array(name.split(separator: "|").last.map(String.init)?.utf8 ?? name.utf8)
        self.route = CommandRoute(name: name)
        self.subcommandsByLength = NamesByLength(subcommands)
    }

    static let unlistedNames: Set<String> = [
        "client|setinfo", "sentinel|get-primary-addr-by-name", "sentinel|is-primary-down-by-addr",
        "sentinel|primaries", "sentinel|primary",
    ]

    /// Whether `bytes` spell this command's typed name, ignoring ASCII case.
    func matches(_ bytes: [UInt8]) -> Bool {
        CommandDescription.equalIgnoringCase(bytes, typedName)
    }

    /// Whether `bytes` equal the lowercase `name`, ignoring the ASCII case of `bytes`.
    static func equalIgnoringCase(_ bytes: [UInt8], _ name: [UInt8]) -> Bool {
        guard bytes.count == name.count else { return false }
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= 65 && byte <= 90 { byte += 32 }
            if byte != name[index] { return false }
        }
        return true
    }

    /// The subcommand typed as `bytes` (any case).
    func subcommand(matching bytes: [UInt8]) -> CommandDescription? {
        subcommandsByLength.find(bytes)
    }

    /// Whether `count` arguments (name included) satisfy the arity.
    func accepts(argumentCount count: Int) -> Bool {
        arity >= 0 ? count == arity : count >= -arity
    }

    /// The `COMMAND INFO` entry: name, arity, flags, first/last key, step, categories, tips,
    /// key specs, subcommands.
    var infoReply: RESPValue {
        .array([
            .bulk(name), .integer(Int64(arity)),
            .set(flags.map { .status($0) }),
            .integer(0), .integer(0), .integer(0),
            .set(categories.map { .status($0) }),
            .set([]), .set([]),
            .array(subcommands.filter(\.isListed).map(\.infoReply)),
        ])
    }

    /// The `COMMAND DOCS` value for this command.
    var docsReply: RESPValue {
        var entries: [RESPMapEntry] = [
            RESPMapEntry(.bulk("summary"), .bulk(summary)),
            RESPMapEntry(.bulk("since"), .bulk(since)),
            RESPMapEntry(.bulk("group"), .bulk(group)),
        ]
        if !subcommands.isEmpty {
            entries.append(RESPMapEntry(.bulk("subcommands"), .map(subcommands.filter(\.isListed).map { RESPMapEntry(.bulk($0.name), $0.docsReply) })))
        }
        return .map(entries)
    }
}

/// The sentinel's command table.
enum CommandTable {
    private static let admin = ["admin", "noscript", "loading", "stale"]
    private static let adminCategories = ["@admin", "@slow", "@dangerous"]

    private static func sub(_ container: String, _ name: String, _ arity: Int, admin isAdmin: Bool = true, connection: Bool = false, _ summary: String) -> CommandDescription {
        var categories = isAdmin ? adminCategories : ["@slow"]
        if connection { categories.append("@connection") }
        return CommandDescription(name: "\(container)|\(name)", arity: arity, flags: isAdmin ? admin : ["noscript", "loading", "stale"], categories: categories, summary: summary, group: container == "sentinel" ? "sentinel" : (container == "acl" ? "server" : "connection"), since: "2.8.4")
    }

    static let commands: [CommandDescription] = [
        CommandDescription(name: "ping", arity: -1, flags: ["fast"], categories: ["@fast", "@connection"], summary: "Ping the server", group: "connection", since: "1.0.0"),
        CommandDescription(name: "info", arity: -1, flags: ["loading", "stale"], categories: ["@slow", "@dangerous"], summary: "Get information and statistics about the server", group: "server", since: "1.0.0"),
        CommandDescription(name: "role", arity: 1, flags: ["noscript", "loading", "stale", "fast"], categories: ["@admin", "@fast", "@dangerous"], summary: "Return the role of the instance in the context of replication", group: "server", since: "2.8.12"),
        CommandDescription(name: "auth", arity: -2, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], categories: ["@fast", "@connection"], summary: "Authenticate to the server", group: "connection", since: "1.0.0"),
        CommandDescription(name: "hello", arity: -1, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], categories: ["@fast", "@connection"], summary: "Handshake with Redis", group: "connection", since: "6.0.0"),
        CommandDescription(name: "client", arity: -2, flags: [], categories: ["@slow"], summary: "A container for client connection commands", group: "connection", since: "2.4.0", subcommands: [
            sub("client", "caching", 3, admin: false, connection: true, "Instruct the server about tracking or not keys in the next request"),
            sub("client", "id", 2, admin: false, connection: true, "Returns the client ID for the current connection"),
            sub("client", "reply", 3, admin: false, connection: true, "Instruct the server whether to reply to commands"),
            sub("client", "getredir", 2, admin: false, connection: true, "Get tracking notifications redirection client ID if any"),
            sub("client", "kill", -3, connection: true, "Kill the connection of a client"),
            sub("client", "pause", -3, connection: true, "Stop processing commands from clients for some time"),
            sub("client", "no-evict", 3, connection: true, "Set client eviction mode for the current connection"),
            sub("client", "info", 2, admin: false, connection: true, "Returns information about the current client connection."),
            sub("client", "getname", 2, admin: false, connection: true, "Get the current connection name"),
            sub("client", "unblock", -3, connection: true, "Unblock a client blocked in a blocking command from a different connection"),
            sub("client", "trackinginfo", 2, admin: false, connection: true, "Return information about server assisted client side caching for the current connection"),
            sub("client", "setname", 3, admin: false, connection: true, "Set the current connection name"),
            sub("client", "setinfo", 4, admin: false, connection: true, "Set client or connection specific info"),
            sub("client", "list", -2, connection: true, "Get the list of client connections"),
            sub("client", "tracking", -3, admin: false, connection: true, "Enable or disable server assisted client side caching support"),
            sub("client", "help", 2, admin: false, connection: true, "Show helpful text about the different subcommands"),
            sub("client", "unpause", 2, connection: true, "Resume processing of clients that were paused"),
        ]),
        CommandDescription(name: "command", arity: -1, flags: ["loading", "stale"], categories: ["@slow", "@connection"], summary: "Get array of Redis command details", group: "server", since: "2.8.13", subcommands: [
            sub("command", "count", 2, admin: false, connection: true, "Get total number of Redis commands"),
            sub("command", "docs", -2, admin: false, connection: true, "Get array of specific Redis command documentation"),
            sub("command", "getkeys", -4, admin: false, connection: true, "Extract keys given a full Redis command"),
            sub("command", "getkeysandflags", -4, admin: false, connection: true, "Extract keys and access flags given a full Redis command"),
            sub("command", "help", 2, admin: false, connection: true, "Show helpful text about the different subcommands"),
            sub("command", "info", -2, admin: false, connection: true, "Get array of specific Redis command details, or all when no argument is given."),
            sub("command", "list", -2, admin: false, connection: true, "Get an array of Redis command names"),
        ]),
        CommandDescription(name: "acl", arity: -2, flags: [], categories: ["@slow"], summary: "A container for Access List Control commands", group: "server", since: "6.0.0", subcommands: [
            sub("acl", "cat", -2, admin: false, "List the ACL categories or the commands inside a category"),
            sub("acl", "deluser", -3, "Remove the specified ACL users and the associated rules"),
            sub("acl", "dryrun", -4, "Returns whether the user can execute the given command without executing the command."),
            sub("acl", "genpass", -2, admin: false, "Generate a pseudorandom secure password to use for ACL users"),
            sub("acl", "getuser", 3, "Get the rules for a specific ACL user"),
            sub("acl", "help", 2, admin: false, "Show helpful text about the different subcommands"),
            sub("acl", "list", 2, "List the current ACL rules in ACL config file format"),
            sub("acl", "load", 2, "Reload the ACLs from the configured ACL file"),
            sub("acl", "log", -2, "List latest events denied because of ACLs in place"),
            sub("acl", "save", 2, "Save the current ACL rules in the configured ACL file"),
            sub("acl", "setuser", -3, "Modify or create the rules for a specific ACL user"),
            sub("acl", "users", 2, "List the username of all the configured ACL rules"),
            sub("acl", "whoami", 2, admin: false, "Return the name of the user associated to the current connection"),
        ]),
        CommandDescription(name: "subscribe", arity: -2, flags: ["pubsub", "noscript", "loading", "stale"], categories: ["@pubsub", "@slow"], summary: "Listen for messages published to the given channels", group: "pubsub", since: "2.0.0"),
        CommandDescription(name: "psubscribe", arity: -2, flags: ["pubsub", "noscript", "loading", "stale"], categories: ["@pubsub", "@slow"], summary: "Listen for messages published to channels matching the given patterns", group: "pubsub", since: "2.0.0"),
        CommandDescription(name: "unsubscribe", arity: -1, flags: ["pubsub", "noscript", "loading", "stale"], categories: ["@pubsub", "@slow"], summary: "Stop listening for messages posted to the given channels", group: "pubsub", since: "2.0.0"),
        CommandDescription(name: "punsubscribe", arity: -1, flags: ["pubsub", "noscript", "loading", "stale"], categories: ["@pubsub", "@slow"], summary: "Stop listening for messages posted to channels matching the given patterns", group: "pubsub", since: "2.0.0"),
        CommandDescription(name: "publish", arity: 3, flags: ["pubsub", "loading", "stale", "fast"], categories: ["@pubsub", "@fast"], summary: "Post a message to a channel", group: "pubsub", since: "2.0.0"),
        CommandDescription(name: "shutdown", arity: -1, flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"], categories: ["@admin", "@slow", "@dangerous"], summary: "Synchronously save the dataset to disk and then shut down the server", group: "server", since: "1.0.0"),
        CommandDescription(name: "sentinel", arity: -2, flags: ["admin"], categories: adminCategories, summary: "A container for Redis Sentinel commands", group: "sentinel", since: "2.8.4", subcommands: [
            sub("sentinel", "ckquorum", 3, "Checks for a Redis Sentinel quorum"),
            sub("sentinel", "config", -3, "Configures Redis Sentinel"),
            sub("sentinel", "debug", -2, "Lists or updates the current configurable parameters"),
            sub("sentinel", "failover", -3, "Forces a Redis Sentinel failover"),
            sub("sentinel", "flushconfig", 2, "Rewrites the Redis Sentinel configuration file"),
            sub("sentinel", "get-master-addr-by-name", 3, "Returns the port and address of a master Redis instance"),
            sub("sentinel", "get-primary-addr-by-name", 3, "Returns the port and address of a primary Redis instance (Valkey's name)"),
            sub("sentinel", "help", 2, admin: false, "Returns helpful text about the different subcommands"),
            sub("sentinel", "info-cache", -3, "Returns the cached INFO replies from the deployment's instances"),
            sub("sentinel", "is-master-down-by-addr", 6, "Determines whether a master Redis instance is down"),
            sub("sentinel", "is-primary-down-by-addr", 6, "Determines whether a primary Redis instance is down (Valkey's name)"),
            sub("sentinel", "master", 3, "Returns the state of a master Redis instance"),
            sub("sentinel", "masters", 2, "Returns a list of monitored Redis masters"),
            sub("sentinel", "monitor", 6, "Starts monitoring"),
            sub("sentinel", "myid", 2, "Returns the Redis Sentinel instance ID"),
            sub("sentinel", "pending-scripts", 2, "Returns information about pending scripts for Redis Sentinel"),
            sub("sentinel", "primaries", 2, "Returns a list of monitored Redis primaries (Valkey's name)"),
            sub("sentinel", "primary", 3, "Returns the state of a primary Redis instance (Valkey's name)"),
            sub("sentinel", "remove", 3, "Stops monitoring"),
            sub("sentinel", "replicas", 3, "Returns a list of the monitored Redis replicas"),
            sub("sentinel", "reset", 3, "Resets Redis masters by name matching a pattern"),
            sub("sentinel", "sentinels", 3, "Returns a list of Sentinel instances"),
            sub("sentinel", "set", -5, "Changes the configuration of a monitored Redis master"),
            sub("sentinel", "simulate-failure", -3, "Simulates failover scenarios"),
            sub("sentinel", "slaves", 3, "Returns a list of the monitored replicas"),
        ]),
    ]

    private static let byName: [String: CommandDescription] = {
        var table: [String: CommandDescription] = [:]
        for command in commands {
            table[command.name] = command
            for subcommand in command.subcommands { table[subcommand.name] = subcommand }
        }
        return table
    }()

    /// The top-level command typed as `bytes` (any case), without building a `String`.
    static func lookup(typed bytes: [UInt8]) -> CommandDescription? {
        commandsByLength.find(bytes)
    }

    private static let commandsByLength = NamesByLength(commands)

    /// The command or `container|sub` subcommand named `name` (lowercase).
    static func lookup(_ name: String) -> CommandDescription? { byName[name] }
}

/// Commands grouped by the length of their typed name (see `CommandDescription.typedName`).
struct NamesByLength: Sendable {
    private let groups: [[CommandDescription]]

    init(_ commands: [CommandDescription]) {
        var groups: [[CommandDescription]] = []
        for command in commands {
            let length = command.typedName.count
            while groups.count <= length { groups.append([]) }
            groups[length].append(command)
        }
        self.groups = groups
    }

    /// The command whose name `bytes` spell, ignoring ASCII case.
    func find(_ bytes: [UInt8]) -> CommandDescription? {
        guard bytes.count < groups.count else { return nil }
        for command in groups[bytes.count] where command.matches(bytes) { return command }
        return nil
    }
}
