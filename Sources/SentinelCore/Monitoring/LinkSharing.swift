/// What the entries sharing one `InstanceLink` have in common: they reach the same process
/// the same way, so one pair of connections, one PING clock and one hello subscription serve
/// them all.
///
/// Redis shares links only between the entries of one peer sentinel under several masters
/// (§1.3). Masters and replicas get one link each there, so a redis-server holding N
/// monitored names carries N command and N pub/sub connections from every sentinel, and
/// every hello published on it is delivered N times to each: work quadratic in the names per
/// server. Here the masters and replicas at one address share a link as well, as long as
/// they are reached with the same credentials and command names; every request on it still
/// names the entry it is for (`PendingReply.instance`), so replies reach the right handler.
enum LinkSharingKey: Hashable, Sendable {
    case sentinel(SharedSentinelLink)
    case server(SharedServerLink)
}

/// What sentinel entries under several masters must have in common to share one link (§1.3):
/// the same run id at the same address.
struct SharedSentinelLink: Hashable, Sendable {
    var runID: String
    var address: HostPort
}

/// What master and replica entries must have in common to share one link: the address, the
/// credentials the connections authenticate with and the renamed commands they are greeted
/// and pinged with (all three come from the entry's master).
struct SharedServerLink: Hashable, Sendable {
    var address: HostPort
    var authUser: String?
    var authPass: Secret?
    var renamedCommands: [String: String]

    /// The key of a master at `address`, or of one of its replicas there.
    init(address: HostPort, master: MasterState) {
        self.address = address
        self.authUser = master.authUser
        self.authPass = master.authPass
        self.renamedCommands = master.renamedCommands
    }
}

extension Sentinel {
    /// The link an entry with `key` uses: the one already there, or a new one.
    mutating func acquireLink(for user: InstanceID, key: LinkSharingKey, now: Milliseconds) -> LinkID {
        if let shared = sharedLinks[key], links[shared] != nil {
            links[shared]?.addUser(user)
            return shared
        }
        let id = LinkID(nextLinkID)
        nextLinkID += 1
        links[id] = InstanceLink(id: id, user: user, sharingKey: key, now: now)
        sharedLinks[key] = id
        return id
    }

    /// Drops a removed instance's use of its link; the last user closes its connections.
    /// Replies still due for the departed instance stay in the queue, so that the others keep
    /// their place, and are ignored when they arrive (instance ids are never reused).
    mutating func releaseLink(of instance: MonitoredInstance, turn: inout Turn) {
        let linkID = instance.link
        // In place: a copy of a link shared by thousands would copy its set of users.
        links[linkID]?.removeUser(instance.id)
        guard links.field(linkID, \.referenceCount) == 0, let link = links.removeValue(forKey: linkID) else { return }
        if sharedLinks[link.sharingKey] == linkID { sharedLinks[link.sharingKey] = nil }
        for connection in [link.commandConnection, link.pubSubConnection].compactMap({ $0 }) {
            connectionOwners[connection] = nil
            turn.append(.closeConnection(connection))
        }
    }

    /// Moves a master or replica entry to the link its master's current address, credentials
    /// and command names call for, after one of them changed. An entry alone on its link takes
    /// the link along (re-keyed) unless another link already serves the new key; with
    /// `reconnecting`, it also reconnects it (new credentials). Otherwise the entry leaves its
    /// link, the others staying connected, for the one `acquireLink` gives.
    mutating func rehomeServerLink(of instanceID: InstanceID, reconnecting: Bool, now: Milliseconds, turn: inout Turn) {
        guard let instance = instances[instanceID], instance.kind != .sentinel,
              let masterID = instance.kind == .master ? instance.id : instance.master, let state = masters[masterID],
              let link = links[instance.link] else { return }
        let key = LinkSharingKey.server(SharedServerLink(address: instance.address, master: state))
        let anotherServesKey = sharedLinks[key].map { $0 != link.id && links[$0] != nil } ?? false
        if link.referenceCount == 1 && !anotherServesKey {
            if link.sharingKey != key {
                if sharedLinks[link.sharingKey] == link.id { sharedLinks[link.sharingKey] = nil }
                links[link.id]?.sharingKey = key
                sharedLinks[key] = link.id
            }
            if reconnecting {
                closeConnection(link.commandConnection, turn: &turn)
                closeConnection(link.pubSubConnection, turn: &turn)
            }
        } else if link.sharingKey != key || anotherServesKey {
            releaseLink(of: instance, turn: &turn)
            let newLink = acquireLink(for: instanceID, key: key, now: now)
            instances[instanceID]?.link = newLink
        }
    }
}
