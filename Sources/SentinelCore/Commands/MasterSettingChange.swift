/// One option of `SENTINEL SET <name> <option> <value> …` (§12.3), validated and ready to apply.
///
/// Every pair of a command is validated before any is applied: a command with one bad pair
/// answers the error of the first bad pair (Redis's text) and changes nothing. (Redis applies
/// and persists the pairs before the bad one.)
enum MasterSettingChange: Equatable {
    case downAfter(Milliseconds)
    case failoverTimeout(Milliseconds)
    case parallelSyncs(Int)
    case quorum(Int)
    case notificationScript(String?)
    case clientReconfigScript(String?)
    /// `auth-pass`: the bytes the client sent.
    case authPass(Secret?)
    case authUser(String?)
    case renameCommand(original: String, renamed: String)
    case masterRebootDownAfterPeriod(Milliseconds)

    /// A parsed pair and the text of its `+set` event (`auth-pass` is masked).
    struct Parsed: Equatable {
        var change: MasterSettingChange
        var eventText: String
    }

    /// What `parse` needs to know about the sentinel.
    struct Context {
        /// `deny-scripts-reconfig`.
        var scriptsReconfigurationDenied: Bool
        /// Whether a path names an executable file.
        var isExecutable: (String) -> Bool
    }

    /// Parses the option/value pairs after the master name, or returns the error reply text
    /// of the first invalid one. Durations and counts above `InputLimits`' bounds are clamped.
    static func parse(_ rawArguments: ArraySlice<[UInt8]>, context: Context) -> Result<[Parsed], SettingError> {
        let raw = Array(rawArguments)
        let arguments = raw.map { String(decoding: $0, as: UTF8.self) }
        var parsed: [Parsed] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let option = arguments[index]
            let remaining = arguments.endIndex - 1 - index
            let unknown = SettingError("ERR Unknown option or number of arguments for SENTINEL SET '\(option)'")
            guard remaining > 0 else { return .failure(unknown) }
            let value = arguments[index + 1]
            let invalid = SettingError("ERR Invalid argument '\(value)' for SENTINEL SET '\(option)'")
            var change: MasterSettingChange
            var eventText = "\(option) \(value)"
            var width = 2
            switch option.lowercased() {
            case "down-after-milliseconds", "failover-timeout", "parallel-syncs", "quorum":
                guard let number = Int64(value), number > 0 else { return .failure(invalid) }
                switch option.lowercased() {
                case "down-after-milliseconds": change = .downAfter(InputLimits.duration(number))
                case "failover-timeout": change = .failoverTimeout(InputLimits.duration(number))
                case "parallel-syncs": change = .parallelSyncs(InputLimits.count(number))
                default: change = .quorum(InputLimits.count(number))
                }
            case "notification-script", "client-reconfig-script":
                if context.scriptsReconfigurationDenied {
                    return .failure(SettingError("ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration"))
                }
                let isNotification = option.lowercased() == "notification-script"
                if !value.isEmpty && !context.isExecutable(value) {
                    return .failure(SettingError(isNotification
                        ? "ERR Notification script seems non existing or non executable"
                        : "ERR Client reconfiguration script seems non existing or non executable"))
                }
                let path = value.isEmpty ? nil : value
                change = isNotification ? .notificationScript(path) : .clientReconfigScript(path)
            case "auth-pass":
                change = .authPass(value.isEmpty ? nil : Secret(raw[index + 1]))
                eventText = "\(option) ******"
            case "auth-user":
                change = .authUser(value.isEmpty ? nil : value)
            case "rename-command":
                guard remaining > 1 else { return .failure(unknown) }
                let renamed = arguments[index + 2]
                guard !value.isEmpty, !renamed.isEmpty else {
                    return .failure(SettingError("ERR Invalid argument '\(renamed.isEmpty ? renamed : value)' for SENTINEL SET '\(option)'"))
                }
                change = .renameCommand(original: value, renamed: renamed)
                eventText = "\(option) \(value) \(renamed)"
                width = 3
            case "master-reboot-down-after-period", "primary-reboot-down-after-period":
                guard let number = Int64(value), number >= 0 else { return .failure(invalid) }
                change = .masterRebootDownAfterPeriod(InputLimits.duration(number))
            default:
                return .failure(unknown)
            }
            parsed.append(Parsed(change: change, eventText: eventText))
            index += width
        }
        return .success(parsed)
    }

    /// The error reply text of an invalid pair.
    struct SettingError: Error, Equatable {
        var reply: String
        init(_ reply: String) { self.reply = reply }
    }
}
