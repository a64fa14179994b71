import RESP
import SentinelCore

/// Fuzz target `hello`: hello messages, parsed alone, then published to a running sentinel on
/// one of its pub/sub connections.
///
/// The first byte picks the connection (a master's or a replica's); each following line is
/// one hello, all of them arriving in one read. Checked: a hello that parses is read back unchanged from its own text, its
/// ports and epochs are in range; and the sentinel that reads them keeps every `SentinelWorld`
/// invariant through a few ticks of a healthy network, then passes the final checks.
enum HelloTarget {
    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        guard let control = bytes.first else { return }
        let hellos = bytes.dropFirst().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Array($0) }
        for payload in hellos {
            guard let hello = HelloMessage(parsing: payload) else { continue }
            try require(HelloMessage(parsing: hello.text) == hello, "hello \(describe(payload)) does not read back from its text '\(hello.text)'")
            try require((0...65535).contains(hello.sentinelAddress.port) && (0...65535).contains(hello.masterAddress.port),
                        "hello \(describe(payload)) read with a port out of range")
            try require(hello.currentEpoch <= InputLimits.maximumEpoch && hello.masterConfigEpoch <= InputLimits.maximumEpoch,
                        "hello \(describe(payload)) read with an epoch above the maximum")
        }

        var world = FuzzConfigurations.running[Int(control >> 7)]
        let subscribed = world.connections.indices.filter { world.connections[$0].subscribed }
        guard !subscribed.isEmpty else { throw FuzzFailure("the running deployment has no subscribed connection") }
        let connection = world.connections[subscribed[Int(control & 0x7F) % subscribed.count]].id
        // The messages arrive in one read: one turn.
        try world.feed(hellos.map { .connectionReply(connection, .array([.bulk("message"), .bulk(HelloMessage.channel), .bulkString($0)])) })
        for _ in 0..<3 {
            try world.tick(after: 100)
            try world.settle(localAddress: "10.0.0.100")
        }
        try world.checkFinalState()
    }
}
