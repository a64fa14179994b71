import RESP

/// Reads `sentinel.conf` text into a `SentinelConfiguration` as `redis-sentinel` 7.0.15 loads it
/// (SENTINEL-PROTOCOL.md §12.1). Pure: files named by `include` are read through the caller's
/// closure, and nothing that needs the filesystem (script executability, `dir`, `logfile`) is
/// checked here.
public enum ConfigurationParser {
    /// Deepest `include` nesting accepted (Redis has no limit and would overflow its stack).
    public static let maximumIncludeDepth = 32

    /// Parses `bytes`, the content of `fileName`.
    ///
    /// Rules (Redis's `loadServerConfigFromString` then `loadSentinelConfigFromQueue`):
    /// - Lines are split at each LF byte and trimmed of spaces, tabs, CR and LF (so CRLF files
    ///   read like LF files); empty lines and lines starting with `#` are skipped; the rest are
    ///   split with `RedisArgumentSplitter`. Passwords keep their exact bytes (`Secret`).
    /// - Generic directives apply at once, in file order, and the first error stops the load.
    /// - `user` lines are checked as Redis checks them at load, once every file is read (their
    ///   commands are those of the `redis-compatibility` release), and keep only password
    ///   hashes (`UserDirectory.loadableLine`); an error names the rule at fault (Redis names
    ///   the word two places before it).
    /// - `include <path>` loads the bytes `readInclude(path)` returns, then goes on (a failing
    ///   closure is a fatal error at the `include` line; globbing, if wanted, is the closure's).
    /// - `sentinel …` lines are queued and applied after every file is read, in three passes
    ///   (`SentinelDirectiveLoader`).
    /// - Script paths are only recorded in `scriptReferences`: the caller checks them.
    public static func parse(
        bytes: [UInt8],
        fileName: String,
        readInclude: (String) throws -> [UInt8]
    ) throws(ConfigurationError) -> SentinelConfiguration {
        var configuration = SentinelConfiguration()
        var loader = SentinelDirectiveLoader()
        var users: [UserLine] = []
        try parseGeneric(bytes: bytes, fileName: fileName, depth: 0, readInclude: readInclude,
                         into: &configuration, queue: &loader, users: &users)
        try loadUsers(users, into: &configuration)
        try loader.apply(to: &configuration)
        return configuration
    }

    /// The words after `user` on a line, and where the line is.
    struct UserLine {
        var words: [[UInt8]]
        var source: ConfigurationSource
    }

    /// Checks the `user` lines in file order and adds them to `configuration.aclUsers`. The
    /// implicit default user as every rewrite writes it is the same as no line, unless
    /// `requirepass` (anywhere in the file) gives the default user a password: then the line
    /// takes that password away, as a `default` line replaces the user `requirepass` made.
    static func loadUsers(_ users: [UserLine], into configuration: inout SentinelConfiguration) throws(ConfigurationError) {
        let table = CommandTable.table(for: configuration.redisCompatibility)
        for user in users {
            if configuration.requirePass == nil,
               user.words.map({ String(decoding: $0, as: UTF8.self) }) == ConfigurationRenderer.implicitDefaultUser { continue }
            let name = String(decoding: user.words[0], as: UTF8.self)
            guard !configuration.aclUsers.contains(where: { $0.first == name }) else {
                throw user.source.error("Error in user declaration '\(name)': Duplicate user found. A user can only be defined once in config files")
            }
            switch UserDirectory.loadableLine(user.words, table: table) {
            case .success(let line): configuration.aclUsers.append(line)
            case .failure(let failure): throw user.source.error("Error in user declaration '\(failure.rule)': \(failure.message)")
            }
        }
    }

    /// Parses `text`'s UTF-8 bytes (see `parse(bytes:fileName:readInclude:)`).
    public static func parse(
        text: String,
        fileName: String,
        readInclude: (String) throws -> String
    ) throws(ConfigurationError) -> SentinelConfiguration {
        try parse(bytes: Array(text.utf8), fileName: fileName) { path in Array(try readInclude(path).utf8) }
    }

    /// One file's lines: generic directives applied, `sentinel` ones queued.
    static func parseGeneric(
        bytes: [UInt8],
        fileName: String,
        depth: Int,
        readInclude: (String) throws -> [UInt8],
        into configuration: inout SentinelConfiguration,
        queue loader: inout SentinelDirectiveLoader,
        users: inout [UserLine]
    ) throws(ConfigurationError) {
        for (index, rawLine) in ConfigurationLines.split(bytes).enumerated() {
            let line = ConfigurationLines.trimmed(rawLine)
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            let source = ConfigurationSource(fileName: fileName, lineNumber: index + 1, lineText: String(decoding: line, as: UTF8.self))
            guard case .success(let words) = RedisArgumentSplitter.split(line) else {
                throw source.error("Unbalanced quotes in configuration line")
            }
            guard let first = words.first else { continue }
            let name = String(decoding: first, as: UTF8.self).lowercased()
            let rawValues = Array(words.dropFirst())
            let values = rawValues.map { String(decoding: $0, as: UTF8.self) }

            if RedisDirectiveCatalog.isStandard(name) {
                let isMultiArgument = RedisDirectiveCatalog.multiArgumentNames.contains(name)
                if !isMultiArgument && values.count != 1 {
                    throw source.error("wrong number of arguments")
                }
                var effective = values
                // A lone non-empty argument of a multi-argument directive is split again.
                if isMultiArgument, values.count == 1, !values[0].isEmpty,
                   let resplit = RedisArgumentSplitter.split(values[0]) {
                    effective = resplit
                }
                if name == "requirepass" {
                    // The default user's password, kept as the bytes written.
                    configuration.requirePass = rawValues[0].isEmpty ? nil : Secret(rawValues[0])
                } else if TLSConfiguration.passwordNames.contains(name) {
                    configuration.tls.setPassword(named: name, to: rawValues[0])
                } else if let message = GenericDirectiveApplier.apply(name: name, values: effective, to: &configuration) {
                    throw source.error(message)
                }
                continue
            }
            if RedisDirectiveCatalog.deprecatedNames.contains(name) && values.count == 1 {
                continue
            }
            switch name {
            case "include" where values.count == 1:
                guard depth < maximumIncludeDepth else {
                    throw source.error("Too many nested include directives")
                }
                let included: [UInt8]
                do {
                    included = try readInclude(values[0])
                } catch {
                    throw source.error("Fatal error, can't open config file '\(values[0])': \(error)")
                }
                try parseGeneric(bytes: included, fileName: values[0], depth: depth + 1,
                                 readInclude: readInclude, into: &configuration, queue: &loader, users: &users)
            case "redis-compatibility" where values.count == 1:
                guard let compatibility = RedisCompatibility(rawValue: values[0]) else {
                    throw source.error(GenericDirectiveApplier.enumError(RedisCompatibility.allCases.map(\.rawValue)))
                }
                configuration.redisCompatibility = compatibility
            case _ where MetricsEndpointDirectives.names.contains(name):
                if let message = MetricsEndpointDirectives.apply(name: name, values: values, to: &configuration) {
                    throw source.error(message)
                }
            case "rename-command" where values.count == 2, "loadmodule" where !values.isEmpty:
                configuration.ignoredDirectives.append(IgnoredDirective(name: name, arguments: values))
            case "user" where !values.isEmpty:
                users.append(UserLine(words: rawValues, source: source))
            case "sentinel":
                // A bare `sentinel` line only selects sentinel mode.
                if !values.isEmpty { loader.enqueue(values, rawArguments: rawValues, source: source) }
            case _ where name.contains("."):
                guard !values.isEmpty else { throw source.error("Module config specified without value") }
                configuration.ignoredDirectives.append(IgnoredDirective(name: name, arguments: values))
            default:
                throw source.error("Bad directive or wrong number of arguments")
            }
        }
    }
}
