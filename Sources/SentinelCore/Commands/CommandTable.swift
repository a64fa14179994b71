/// The commands a sentinel answers, as one Redis release's sentinel mode has them (§10.1):
/// the release's own table (`RedisCommands70.swift`, `RedisCommands72.swift`, generated from
/// its `src/commands/*.json`), plus names answered without being listed — Valkey's
/// `SENTINEL PRIMARY`, `PRIMARIES`, `GET-PRIMARY-ADDR-BY-NAME`, `IS-PRIMARY-DOWN-BY-ADDR`, and
/// `CLIENT SETINFO` where the release has no such command (7.0).
final class CommandTable: Sendable {
    /// The top-level commands, in the order `COMMAND` lists them.
    let commands: [CommandDescription]
    private let byName: [String: CommandDescription]
    private let commandsByLength: NamesByLength

    /// redis-sentinel 7.0.15's commands (15 top-level, 72 names in `COMMAND LIST`).
    static let redis70 = CommandTable(release: redis70Commands)
    /// redis-sentinel 7.2.4's commands (15 top-level, 73 names: `CLIENT SETINFO` is new).
    static let redis72 = CommandTable(release: redis72Commands)

    /// The table of the release the sentinel presents.
    static func table(for compatibility: RedisCompatibility) -> CommandTable {
        switch compatibility {
        case .redis70: return redis70
        case .redis72: return redis72
        }
    }

    /// Valkey's names for `SENTINEL` subcommands, and the subcommand each one stands for.
    static let valkeyAliases: [(alias: String, original: String)] = [
        ("sentinel|get-primary-addr-by-name", "sentinel|get-master-addr-by-name"),
        ("sentinel|is-primary-down-by-addr", "sentinel|is-master-down-by-addr"),
        ("sentinel|primaries", "sentinel|masters"),
        ("sentinel|primary", "sentinel|master"),
    ]

    /// Subcommands that take more arguments than in Redis, and the arity they are checked
    /// with (their handler checks the rest).
    static let widerArities: [String: Int] = ["sentinel|failover": -3]

    /// A release's commands with the unlisted extras added to their containers.
    init(release: [CommandDescription]) {
        let newestSetInfo = CommandTable.redis72Commands.first { $0.name == "client" }?
            .subcommands.first { $0.name == "client|setinfo" }
        commands = release.map { release in
            let widened = release.subcommands.map { subcommand in
                CommandTable.widerArities[subcommand.name].map { subcommand.with(acceptedArity: $0) } ?? subcommand
            }
            let command = release.with(subcommands: widened)
            var extras: [CommandDescription] = []
            for (alias, original) in CommandTable.valkeyAliases where alias.hasPrefix(command.name + "|") {
                if let found = command.subcommands.first(where: { $0.name == original }) { extras.append(found.alias(alias)) }
            }
            if command.name == "client", !command.subcommands.contains(where: { $0.name == "client|setinfo" }), let newestSetInfo {
                extras.append(newestSetInfo.with(isListed: false))
            }
            return extras.isEmpty ? command : command.with(subcommands: command.subcommands + extras)
        }
        var table: [String: CommandDescription] = [:]
        for command in commands {
            table[command.name] = command
            for subcommand in command.subcommands { table[subcommand.name] = subcommand }
        }
        byName = table
        commandsByLength = NamesByLength(commands)
    }

    /// The top-level command typed as `bytes` (any case), without building a `String`.
    func lookup<Bytes: Collection<UInt8>>(typed bytes: Bytes) -> CommandDescription? {
        commandsByLength.find(bytes)
    }

    /// The command or `container|sub` subcommand named `name` (lowercase), listed or not.
    func lookup(_ name: String) -> CommandDescription? { byName[name] }

    /// The listed command or subcommand named `name` (any case), as `COMMAND INFO` and `COMMAND
    /// DOCS` find them.
    func listed(_ name: String) -> CommandDescription? {
        guard let command = byName[name.lowercased()], command.isListed else { return nil }
        return command
    }

    /// Every listed name, each command followed by its subcommands (`COMMAND LIST`).
    var listedNames: [String] {
        commands.flatMap { [$0.name] + $0.listedSubcommands.map(\.name) }
    }
}

extension Sentinel {
    /// The command table of the release the sentinel presents (`redis-compatibility`).
    var commandTable: CommandTable { CommandTable.table(for: configuration.redisCompatibility) }
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
    func find<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> CommandDescription? {
        guard bytes.count < groups.count else { return nil }
        return groups[bytes.count].first { $0.matches(bytes) }
    }
}
