/// Builds client commands from fuzz bytes: one byte picks a command shape, the following ones
/// fill its arguments from `FuzzDictionary`, so that short inputs reach every subcommand with
/// values at the edges (and, now and then, a free byte string in any position).
enum ClientCommandGrammar {
    typealias Shape = @Sendable (inout FuzzInput) -> [String]

    /// The next command of the input.
    static func command(_ input: inout FuzzInput) -> [[UInt8]] {
        var words = input.pick(shapes)(&input)
        // Now and then an argument is replaced by free bytes, or the name's case changes.
        let mutation = input.byte()
        var arguments = words.map { Array($0.utf8) }
        if mutation & 0xF0 == 0xF0, !arguments.isEmpty {
            arguments[Int(mutation & 0x0F) % arguments.count] = input.data(maximum: 64)
        } else if mutation & 0xF0 == 0xE0, !words.isEmpty {
            words[0] = words[0].lowercased()
            arguments[0] = Array(words[0].utf8)
        }
        return arguments
    }

    static func master(_ input: inout FuzzInput) -> String { input.pick(FuzzDictionary.masterNames) }
    static func number(_ input: inout FuzzInput) -> String { input.pick(FuzzDictionary.numbers) }
    static func host(_ input: inout FuzzInput) -> String { input.pick(FuzzDictionary.hosts) }
    static func port(_ input: inout FuzzInput) -> String { input.pick(FuzzDictionary.ports) }
    static func text(_ input: inout FuzzInput) -> String { input.pick(FuzzDictionary.texts) }
    static func user(_ input: inout FuzzInput) -> String { input.pick(["default", "admin", "peer", "nobody", ""]) }

    /// Zero to `maximum` words made by `word`.
    static func some(_ input: inout FuzzInput, maximum: Int, _ word: (inout FuzzInput) -> String) -> [String] {
        (0..<input.number(below: maximum + 1)).map { _ in word(&input) }
    }

    static let aclRules = [
        "on", "off", ">secret", ">adminpass", "<secret", "nopass", "resetpass", "reset", "~*", "&*", "allchannels",
        "resetchannels", "+@all", "-@all", "+@admin", "-@dangerous", "+ping", "-ping", "+sentinel", "-sentinel|reset",
        "+sentinel|get-master-addr-by-name", "allcommands", "nocommands", "#" + String(repeating: "0", count: 64),
        "#2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b", "%R~*", "(+ping)", "bogus", "",
    ]

    static let shapes: [Shape] = [
        { input in ["PING"] + some(&input, maximum: 1, text) },
        { input in ["INFO"] + some(&input, maximum: 2) { $0.pick(["sentinel", "server", "clients", "stats", "cpu", "all", "everything", "default", "bogus"]) } },
        { _ in ["ROLE"] },
        { input in ["AUTH"] + (input.bool() ? [user(&input)] : []) + [text(&input)] },
        { input in
            var words = ["HELLO", input.pick(["2", "3", "4", "x", "-1", "9223372036854775808"])]
            if input.bool() { words += ["AUTH", user(&input), text(&input)] }
            if input.bool() { words += ["SETNAME", text(&input)] }
            return words
        },
        { input in
            input.pick([
                ["CLIENT", "ID"], ["CLIENT", "LIST"], ["CLIENT", "INFO"], ["CLIENT", "GETNAME"],
                ["CLIENT", "SETNAME", text(&input)], ["CLIENT", "REPLY", input.pick(["ON", "OFF", "SKIP", "bogus"])],
                ["CLIENT", "KILL", "ID", number(&input)], ["CLIENT", "KILL", "TYPE", input.pick(["normal", "pubsub", "master", "replica"])],
                ["CLIENT", "KILL", "127.0.0.1:1"], ["CLIENT", "KILL", "ADDR", "127.0.0.1:1", "SKIPME", "no"],
                ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "PAUSE", number(&input)], ["CLIENT", "UNPAUSE"], ["CLIENT", "HELP"],
                ["CLIENT", "TRACKING", "on"], ["CLIENT", "LIST", "TYPE", "pubsub"], ["CLIENT", "SETINFO", "lib-name", text(&input)],
            ])
        },
        { input in
            input.pick([
                ["COMMAND"], ["COMMAND", "COUNT"], ["COMMAND", "LIST"], ["COMMAND", "INFO", input.pick(["sentinel", "ping", "x"])],
                ["COMMAND", "DOCS", input.pick(["sentinel", "ping", "x"])], ["COMMAND", "GETKEYS", "get", "x"], ["COMMAND", "HELP"],
            ])
        },
        { input in
            switch input.number(below: 10) {
            case 0: return ["ACL", "SETUSER", user(&input)] + some(&input, maximum: 4) { $0.pick(aclRules) }
            case 1: return ["ACL", "DELUSER"] + some(&input, maximum: 2, user)
            case 2: return ["ACL", "GETUSER", user(&input)]
            case 3: return ["ACL", "DRYRUN", user(&input), input.pick(["ping", "sentinel", "x"])]
            case 4: return ["ACL", "CAT"] + some(&input, maximum: 1) { $0.pick(["admin", "fast", "x"]) }
            case 5: return ["ACL", "GENPASS"] + some(&input, maximum: 1, number)
            case 6: return ["ACL", input.pick(["LIST", "USERS", "WHOAMI", "SAVE", "LOAD", "HELP"])]
            case 7: return ["ACL", "LOG"] + some(&input, maximum: 1) { $0.pick(["RESET", "10", "-1"]) }
            default: return ["ACL", "SETUSER", user(&input), input.pick(aclRules), input.pick(aclRules)]
            }
        },
        { input in [input.pick(["SUBSCRIBE", "UNSUBSCRIBE"])] + some(&input, maximum: 3) { $0.pick(FuzzDictionary.channels) } },
        { input in [input.pick(["PSUBSCRIBE", "PUNSUBSCRIBE"])] + some(&input, maximum: 3) { $0.pick(FuzzDictionary.patterns) } },
        { input in ["PUBLISH", input.pick(FuzzDictionary.channels), input.bool() ? HelloText.make(&input) : text(&input)] },
        { input in ["SHUTDOWN"] + some(&input, maximum: 2) { $0.pick(["NOSAVE", "SAVE", "NOW", "FORCE", "ABORT", "bogus"]) } },
        { input in ["SENTINEL", input.pick(["MASTERS", "PRIMARIES", "MYID", "PENDING-SCRIPTS", "FLUSHCONFIG", "HELP", "bogus"])] },
        { input in
            [
                "SENTINEL",
                input.pick(["MASTER", "PRIMARY", "REPLICAS", "SLAVES", "SENTINELS", "GET-MASTER-ADDR-BY-NAME",
                            "GET-PRIMARY-ADDR-BY-NAME", "CKQUORUM", "REMOVE", "INFO-CACHE"]),
                master(&input),
            ]
        },
        { input in
            [input.pick(["SENTINEL", "sentinel"]), input.pick(["IS-MASTER-DOWN-BY-ADDR", "IS-PRIMARY-DOWN-BY-ADDR"]),
             host(&input), port(&input), input.pick(FuzzDictionary.epochs), input.pick(FuzzDictionary.runIDs)]
        },
        { input in ["SENTINEL", "RESET", input.pick(FuzzDictionary.patterns)] },
        { input in ["SENTINEL", "FAILOVER", master(&input)] + some(&input, maximum: 1) { $0.pick(["FORCE", "COORDINATED", "bogus"]) } },
        { input in ["SENTINEL", "MONITOR", master(&input), host(&input), port(&input), number(&input)] },
        { input in
            var words = ["SENTINEL", "SET", master(&input)]
            for _ in 0..<(1 + input.number(below: 3)) {
                let option = input.pick(FuzzDictionary.masterOptions)
                words.append(option)
                switch option {
                case "rename-command": words += [input.pick(["CONFIG", "PING", "INFO", "SLAVEOF", ""]), text(&input)]
                case "notification-script", "client-reconfig-script", "auth-pass", "auth-user": words.append(text(&input))
                default: words.append(number(&input))
                }
            }
            return words
        },
        { input in
            let parameter = input.pick(FuzzDictionary.configParameters)
            if input.bool() { return ["SENTINEL", "CONFIG", "GET", parameter] }
            let value: String
            switch parameter {
            case "resolve-hostnames", "announce-hostnames": value = input.pick(["yes", "no", "1", "bogus"])
            case "announce-ip": value = host(&input)
            case "announce-port": value = port(&input)
            default: value = text(&input)
            }
            return ["SENTINEL", "CONFIG", "SET", parameter, value]
        },
        { input in
            var words = ["SENTINEL", "DEBUG"]
            for _ in 0..<input.number(below: 3) { words += [input.pick(FuzzDictionary.debugParameters), number(&input)] }
            return words
        },
        { input in ["SENTINEL", "SIMULATE-FAILURE"] + some(&input, maximum: 2) { $0.pick(["crash-after-election", "crash-after-promotion", "help", "bogus"]) } },
        { input in ["SENTINEL", "INFO-CACHE"] + some(&input, maximum: 3, master) },
        { input in [input.pick(["GET", "SET", "CONFIG", "DEBUG", "MULTI", "EXEC", "QUIT", "RESET", ""])] + some(&input, maximum: 2, text) },
    ]
}

/// Hello messages (`ip,port,runid,current_epoch,master_name,master_ip,master_port,config_epoch`)
/// with each field picked from the dictionary: plausible ones (the deployment's addresses,
/// run ids and names, small epochs) half of the time, so that hellos reach the code that acts
/// on them, and anything from the dictionaries otherwise.
enum HelloText {
    static func make(_ input: inout FuzzInput) -> String {
        let plausible = input.bool()
        func field(_ options: [String], _ plausibleCount: Int) -> String {
            input.pick(plausible ? Array(options.prefix(plausibleCount)) : options)
        }
        return [
            field(FuzzDictionary.hosts, 8), field(FuzzDictionary.ports, 5), field(FuzzDictionary.runIDs, 5),
            field(FuzzDictionary.epochs, 5), field(FuzzDictionary.masterNames, 3), field(FuzzDictionary.hosts, 8),
            field(FuzzDictionary.ports, 5), field(FuzzDictionary.epochs, 5),
        ].joined(separator: ",")
    }
}
