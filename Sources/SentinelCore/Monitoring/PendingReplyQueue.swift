/// What a reply on a command connection answers, so that it reaches the right handler.
public struct PendingReply: Sendable {
    /// The request kind.
    public enum Kind: Sendable, Hashable {
        case ignored
        case ping
        case info
        case hello
        case isMasterDownByAddress
        /// `is-master-down-by-addr … 0 <our id>` while learning the epochs (`EpochLearning`).
        case epochProbe
        /// The reply to `FAILOVER TO …` sent to a master (coordinated failover).
        case serverFailover
    }

    public var kind: Kind
    /// The instance the request was sent for (a shared link serves several).
    public var instance: InstanceID?

    public init(_ kind: Kind, instance: InstanceID?) {
        self.kind = kind
        self.instance = instance
    }
}

/// The replies outstanding on a command connection, oldest first, with a count per request
/// kind and instance: a shared link serves hundreds of instances, and asking whether one of
/// them has an INFO in flight must not walk every outstanding reply.
public struct PendingReplyQueue: Sendable {
    private var replies: ArraySlice<PendingReply> = []
    private var outstanding: [PendingRequest: Int] = [:]

    public init() {}

    /// A request and the instance it was sent for.
    private struct PendingRequest: Hashable {
        var kind: PendingReply.Kind
        var instance: InstanceID
    }

    /// How many replies are outstanding.
    public var count: Int { replies.count }

    public var isEmpty: Bool { replies.isEmpty }

    /// The request the next reply answers.
    public var first: PendingReply? { replies.first }

    /// Records a request just written.
    public mutating func append(_ reply: PendingReply) {
        replies.append(reply)
        if let instance = reply.instance { outstanding[PendingRequest(kind: reply.kind, instance: instance), default: 0] += 1 }
    }

    /// The request the next reply answers, removed from the queue.
    public mutating func popFirst() -> PendingReply? {
        guard let reply = replies.popFirst() else { return nil }
        if let instance = reply.instance {
            let request = PendingRequest(kind: reply.kind, instance: instance)
            if let count = outstanding[request], count > 1 {
                outstanding[request] = count - 1
            } else {
                outstanding[request] = nil
            }
        }
        return reply
    }

    /// Forgets every outstanding request (the connection is gone).
    public mutating func removeAll() {
        replies = []
        outstanding = [:]
    }

    /// Whether a request of `kind` sent for `instance` is still unanswered.
    public func contains(_ kind: PendingReply.Kind, for instance: InstanceID) -> Bool {
        outstanding[PendingRequest(kind: kind, instance: instance)] != nil
    }
}

extension Sentinel {
    /// Whether a request of `kind` sent for `instanceID` is still unanswered on the link
    /// `linkID` (false when the link is gone). Reads the link in place: a copy of a link
    /// shared by many entries copies its whole queue.
    func awaitsReply(_ kind: PendingReply.Kind, for instanceID: InstanceID, on linkID: LinkID) -> Bool {
        links.field(linkID, \.pendingReplies)?.contains(kind, for: instanceID) ?? false
    }
}
