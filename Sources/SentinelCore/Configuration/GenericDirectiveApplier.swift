/// Applies one standard (non-`sentinel`) directive to the model, with `config.c`'s validation
/// and messages for the directives a sentinel uses; every other standard directive is kept in
/// `ignoredDirectives` as written. (`requirepass` is the parser's: it keeps the password's bytes.)
enum GenericDirectiveApplier {
    /// Redis allows at most this many `bind` addresses (`CONFIG_BINDADDR_MAX`).
    static let maximumBindAddresses = 16
    static let logLevels = ["debug", "verbose", "notice", "warning", "nothing"]
    static let syslogFacilities = ["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"]
    static let protectedActions = ["no", "yes", "local"]

    /// Applies `name values…` (arity already checked); returns Redis's error message, if any.
    static func apply(name: String, values: [String], to configuration: inout SentinelConfiguration) -> String? {
        let value = values.first ?? ""
        switch name {
        case "port":
            guard let port = RedisNumberParsing.string2ll(value) else { return "argument couldn't be parsed into an integer" }
            guard (0...65535).contains(port) else { return "argument must be between 0 and 65535 inclusive" }
            configuration.port = Int(port)
        case "bind":
            guard values.count <= maximumBindAddresses else { return "Too many bind addresses specified." }
            // A single empty argument means no address at all.
            configuration.bindAddresses = values == [""] ? [] : values
        case "bind-source-addr":
            configuration.bindSourceAddress = value.isEmpty ? nil : value
        case "maxclients":
            guard let count = RedisNumberParsing.string2ll(value) else { return "argument couldn't be parsed into an integer" }
            // An unsigned option: Redis reads a negative value as a huge one, equally refused.
            guard (1...Int64(UInt32.max)).contains(count) else { return "argument must be between 1 and 4294967295 inclusive" }
            configuration.maxClients = Int(count)
        case "protected-mode":
            guard let flag = RedisNumberParsing.yesNo(value) else { return yesNoError }
            configuration.protectedMode = flag
        case "daemonize":
            guard let flag = RedisNumberParsing.yesNo(value) else { return yesNoError }
            configuration.daemonize = flag
        case "syslog-enabled":
            guard let flag = RedisNumberParsing.yesNo(value) else { return yesNoError }
            configuration.syslogEnabled = flag
        case "pidfile":
            configuration.pidFile = value.isEmpty ? nil : value
        case "logfile":
            configuration.logFile = value
        case "loglevel":
            guard let level = LogLevel(name: value), logLevels.contains(level.name) else { return enumError(logLevels) }
            configuration.logLevel = level
        case "syslog-ident":
            configuration.syslogIdent = value
        case "syslog-facility":
            guard syslogFacilities.contains(value.lowercased()) else { return enumError(syslogFacilities) }
            configuration.syslogFacility = value.lowercased()
        case "dir":
            configuration.directory = value
        case "aclfile":
            configuration.aclFile = value.isEmpty ? nil : value
        case "enable-debug-command":
            guard protectedActions.contains(value.lowercased()) else { return enumError(protectedActions) }
            configuration.enableDebugCommand = value.lowercased()
        case "enable-protected-configs":
            guard protectedActions.contains(value.lowercased()) else { return enumError(protectedActions) }
            configuration.enableProtectedConfigs = value.lowercased()
        case _ where TLSConfiguration.directiveNames.contains(name):
            return configuration.tls.apply(name: name, value: value)
        case "latency-tracking-info-percentiles" where values == ["50", "99", "99.9"]:
            break  // Redis's default, which every sentinel rewrite writes: same as absent.
        default:
            configuration.ignoredDirectives.append(IgnoredDirective(name: name, arguments: values))
        }
        return nil
    }

    static let yesNoError = "argument must be 'yes' or 'no'"

    /// `argument(s) must be one of the following: a, b, c`.
    static func enumError(_ names: [String]) -> String {
        "argument(s) must be one of the following: " + names.joined(separator: ", ")
    }
}
