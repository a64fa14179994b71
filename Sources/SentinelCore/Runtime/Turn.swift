/// Everything the core asked for while handling the inputs of one turn, sorted by phase —
/// etcd-raft's `Ready`:
///
/// 1. the durable writes: the configuration file (once for every request of the turn) and
///    ACL files;
/// 2. the messages: client replies, link commands, connection changes, events, log lines —
///    what others may see, so only once the writes are done (a vote is on disk before the
///    candidate reads it, a new epoch before a hello announces it);
/// 3. the starts: scripts, hostname lookups, file reads, the next tick, the exit — only once
///    the writes are done too (a `+vote-for-leader` notification script runs after the vote is
///    on disk).
///
/// Within a phase the order is the order the core asked in. Only `TurnExecutor` takes the
/// effects out, and it always writes first: no one else can send before persisting, because
/// no one else can get at what would be sent.
///
/// Replies to one client asked for one after the other (a pipelined read) are one
/// `sendToClient` with their bytes in order: what the client receives is the same, and the
/// effect machinery runs once a read instead of once a command.
public struct Turn: Sendable {
    private(set) var durableWrites: [SentinelEffect] = []
    private(set) var messages: [SentinelEffect] = []
    private(set) var starts: [SentinelEffect] = []
    /// The last message while it is a reply: later replies to the same client join it.
    private(set) var openReply: (client: ClientID, bytes: [UInt8])?

    public init() {}

    /// Whether nothing is left to do.
    public var isEmpty: Bool { durableWrites.isEmpty && messages.isEmpty && openReply == nil && starts.isEmpty }

    /// Whether files are still to be written before anything else may happen.
    public var needsDurableWrites: Bool { !durableWrites.isEmpty }

    /// Adds an effect to its phase.
    mutating func append(_ effect: SentinelEffect) {
        switch effect.phase {
        case .durable: durableWrites.append(effect)
        case .message: appendMessage(effect)
        case .start: starts.append(effect)
        }
    }

    private mutating func appendMessage(_ effect: SentinelEffect) {
        if case .sendToClient(let client, let bytes) = effect {
            if openReply?.client == client {
                openReply!.bytes.append(contentsOf: bytes)
                return
            }
            closeOpenReply()
            openReply = (client, bytes)
            return
        }
        closeOpenReply()
        messages.append(effect)
    }

    private mutating func closeOpenReply() {
        guard let reply = openReply else { return }
        openReply = nil
        messages.append(.sendToClient(reply.client, reply.bytes))
    }

    /// Takes the effects of one phase out, in order.
    mutating func take(_ phase: TurnPhase) -> [SentinelEffect] {
        var taken: [SentinelEffect] = []
        switch phase {
        case .durable: swap(&taken, &durableWrites)
        case .message:
            closeOpenReply()
            swap(&taken, &messages)
        case .start: swap(&taken, &starts)
        }
        return taken
    }
}
