import RESP

/// The shape of the replies peers and clients rely on, checked on every such reply the fuzzed
/// sentinel gives: the address clients connect to, and the vote peers count.
enum ReplyContract {
    /// `SENTINEL GET-MASTER-ADDR-BY-NAME`: null, or `[host, port]` with a host a client can
    /// connect to (no spaces, quotes or control characters) and a port within 0…65535.
    case address
    /// `SENTINEL IS-MASTER-DOWN-BY-ADDR`: `[0|1, leader run id or *, leader epoch ≥ 0]`.
    case vote

    init?(_ arguments: [[UInt8]]) {
        guard arguments.count >= 2, arguments[0].lowercasedASCII == Array("sentinel".utf8) else { return nil }
        switch String(decoding: arguments[1].lowercasedASCII, as: UTF8.self) {
        case "get-master-addr-by-name", "get-primary-addr-by-name": self = .address
        case "is-master-down-by-addr", "is-primary-down-by-addr": self = .vote
        default: return nil
        }
    }

    /// Checks `reply` (errors are always acceptable: wrong arguments, no rights).
    func check(_ reply: RESPValue, to arguments: [[UInt8]]) throws(FuzzFailure) {
        if reply.isError { return }
        let command = arguments.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        switch self {
        case .address:
            if reply == .nullArray || reply == .null { return }
            guard case .array(let items) = reply, items.count == 2, let host = items[0].bytes, let port = items[1].bytes else {
                throw FuzzFailure("\(command) answered \(reply)")
            }
            try require(!host.isEmpty && host.allSatisfy { $0 > 32 && $0 != 127 && $0 != UInt8(ascii: "\"") },
                        "\(command) answered the host '\(describe(host))'")
            try require(Int(String(decoding: port, as: UTF8.self)).map { (0...65535).contains($0) } == true,
                        "\(command) answered the port '\(describe(port))'")
        case .vote:
            guard case .array(let items) = reply, items.count == 3, case .integer(let down) = items[0],
                  let leader = items[1].bytes, case .integer(let epoch) = items[2] else {
                throw FuzzFailure("\(command) answered \(reply)")
            }
            try require(down == 0 || down == 1, "\(command) answered down = \(down)")
            try require(!leader.isEmpty && leader.allSatisfy { $0 > 32 && $0 != 127 }, "\(command) answered the leader '\(describe(leader))'")
            try require(epoch >= 0, "\(command) answered the epoch \(epoch)")
        }
    }
}
