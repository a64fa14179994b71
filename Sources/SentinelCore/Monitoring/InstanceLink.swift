/// Identifies an `InstanceLink`. Sentinel entries with one run id under several masters share
/// one link (§1.3).
public struct LinkID: Sendable, SequentialIdentifier {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
}

/// The connections to one instance and their timings (§1.3, §3.1): a command connection for
/// everything, and for masters and replicas a pub/sub connection for hellos.
public struct InstanceLink: Sendable {
    public let id: LinkID
    /// The instances using this link, oldest first (more than one when shared: see
    /// `SharedSentinelLink` and `SharedServerLink`): a set, so that an entry joins or leaves a
    /// link shared by thousands in constant time.
    private(set) var users = InsertionOrderedSet<InstanceID>()
    /// The oldest instance using this link.
    public var firstUser: InstanceID? { users.first }
    /// How many instances use this link (`link-refcount`).
    public var referenceCount: Int { users.count }
    /// What the users have in common (see `LinkSharingKey`).
    var sharingKey: LinkSharingKey
    /// Whether a pub/sub connection is needed: masters and replicas have one, peers do not.
    public var needsPubSub: Bool {
        if case .server = sharingKey { return true }
        return false
    }
    /// The command connection, once asked for.
    public var commandConnection: ConnectionID?
    /// Whether `commandConnection` is established.
    public var commandConnected = false
    /// The pub/sub connection, once asked for.
    public var pubSubConnection: ConnectionID?
    /// Whether `pubSubConnection` is established.
    public var pubSubConnected = false
    /// Local IP of the established command connection (announced in hellos).
    public var localAddress: String?
    /// Commands sent on the command connection whose reply has not arrived.
    public var pendingCommands: Int { pendingReplies.count }
    /// What each outstanding reply on the command connection answers, oldest first.
    public var pendingReplies = PendingReplyQueue()
    /// When the command connection was asked for (0 = never); once established, the time it
    /// has lived is counted from here.
    public var commandConnectedTime: Milliseconds = 0
    /// When the command connection asked for at `commandConnectedTime` was established.
    public var commandEstablishedTime: Milliseconds = 0
    /// Whether the link has been fully connected before: only a link coming back after a
    /// break announces at once (a new one keeps Redis's first hello a period after start).
    public var wasConnected = false
    /// When an attempt to open the command connection last failed (0 = never).
    public var commandConnectFailureTime: Milliseconds = 0
    /// When the pub/sub connection was established (0 = never).
    public var pubSubConnectedTime: Milliseconds = 0
    /// Replies still due on the pub/sub connection for its greeting (AUTH, CLIENT SETNAME);
    /// after them, an error answers SUBSCRIBE and means the connection is useless.
    public var pubSubGreetingReplies = 0
    /// Last message received on the pub/sub connection.
    public var pubSubLastActivity: Milliseconds = 0
    /// Last valid PING reply (PONG, LOADING, MASTERDOWN).
    public var lastAvailableTime: Milliseconds
    /// Time the outstanding PING was sent; 0 when none is outstanding. Starts as the creation
    /// time so that an instance never reached goes down (§3.1).
    public var activePingTime: Milliseconds
    /// Last PING sent (rate limit).
    public var lastPingTime: Milliseconds = 0
    /// Last PING reply of any kind.
    public var lastPongTime: Milliseconds
    /// Last attempt to open the command connection (at most one per ping period).
    public var lastCommandReconnectTime: Milliseconds = 0
    /// Last attempt to open the pub/sub connection.
    public var lastPubSubReconnectTime: Milliseconds = 0

    mutating func addUser(_ user: InstanceID) { users.insert(user) }

    mutating func removeUser(_ user: InstanceID) { users.remove(user) }

    init(id: LinkID, user: InstanceID, sharingKey: LinkSharingKey, now: Milliseconds) {
        self.id = id
        self.users.insert(user)
        self.sharingKey = sharingKey
        self.lastAvailableTime = now
        self.activePingTime = now
        self.lastPongTime = now
    }

    /// A link is disconnected while any connection it needs is missing (§1.3).
    public var isDisconnected: Bool {
        !commandConnected || (needsPubSub && !pubSubConnected)
    }

    /// The connections and timings the per-tick health check reads, without the link's
    /// references (read in place with `KeyedTable.field`, so the link is not copied).
    var health: LinkHealth {
        LinkHealth(commandConnection: commandConnection, commandConnected: commandConnected,
                   commandConnectedTime: commandConnectedTime, commandEstablishedTime: commandEstablishedTime,
                   commandConnectFailureTime: commandConnectFailureTime,
                   pubSubConnection: pubSubConnection,
                   pubSubConnectedTime: pubSubConnectedTime, pubSubLastActivity: pubSubLastActivity,
                   lastAvailableTime: lastAvailableTime, activePingTime: activePingTime, lastPongTime: lastPongTime)
    }
}

/// See `InstanceLink.health`.
struct LinkHealth {
    var commandConnection: ConnectionID?
    var commandConnected: Bool
    var commandConnectedTime: Milliseconds
    var commandEstablishedTime: Milliseconds
    var commandConnectFailureTime: Milliseconds
    var pubSubConnection: ConnectionID?
    var pubSubConnectedTime: Milliseconds
    var pubSubLastActivity: Milliseconds
    var lastAvailableTime: Milliseconds
    var activePingTime: Milliseconds
    var lastPongTime: Milliseconds
}
