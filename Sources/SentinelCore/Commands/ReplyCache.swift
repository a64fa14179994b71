import RESP

/// Encoded replies of the queries clients poll (`SENTINEL MASTER(S)`, `GET-MASTER-ADDR-BY-NAME`,
/// the INFO sentinel section), reused while nothing they show can have changed.
///
/// An entry is valid for one state version and one millisecond: `Sentinel.stateVersion`
/// changes with every input except the read-only queries (see `CommandRoute.isReadOnlyQuery`),
/// and instance maps show ages relative to `now`. A burst of queries between two state
/// changes is then answered with a copy of bytes instead of being encoded again.
struct ReplyCache {
    /// What a cached reply answers.
    enum Query: Equatable {
        case masters
        case instance(InstanceID)
        case masterAddress(InstanceID)
        case sentinelInfoSection
    }

    private struct Entry {
        let query: Query
        let protocolVersion: RESPVersion
        let bytes: [UInt8]
    }

    /// Entries kept at most; polling clients ask about a few masters at a time.
    private static let capacity = 32

    private var entries: [Entry] = []
    private var version: UInt64 = 0
    private var time: Milliseconds = -1

    /// The cached reply to `query`, if it was made at this version and millisecond.
    mutating func reply(for query: Query, as protocolVersion: RESPVersion, version: UInt64, time: Milliseconds) -> [UInt8]? {
        guard version == self.version && time == self.time else {
            entries.removeAll(keepingCapacity: true)
            self.version = version
            self.time = time
            return nil
        }
        return entries.first { $0.query == query && $0.protocolVersion == protocolVersion }?.bytes
    }

    /// Remembers a reply made at the version and millisecond of the last `reply(for:…)` call.
    mutating func store(_ bytes: [UInt8], for query: Query, as protocolVersion: RESPVersion) {
        if entries.count >= ReplyCache.capacity { entries.removeAll(keepingCapacity: true) }
        entries.append(Entry(query: query, protocolVersion: protocolVersion, bytes: bytes))
    }
}

extension Sentinel {
    /// Replies to `query` with the cached bytes when they are still valid, else with the bytes
    /// `encode` makes (which are then cached).
    mutating func replyCached(to client: ClientID, _ query: ReplyCache.Query, now: Milliseconds, turn: inout Turn,
                              encode: (Sentinel, RESPVersion) -> [UInt8]) {
        guard let index = clients.index(of: client) else { return }
        let protocolVersion = clients[position: index].protocolVersion
        if let bytes = replyCache.reply(for: query, as: protocolVersion, version: stateVersion, time: now) {
            return replyEncoded(toClientAt: index, client, bytes, turn: &turn)
        }
        let bytes = encode(self, protocolVersion)
        replyCache.store(bytes, for: query, as: protocolVersion)
        replyEncoded(toClientAt: index, client, bytes, turn: &turn)
    }
}
