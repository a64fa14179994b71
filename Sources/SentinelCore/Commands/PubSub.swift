import RESP

extension Sentinel {
    /// `SUBSCRIBE` / `PSUBSCRIBE`: one confirmation per channel with the running count.
    mutating func subscribeCommand(_ client: ClientID, _ arguments: [String], patterns: Bool, turn: inout Turn) {
        guard let index = clients.index(of: client) else { return }
        let kind = patterns ? "psubscribe" : "subscribe"
        for channel in arguments.dropFirst() {
            // In place: the session's sets are not copied for each channel.
            if patterns {
                if clients[position: index].patterns.insert(channel) { subscriptions.subscribe(client, toPattern: channel) }
            } else if clients[position: index].channels.insert(channel) {
                subscriptions.subscribe(client, toChannel: channel)
            }
            let count = clients[position: index].subscriptionCount
            reply(to: client, .push([.bulk(kind), .bulk(channel), .integer(Int64(count))]), turn: &turn)
        }
    }

    /// `UNSUBSCRIBE` / `PUNSUBSCRIBE`: the named channels, or all of them in subscription
    /// order; with none subscribed the reply names a null channel and count 0.
    mutating func unsubscribeCommand(_ client: ClientID, _ arguments: [String], patterns: Bool, turn: inout Turn) {
        guard let index = clients.index(of: client) else { return }
        let kind = patterns ? "punsubscribe" : "unsubscribe"
        let targets: [String]
        if arguments.count > 1 {
            targets = Array(arguments.dropFirst())
        } else {
            targets = patterns ? clients[position: index].patterns.elements : clients[position: index].channels.elements
        }
        if targets.isEmpty {
            let count = clients[position: index].subscriptionCount
            return reply(to: client, .push([.bulk(kind), .nullBulkString, .integer(Int64(count))]), turn: &turn)
        }
        for channel in targets {
            if patterns {
                if clients[position: index].patterns.remove(channel) { subscriptions.unsubscribe(client, fromPattern: channel) }
            } else if clients[position: index].channels.remove(channel) {
                subscriptions.unsubscribe(client, fromChannel: channel)
            }
            let count = clients[position: index].subscriptionCount
            reply(to: client, .push([.bulk(kind), .bulk(channel), .integer(Int64(count))]), turn: &turn)
        }
    }

    /// Forgets a departed client's subscriptions (work proportional to their number).
    mutating func removeSubscriptions(of session: ClientSession) {
        for channel in session.channels { subscriptions.unsubscribe(session.id, fromChannel: channel) }
        for pattern in session.patterns { subscriptions.unsubscribe(session.id, fromPattern: pattern) }
    }

    /// Delivers an event to the local subscribers of `channel`, then to those of each matching
    /// pattern (patterns in the order they were first subscribed).
    mutating func publish(channel: String, message: String, turn: inout Turn) {
        if let subscribers = subscriptions.subscribers(ofChannel: channel) {
            for client in subscribers {
                reply(to: client, .push([.bulk("message"), .bulk(channel), .bulk(message)]), turn: &turn)
            }
        }
        for (pattern, subscribers) in subscriptions.patternSubscribers(matching: channel) {
            for client in subscribers {
                reply(to: client, .push([.bulk("pmessage"), .bulk(pattern), .bulk(channel), .bulk(message)]), turn: &turn)
            }
        }
    }

    /// `PUBLISH`: a sentinel accepts only hello messages (processed as if received from a
    /// peer, always `:1`, never delivered to local subscribers, §4).
    mutating func publishCommand(_ client: ClientID, _ arguments: [RequestArgument], at time: Timestamp, turn: inout Turn) {
        guard String(decoding: arguments[1], as: UTF8.self) == HelloMessage.channel else {
            return replyError(to: client, "ERR Only HELLO messages are accepted by Sentinel instances.", turn: &turn)
        }
        processHello(arguments[2].bytes, now: time.monotonic, turn: &turn)
        reply(to: client, .integer(1), turn: &turn)
    }
}
