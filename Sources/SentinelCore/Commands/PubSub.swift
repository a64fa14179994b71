import RESP

extension Sentinel {
    /// `SUBSCRIBE` / `PSUBSCRIBE`: one confirmation per channel with the running count.
    mutating func subscribeCommand(_ client: ClientID, _ arguments: [String], patterns: Bool, effects: inout [SentinelEffect]) {
        let kind = patterns ? "psubscribe" : "subscribe"
        for channel in arguments.dropFirst() {
            guard var session = clients[client] else { return }
            if patterns {
                if !session.patterns.contains(channel) {
                    session.patterns.append(channel)
                    patternSubscribers[channel, default: []].append(client)
                }
            } else if !session.channels.contains(channel) {
                session.channels.append(channel)
                channelSubscribers[channel, default: []].append(client)
            }
            clients[client] = session
            reply(to: client, .push([.bulk(kind), .bulk(channel), .integer(Int64(session.subscriptionCount))]), effects: &effects)
        }
    }

    /// `UNSUBSCRIBE` / `PUNSUBSCRIBE`: the named channels, or all of them; with none
    /// subscribed the reply names a null channel and count 0.
    mutating func unsubscribeCommand(_ client: ClientID, _ arguments: [String], patterns: Bool, effects: inout [SentinelEffect]) {
        let kind = patterns ? "punsubscribe" : "unsubscribe"
        guard let session = clients[client] else { return }
        let current = patterns ? session.patterns : session.channels
        let targets = arguments.count > 1 ? Array(arguments.dropFirst()) : current
        if targets.isEmpty {
            return reply(to: client, .push([.bulk(kind), .nullBulkString, .integer(Int64(session.subscriptionCount))]), effects: &effects)
        }
        for channel in targets {
            if patterns {
                clients[client]?.patterns.removeAll { $0 == channel }
                patternSubscribers[channel]?.removeAll { $0 == client }
                if patternSubscribers[channel]?.isEmpty == true { patternSubscribers[channel] = nil }
            } else {
                clients[client]?.channels.removeAll { $0 == channel }
                channelSubscribers[channel]?.removeAll { $0 == client }
                if channelSubscribers[channel]?.isEmpty == true { channelSubscribers[channel] = nil }
            }
            let count = clients[client]?.subscriptionCount ?? 0
            reply(to: client, .push([.bulk(kind), .bulk(channel), .integer(Int64(count))]), effects: &effects)
        }
    }

    /// Delivers an event to the local subscribers of `channel` and of matching patterns.
    mutating func publish(channel: String, message: String, effects: inout [SentinelEffect]) {
        if let subscribers = channelSubscribers[channel] {
            for client in subscribers {
                reply(to: client, .push([.bulk("message"), .bulk(channel), .bulk(message)]), effects: &effects)
            }
        }
        for (pattern, subscribers) in patternSubscribers where GlobPattern.matches(pattern, channel) {
            for client in subscribers {
                reply(to: client, .push([.bulk("pmessage"), .bulk(pattern), .bulk(channel), .bulk(message)]), effects: &effects)
            }
        }
    }

    /// `PUBLISH`: a sentinel accepts only hello messages (processed as if received from a
    /// peer, always `:1`, never delivered to local subscribers, §4).
    mutating func publishCommand(_ client: ClientID, _ arguments: [[UInt8]], at time: Timestamp, effects: inout [SentinelEffect]) {
        guard String(decoding: arguments[1], as: UTF8.self) == HelloMessage.channel else {
            return replyError(to: client, "ERR Only HELLO messages are accepted by Sentinel instances.", effects: &effects)
        }
        processHello(arguments[2], now: time.monotonic, effects: &effects)
        reply(to: client, .integer(1), effects: &effects)
    }
}
