@testable import SentinelCore

extension Turn {
    /// The turn's effects in the order `TurnExecutor` carries them out: durable writes, then
    /// messages, then starts (for tests that look at what the core asked for without carrying
    /// it out).
    var effects: [SentinelEffect] {
        durableWrites + messages + (openReply.map { [.sendToClient($0.client, $0.bytes)] } ?? []) + starts
    }
}
