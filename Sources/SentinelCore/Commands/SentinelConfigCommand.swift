import RESP

extension Sentinel {
    /// The options of `SENTINEL CONFIG GET`, in the order a reply lists them.
    static let sentinelConfigOptions = [
        "resolve-hostnames", "announce-hostnames", "announce-ip", "announce-port", "sentinel-user", "sentinel-pass", "loglevel",
    ]

    /// The levels `SENTINEL CONFIG SET loglevel` takes.
    static let settableLogLevels: [LogLevel] = [.debug, .verbose, .notice, .warning, .nothing]

    /// `SENTINEL CONFIG GET <pattern> …` / `SENTINEL CONFIG SET <option> <value> …` (§12.3,
    /// Redis 7.2's form, which takes 7.0's one-option form as a special case).
    mutating func configCommand(_ client: ClientID, _ rawArguments: [RequestArgument], turn: inout Turn) {
        let arguments = rawArguments.map { String(decoding: $0, as: UTF8.self) }
        let action = arguments[2].lowercased()
        if action == "set" && arguments.count >= 5 {
            return configSetCommand(client, rawArguments, turn: &turn)
        }
        if action == "get" && arguments.count >= 4 {
            return reply(to: client, .map(configGetEntries(patterns: arguments[3...])), turn: &turn)
        }
        switch configuration.redisCompatibility {
        case .redis70:
            replyError(to: client, "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.", turn: &turn)
        case .redis72:
            replyError(to: client, "ERR Only SENTINEL CONFIG GET <param> [<param> <param> ...]/ SET <param> <value> [<param> <value> ...] are supported.", turn: &turn)
        }
    }

    /// The `SENTINEL CONFIG GET` pairs: for each pattern in turn, the options it matches (glob,
    /// any case) that no earlier pattern matched; a pattern without `*`, `?` or `[` that was
    /// already asked for is skipped.
    func configGetEntries(patterns: ArraySlice<String>) -> [RESPMapEntry] {
        var entries: [RESPMapEntry] = []
        var answered: Set<String> = []
        var askedLiterally: Set<String> = []
        for pattern in patterns {
            let isGlob = pattern.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
            if !isGlob && !askedLiterally.insert(pattern).inserted { continue }
            for option in Sentinel.sentinelConfigOptions where !answered.contains(option) {
                guard GlobPattern.matches(pattern, option, caseInsensitive: true) else { continue }
                answered.insert(option)
                entries.append(RESPMapEntry(.bulk(option), .bulkString(configValue(option))))
            }
        }
        return entries
    }

    /// The current value of a `SENTINEL CONFIG` option, as `GET` shows it (a password as
    /// its exact bytes).
    func configValue(_ option: String) -> [UInt8] {
        switch option {
        case "resolve-hostnames": return Array((configuration.resolveHostnames ? "yes" : "no").utf8)
        case "announce-hostnames": return Array((configuration.announceHostnames ? "yes" : "no").utf8)
        case "announce-ip": return Array((configuration.announceIP ?? "").utf8)
        case "announce-port": return Array(String(configuration.announcePort).utf8)
        case "sentinel-user": return Array((configuration.sentinelUser ?? "").utf8)
        case "sentinel-pass": return configuration.sentinelPass?.bytes ?? []
        default: return Array(configuration.logLevel.name.utf8)
        }
    }

    /// `SENTINEL CONFIG SET <option> <value> …`: all or nothing. Every pair is checked first,
    /// left to right, and the first bad one is answered with Redis 7.2's text (unknown option,
    /// option given twice, value missing, value invalid; option names in any case; CR and LF
    /// of the echoed words as spaces, as Redis's `addReplyErrorFormat` does) without
    /// changing anything; then all apply, the configuration is written, and the reply waits for
    /// the write. A new `sentinel-user` or `sentinel-pass` drops the links to the other
    /// sentinels so they reconnect with it.
    mutating func configSetCommand(_ client: ClientID, _ rawArguments: [RequestArgument], turn: inout Turn) {
        let arguments = rawArguments.map { String(decoding: $0, as: UTF8.self) }
        var changes: [(option: String, value: String, raw: [UInt8])] = []
        var index = 3
        while index < arguments.count {
            let typed = arguments[index]
            let option = typed.lowercased()
            guard Sentinel.sentinelConfigOptions.contains(option) else {
                return replyError(to: client, "ERR Invalid argument '\(typed)' to SENTINEL CONFIG SET", turn: &turn)
            }
            guard !changes.contains(where: { $0.option == option }) else {
                return replyError(to: client, "ERR Duplicate argument '\(typed)' to SENTINEL CONFIG SET", turn: &turn)
            }
            guard index + 1 < arguments.count else {
                return replyError(to: client, "ERR Missing argument '\(typed)' value", turn: &turn)
            }
            let value = arguments[index + 1]
            guard Sentinel.isValidConfigValue(value, for: option) else {
                return replyError(to: client, "ERR Invalid value '\(value)' to SENTINEL CONFIG SET '\(typed)'", turn: &turn)
            }
            changes.append((option, value, rawArguments[index + 1].bytes))
            index += 2
        }
        if let hostname = hostnameBlockingResolveHostnamesOff(changes.map { ($0.option, $0.value) }) {
            return replyError(to: client, "ERR Can't set resolve-hostnames to no while an instance is known by the host name '\(hostname)'", turn: &turn)
        }
        var credentialsChanged = false
        for (option, value, raw) in changes {
            switch option {
            case "resolve-hostnames": configuration.resolveHostnames = RedisNumberParsing.yesNo(value) ?? false
            case "announce-hostnames": configuration.announceHostnames = RedisNumberParsing.yesNo(value) ?? false
            case "announce-ip": configuration.announceIP = value.isEmpty ? nil : value
            case "announce-port": configuration.announcePort = Int(RedisNumberParsing.string2ll(value) ?? 0)
            case "sentinel-user":
                configuration.sentinelUser = value.isEmpty ? nil : value
                credentialsChanged = true
            case "sentinel-pass":
                configuration.sentinelPass = value.isEmpty ? nil : Secret(raw)
                credentialsChanged = true
            default:
                let level = LogLevel(name: value) ?? .notice
                configuration.logLevel = level
                turn.append(.setLogLevel(level))
            }
        }
        if credentialsChanged { dropSentinelConnections(turn: &turn) }
        persistConfiguration(replyTo: client, turn: &turn)
    }

    /// A host name that keeps `resolve-hostnames` from being turned off by `changes`, if they
    /// turn it off: with `resolve-hostnames no` a `monitor`, `known-replica` or
    /// `known-sentinel` line naming a host does not load, so the rewritten file would not load
    /// either (Redis accepts the change and writes such a file).
    func hostnameBlockingResolveHostnamesOff(_ changes: [(option: String, value: String)]) -> String? {
        guard configuration.resolveHostnames,
              let change = changes.first(where: { $0.option == "resolve-hostnames" }),
              RedisNumberParsing.yesNo(change.value) == false else { return nil }
        return instances.values.first { !IPAddressLiteral.isLiteral($0.address.host) }?.address.host
    }

    /// Whether `SENTINEL CONFIG SET` takes `value` for `option` (lowercase): `yes`/`no` for
    /// the hostname options, an integer 0…65535 for `announce-port` (Redis's strict integer
    /// syntax), one of the five levels for `loglevel`, anything for the others.
    static func isValidConfigValue(_ value: String, for option: String) -> Bool {
        switch option {
        case "resolve-hostnames", "announce-hostnames":
            return RedisNumberParsing.yesNo(value) != nil
        case "announce-port":
            guard let port = RedisNumberParsing.string2ll(value) else { return false }
            return port >= 0 && port <= 65535
        case "loglevel":
            return LogLevel(name: value).map { settableLogLevels.contains($0) } ?? false
        default:
            return true
        }
    }
}
