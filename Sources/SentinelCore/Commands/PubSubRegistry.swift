/// Who listens to what on the sentinel's own pub/sub: the subscribers of each channel and of
/// each pattern, and for each channel the sentinel has published on, the patterns matching it.
///
/// Every operation costs what it touches: a (un)subscription is a few set operations, a new or
/// abandoned pattern is matched against the published channels only (the sentinel's own event
/// names, a few dozen), and publishing visits only the receivers.
struct PubSubRegistry: Sendable {
    /// Channel → subscribed clients, in subscription order.
    private var channelSubscribers: [String: InsertionOrderedSet<ClientID>] = [:]
    /// Pattern → subscribed clients, in subscription order.
    private var patternSubscribers: [String: InsertionOrderedSet<ClientID>] = [:]
    /// The patterns with subscribers, in the order they gained their first one.
    private var patterns = InsertionOrderedSet<String>()
    /// For each channel published on so far: the subscribed patterns that match it, in
    /// `patterns` order.
    private var patternsMatchingChannel: [String: InsertionOrderedSet<String>] = [:]
    /// Glob-matching steps spent so far (tests check that publishing does not match patterns).
    private(set) var matchingSteps = 0

    /// Channels with at least one subscriber (INFO `pubsub_channels`).
    var channelCount: Int { channelSubscribers.count }
    /// Patterns with at least one subscriber (INFO `pubsub_patterns`).
    var patternCount: Int { patternSubscribers.count }

    mutating func subscribe(_ client: ClientID, toChannel channel: String) {
        channelSubscribers[channel, default: InsertionOrderedSet()].insert(client)
    }

    mutating func unsubscribe(_ client: ClientID, fromChannel channel: String) {
        guard channelSubscribers[channel]?.remove(client) == true else { return }
        if channelSubscribers[channel]?.isEmpty == true { channelSubscribers[channel] = nil }
    }

    mutating func subscribe(_ client: ClientID, toPattern pattern: String) {
        patternSubscribers[pattern, default: InsertionOrderedSet()].insert(client)
        guard patterns.insert(pattern) else { return }
        // The keys are copied first: iterating the dictionary while changing it would copy it,
        // and each of its sets, at every pattern.
        for channel in Array(patternsMatchingChannel.keys) where matches(pattern, channel) {
            patternsMatchingChannel[channel]?.insert(pattern)
        }
    }

    mutating func unsubscribe(_ client: ClientID, fromPattern pattern: String) {
        guard patternSubscribers[pattern]?.remove(client) == true, patternSubscribers[pattern]?.isEmpty == true else { return }
        patternSubscribers[pattern] = nil
        patterns.remove(pattern)
        for channel in Array(patternsMatchingChannel.keys) {
            patternsMatchingChannel[channel]?.remove(pattern)
        }
    }

    /// The clients subscribed to `channel`.
    func subscribers(ofChannel channel: String) -> InsertionOrderedSet<ClientID>? {
        channelSubscribers[channel]
    }

    /// The subscribed patterns matching `channel` with their subscribers, in pattern order.
    /// The first call for a channel matches it against every pattern; later ones only read.
    mutating func patternSubscribers(matching channel: String) -> [(pattern: String, subscribers: InsertionOrderedSet<ClientID>)] {
        if patternsMatchingChannel[channel] == nil {
            var matching = InsertionOrderedSet<String>()
            for pattern in patterns where matches(pattern, channel) { matching.insert(pattern) }
            patternsMatchingChannel[channel] = matching
        }
        guard let matching = patternsMatchingChannel[channel], !matching.isEmpty else { return [] }
        return matching.compactMap { pattern in patternSubscribers[pattern].map { (pattern, $0) } }
    }

    private mutating func matches(_ pattern: String, _ channel: String) -> Bool {
        GlobPattern.matches(pattern: Array(pattern.utf8), text: Array(channel.utf8), caseInsensitive: false, steps: &matchingSteps)
    }
}
