import RESP

/// Writes the state file of `sentinel state-config-file` (read back by `StateFileOverlay`):
/// the sentinel's own file, written whole at every state change in place of the main file.
public enum StateFileRenderer {
    /// The state file's content for the running configuration `configuration` (the main
    /// file's values overlaid with the live state), whose main file had `baseline`:
    /// - a comment saying what the file is;
    /// - `loglevel` and the `user` lines when they differ from the main file's (then every
    ///   user, the default one included, so that the overlay can replace them all);
    /// - `sentinel myid` (absent while a sentinel started without state learns the epochs,
    ///   so that a restart meanwhile is again a start without state);
    /// - the global `sentinel` options that differ from the main file's (an empty value says
    ///   the option was cleared);
    /// - every master's block, as the main file's rewrite writes it (`masterLines`);
    /// - `sentinel removed-master` for each master of the main file removed at run time;
    /// - `sentinel current-epoch`.
    public static func render(_ configuration: SentinelConfiguration, baseline: StateFileBaseline, mainFilePath: String) -> [UInt8] {
        let c = configuration
        var lines = [
            "# swift-sentinel state (sentinel state-config-file in \(mainFilePath.isEmpty ? "the main configuration" : mainFilePath)).",
            "# Written by the sentinel at every state change and read after the main configuration file:",
            "# a master here replaces the main file's master of that name. Not to be edited while it runs.",
        ]
        if c.logLevel != baseline.logLevel { lines.append("loglevel \(c.logLevel.name)") }
        if c.aclFile == nil && c.aclUsers != baseline.aclUsers {
            var users = c.aclUsers
            if !users.contains(where: { $0.first == "default" }) {
                users.append(c.requirePass == nil ? ConfigurationRenderer.implicitDefaultUser : ["default"] + impliedDefaultRules(c))
            }
            users.sort { Array($0[0].utf8).lexicographicallyPrecedes(Array($1[0].utf8)) }
            for user in users { lines.append("user " + user.map(ConfigurationRenderer.argument).joined(separator: " ")) }
        }
        if let myID = c.myID { lines.append("sentinel myid \(myID)") }
        if c.resolveHostnames != baseline.resolveHostnames { lines.append("sentinel resolve-hostnames \(c.resolveHostnames ? "yes" : "no")") }
        if c.announceHostnames != baseline.announceHostnames { lines.append("sentinel announce-hostnames \(c.announceHostnames ? "yes" : "no")") }
        for master in c.masters {
            lines += ConfigurationRenderer.masterLines(master, rebootPeriodOption: "master-reboot-down-after-period").map(\.line)
        }
        let monitored = Set(c.masters.map(\.name))
        for name in baseline.masterNames where !monitored.contains(name) {
            lines.append("sentinel removed-master " + ConfigurationRenderer.argument(name))
        }
        lines.append("sentinel current-epoch \(c.currentEpoch)")
        if c.announceIP != baseline.announceIP { lines.append("sentinel announce-ip " + RedisArgumentSplitter.quoted(c.announceIP ?? "")) }
        if c.announcePort != baseline.announcePort { lines.append("sentinel announce-port \(c.announcePort)") }
        if c.sentinelUser != baseline.sentinelUser { lines.append("sentinel sentinel-user " + RedisArgumentSplitter.quoted(c.sentinelUser ?? "")) }
        if c.sentinelPass != baseline.sentinelPass {
            lines.append("sentinel sentinel-pass " + (c.sentinelPass?.configurationArgument ?? RedisArgumentSplitter.quoted("")))
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// The rules of the default user that `requirepass` gives, as a `user` line writes them.
    static func impliedDefaultRules(_ configuration: SentinelConfiguration) -> [String] {
        let table = CommandTable.table(for: configuration.redisCompatibility)
        return ACLUser.defaultUser(password: configuration.requirePass).describedRules(in: table)
    }
}
