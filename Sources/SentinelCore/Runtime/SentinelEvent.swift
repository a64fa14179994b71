/// One event as it happened (§11): its type, and its message — the instance it is about as
/// `<kind> <name> <ip> <port>[ @ <master> <ip> <port>]` followed by details, or a message given
/// whole (`+new-epoch 7`, `+switch-master …`, `+tilt`). Logging, pub/sub, notification scripts
/// and the simulator's checker all consume this value.
public struct SentinelEvent: Sendable, Equatable {
    public var type: SentinelEventType
    /// The instance the event is about; nil for the events whose message is given whole.
    public var subject: EventSubject?
    /// What is published on the channel `type.rawValue` and handed to notification scripts.
    public var message: String

    public init(type: SentinelEventType, subject: EventSubject?, message: String) {
        self.type = type
        self.subject = subject
        self.message = message
    }

    /// The log line: the channel name, then the message.
    public var logLine: String { "\(type.rawValue) \(message)" }
}

/// An instance as an event names it, with the addresses as announced (§11.1).
public struct EventSubject: Sendable, Equatable {
    public var kind: InstanceKind
    /// Master: its name. Replica: `ip:port`. Sentinel: its run id.
    public var name: String
    public var address: HostPort
    /// The master of a replica or sentinel.
    public var masterName: String?
    public var masterAddress: HostPort?

    /// `<master|slave|sentinel> <name> <ip> <port>[ @ <master> <ip> <port>]`.
    public var details: String {
        var text = "\(kind.word) \(name) \(address.host) \(address.port)"
        if let masterName, let masterAddress {
            text += " @ \(masterName) \(masterAddress.host) \(masterAddress.port)"
        }
        return text
    }
}
