import RESP

/// What `COMMAND DOCS` tells about a command (Redis's `addReplyCommandDocs`): the fields a
/// command's JSON file in Redis's `src/commands` gives, answered in this order and each only
/// when set — `summary`, `since`, `group` (always), `complexity`, `doc_flags`,
/// `deprecated_since`, `replaced_by`, `history`, `arguments`; the subcommands are added by
/// `CommandDescription.docsReply`.
struct CommandDocumentation: Sendable {
    let summary: String
    let since: String
    let group: String
    let complexity: String?
    /// `deprecated`, `syscmd`.
    let documentationFlags: [String]
    let deprecatedSince: String?
    let replacedBy: String?
    let history: [CommandHistoryEntry]
    let arguments: [CommandArgument]

    init(summary: String, since: String, group: String, complexity: String? = nil, documentationFlags: [String] = [],
         deprecatedSince: String? = nil, replacedBy: String? = nil, history: [CommandHistoryEntry] = [],
         arguments: [CommandArgument] = []) {
        self.summary = summary
        self.since = since
        self.group = group
        self.complexity = complexity
        self.documentationFlags = documentationFlags
        self.deprecatedSince = deprecatedSince
        self.replacedBy = replacedBy
        self.history = history
        self.arguments = arguments
    }

    /// The entries of the command's documentation map, subcommands aside.
    var entries: [RESPMapEntry] {
        var entries = [
            RESPMapEntry(.bulk("summary"), .bulk(summary)),
            RESPMapEntry(.bulk("since"), .bulk(since)),
            RESPMapEntry(.bulk("group"), .bulk(group)),
        ]
        if let complexity { entries.append(RESPMapEntry(.bulk("complexity"), .bulk(complexity))) }
        if !documentationFlags.isEmpty {
            entries.append(RESPMapEntry(.bulk("doc_flags"), .set(documentationFlags.map { .status($0) })))
        }
        if let deprecatedSince { entries.append(RESPMapEntry(.bulk("deprecated_since"), .bulk(deprecatedSince))) }
        if let replacedBy { entries.append(RESPMapEntry(.bulk("replaced_by"), .bulk(replacedBy))) }
        if !history.isEmpty {
            entries.append(RESPMapEntry(.bulk("history"), .set(history.map { .array([.bulk($0.since), .bulk($0.changes)]) })))
        }
        if !arguments.isEmpty {
            entries.append(RESPMapEntry(.bulk("arguments"), .array(arguments.map(\.reply))))
        }
        return entries
    }
}

/// One change in a command's history: the version and what changed.
struct CommandHistoryEntry: Sendable {
    let since: String
    let changes: String

    init(_ since: String, _ changes: String) {
        self.since = since
        self.changes = changes
    }
}

/// One argument in `COMMAND DOCS` (Redis's `addReplyCommandArgList`): `name`, `type`,
/// `display_text` (Redis 7.2 and later, for arguments that are not a oneof or a block),
/// `key_spec_index`, `token`, `summary`, `since`, `deprecated_since`, `flags` (`optional`,
/// `multiple`, `multiple_token`) and, for a oneof or a block, its `arguments`.
struct CommandArgument: Sendable {
    let name: String
    let type: String
    let displayText: String?
    let keySpecIndex: Int?
    let token: String?
    let summary: String?
    let since: String?
    let deprecatedSince: String?
    let flags: [String]
    let arguments: [CommandArgument]

    init(_ name: String, _ type: String, displayText: String? = nil, keySpecIndex: Int? = nil, token: String? = nil,
         summary: String? = nil, since: String? = nil, deprecatedSince: String? = nil, flags: [String] = [],
         arguments: [CommandArgument] = []) {
        self.name = name
        self.type = type
        self.displayText = displayText
        self.keySpecIndex = keySpecIndex
        self.token = token
        self.summary = summary
        self.since = since
        self.deprecatedSince = deprecatedSince
        self.flags = flags
        self.arguments = arguments
    }

    var reply: RESPValue {
        var entries = [RESPMapEntry(.bulk("name"), .bulk(name)), RESPMapEntry(.bulk("type"), .bulk(type))]
        if let displayText { entries.append(RESPMapEntry(.bulk("display_text"), .bulk(displayText))) }
        if let keySpecIndex { entries.append(RESPMapEntry(.bulk("key_spec_index"), .integer(Int64(keySpecIndex)))) }
        if let token { entries.append(RESPMapEntry(.bulk("token"), .bulk(token))) }
        if let summary { entries.append(RESPMapEntry(.bulk("summary"), .bulk(summary))) }
        if let since { entries.append(RESPMapEntry(.bulk("since"), .bulk(since))) }
        if let deprecatedSince { entries.append(RESPMapEntry(.bulk("deprecated_since"), .bulk(deprecatedSince))) }
        if !flags.isEmpty { entries.append(RESPMapEntry(.bulk("flags"), .set(flags.map { .status($0) }))) }
        if type == "oneof" || type == "block" {
            entries.append(RESPMapEntry(.bulk("arguments"), .array(arguments.map(\.reply))))
        }
        return .map(entries)
    }
}
