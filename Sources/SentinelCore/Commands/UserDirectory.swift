/// The users that may authenticate on the sentinel port (§14): the `default` user, whose
/// password is `requirepass`, and users from `user` lines.
struct UserDirectory: Sendable {
    struct User: Sendable, Equatable {
        var name: String
        var enabled = true
        /// `nopass`: any password (or none) authenticates.
        var noPassword = false
        var passwords: [String] = []
        /// The rules as configured, for `ACL LIST`.
        var rules: [String] = []
    }

    private(set) var users: [String: User] = [:]

    init(requirePass: String?, aclUsers: [[String]]) {
        var defaultUser = User(name: "default", noPassword: requirePass == nil, rules: ["on", "nopass", "~*", "&*", "+@all"])
        if let requirePass {
            defaultUser.passwords = [requirePass]
            defaultUser.rules = ["on", "#<password>", "~*", "&*", "+@all"]
        }
        users["default"] = defaultUser
        for line in aclUsers {
            guard let name = line.first else { continue }
            var user = users[name] ?? User(name: name, enabled: false)
            apply(rules: Array(line.dropFirst()), to: &user)
            users[name] = user
        }
        noteDefaultUserRights()
    }

    /// Applies ACL rules that matter for authentication: `on`, `off`, `>pass`, `<pass`,
    /// `nopass`, `resetpass`, `reset`.
    func apply(rules: [String], to user: inout User) {
        for rule in rules {
            switch rule.lowercased() {
            case "on": user.enabled = true
            case "off": user.enabled = false
            case "nopass": user.noPassword = true; user.passwords = []
            case "resetpass": user.noPassword = false; user.passwords = []
            case "reset": user = User(name: user.name, enabled: false)
            default:
                if rule.hasPrefix(">") {
                    user.passwords.append(String(rule.dropFirst()))
                    user.noPassword = false
                } else if rule.hasPrefix("<") {
                    user.passwords.removeAll { $0 == String(rule.dropFirst()) }
                }
            }
            user.rules.append(rule)
        }
    }

    /// `ACL SETUSER`: creates the user (disabled) if needed and applies the rules.
    mutating func setUser(_ name: String, rules: [String]) {
        var user = users[name] ?? User(name: name, enabled: false)
        apply(rules: rules, to: &user)
        users[name] = user
        noteDefaultUserRights()
    }

    /// `ACL DELUSER` of one user; false if it did not exist.
    mutating func deleteUser(_ name: String) -> Bool {
        users.removeValue(forKey: name) != nil
    }

    /// Whether the default user's command rights were changed from `+@all` (checked per
    /// command only then, to keep the common path fast).
    private(set) var restrictsDefaultUser = false

    private mutating func noteDefaultUserRights() {
        guard let user = users["default"] else { return restrictsDefaultUser = true }
        restrictsDefaultUser = user.rules.contains { $0.hasPrefix("-") || $0.lowercased() == "nocommands" || $0.lowercased() == "reset" }
    }

    /// Whether a connection must authenticate before running commands: the default user
    /// has a password or is disabled.
    var authenticationRequired: Bool {
        guard let user = users["default"] else { return true }
        return !user.enabled || !user.noPassword
    }

    /// Whether user `name` may run `command` (a subcommand of `container`, or the container
    /// itself): its command rules replayed in order — `+@all`/`allcommands`, `-@all`/
    /// `nocommands`, `±@category`, `±command`, `±command|subcommand`, `reset`.
    func allows(_ name: String, toRun command: CommandDescription, in container: CommandDescription) -> Bool {
        guard let user = users[name] else { return false }
        var allowed = false
        for rule in user.rules {
            let lowered = rule.lowercased()
            switch lowered {
            case "+@all", "allcommands": allowed = true; continue
            case "-@all", "nocommands", "reset": allowed = false; continue
            default: break
            }
            guard let sign = lowered.first, sign == "+" || sign == "-" else { continue }
            let target = lowered.dropFirst()
            let matches: Bool
            if target.hasPrefix("@") {
                matches = command.categories.contains(String(target))
            } else {
                matches = target == command.name || target == container.name
            }
            if matches { allowed = sign == "+" }
        }
        return allowed
    }

    /// Whether `password` authenticates `name`.
    func authenticate(user name: String, password: String) -> Bool {
        guard let user = users[name], user.enabled else { return false }
        return user.noPassword || user.passwords.contains(password)
    }
}
