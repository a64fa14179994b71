import RESP
import SentinelCore

/// Replies a broken or hostile server may give to the sentinel's commands, and the INFO lines
/// of issue 15's attacks (huge `master_link_down_since_seconds`, replicas listed at addresses
/// that are no addresses, ports out of range, run ids of the wrong shape).
enum HostileReplies {
    /// A reply to `command` other than the healthy one.
    static func reply(to command: [String], server: FakeServer, _ input: inout FuzzInput) -> RESPValue {
        switch command.first?.uppercased() ?? "" {
        case "PING":
            return input.pick([
                .status("PONG"), .errorText("LOADING Redis is loading the dataset in memory"),
                .errorText("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."),
                .errorText("BUSY Redis is busy running a script."), .errorText("ERR unknown command"), .ok, .integer(1),
                .nullBulkString, .array([]), .bulk("PONG"), .error([]), .simpleString([]), .status("PONGPONG"),
            ])
        case "INFO":
            if input.number(below: 8) == 0 {
                return input.pick([.errorText("NOAUTH Authentication required."), .integer(-1), .nullBulkString, .array([.bulk("x")]), .bulk("")])
            }
            var server = server
            server.extraInfoLines += infoLines(&input)
            if input.bool() { server.role = server.role == .master ? .replica : .master }
            return .bulk(server.infoText)
        case "SENTINEL":
            let integer = { (input: inout FuzzInput) -> RESPValue in .integer(input.pick(FuzzDictionary.integers)) }
            switch input.number(below: 6) {
            case 0: return .array([integer(&input), .bulk(input.pick(FuzzDictionary.runIDs)), integer(&input)])
            case 1: return .array([.integer(1), .bulk(input.pick(FuzzDictionary.runIDs)), .integer(Int64(command.count > 4 ? command[4] : "") ?? 0)])
            case 2: return .array([.bulk("1"), .bulk("*"), .bulk("0")])
            case 3: return .array([integer(&input)])
            case 4: return .array([integer(&input), .bulk("*"), integer(&input), integer(&input)])
            default: return .errorText("ERR Unknown sentinel subcommand")
            }
        case "EXEC":
            return input.pick([.nullArray, .errorText("EXECABORT Transaction discarded because of previous errors."),
                               .array([.errorText("ERR x"), .ok]), .array([])])
        case "SUBSCRIBE":
            return input.pick([.errorText("NOAUTH Authentication required."), .array([.bulk("subscribe")]), .ok])
        default:
            return input.pick([.errorText("NOAUTH Authentication required."), .errorText("ERR unknown command"),
                               .errorText("READONLY You can't write against a read only replica."), .integer(0), .ok])
        }
    }

    /// One to three INFO lines with hostile values.
    static func infoLines(_ input: inout FuzzInput) -> [String] {
        (0...input.number(below: 3)).map { _ in infoLine(&input) }
    }

    static func infoLine(_ input: inout FuzzInput) -> String {
        let number = { (input: inout FuzzInput) in input.pick(FuzzDictionary.numbers) }
        switch input.number(below: 14) {
        case 0: return "master_link_down_since_seconds:" + number(&input)
        case 1: return "slave_priority:" + number(&input)
        case 2: return "slave_repl_offset:" + number(&input)
        case 3: return "master_port:" + input.pick(FuzzDictionary.ports)
        case 4: return "master_host:" + input.pick(FuzzDictionary.hosts)
        case 5: return "run_id:" + input.pick(FuzzDictionary.runIDs)
        case 6: return "redis_version:" + input.pick(["7.0.15", "6.2.0", "6.0.0", "5.0.0", "x", "99999999999999999999.1.1", ""])
        case 7: return "master_failover_state:" + input.pick(["no-failover", "waiting-for-sync", "failover-in-progress", "x"])
        case 8: return input.pick(["role:master", "role:slave", "role:sentinel", "role:"])
        case 9: return "replica_announced:" + number(&input)
        case 10: return "master_link_status:" + input.pick(["up", "down", "UP", ""])
        case 11:
            return "slave\(input.number(below: 3)):ip=\(input.pick(FuzzDictionary.hosts)),port=\(input.pick(FuzzDictionary.ports)),state=online,offset=\(number(&input)),lag=0"
        case 12:
            return "slave\(input.number(below: 3)):\(input.pick(FuzzDictionary.hosts)),\(input.pick(FuzzDictionary.ports)),online"
        default:
            return String(decoding: input.data(maximum: 80), as: UTF8.self)
        }
    }
}
