extension Sentinel {
    /// The master named `name` (case-sensitive, §1.1).
    func masterID(named name: String) -> InstanceID? {
        masterIDsByName[name]
    }

    /// The address clients must use for a master now: the promoted replica's once our
    /// failover reached `reconf_slaves` (§8.5), else the configured one.
    func currentAddress(ofMaster masterID: InstanceID) -> HostPort {
        guard let address = instances[masterID]?.address, let failoverState = masters[masterID]?.failoverState else {
            return HostPort(host: "", port: 0)
        }
        if failoverState == .reconfigureReplicas || failoverState == .updateConfig,
           let promoted = masters[masterID]?.promotedReplica, let replicaAddress = instances[promoted]?.address {
            return replicaAddress
        }
        return address
    }

    /// An address announced by a peer or listed by an instance, as it is stored: the port
    /// within 1…65535 and the host as `InstanceAddress.acceptedHost` accepts it; nil otherwise
    /// (the hello or INFO line is then ignored, as Redis ignores an address it cannot resolve).
    func acceptedAddress(_ address: HostPort) -> HostPort? {
        guard (1...65535).contains(address.port),
              let host = InstanceAddress.acceptedHost(address.host, resolveHostnames: configuration.resolveHostnames,
                                                      announceHostnames: configuration.announceHostnames) else { return nil }
        return HostPort(host: host, port: address.port)
    }

    /// Adds a master from its configuration, with its known replicas and sentinels.
    @discardableResult
    mutating func addMaster(_ configuration: MasterConfiguration, now: Milliseconds) -> InstanceID {
        let id = makeInstanceID()
        let link = makeLink(for: id, needsPubSub: true, now: now)
        instances[id] = MonitoredInstance(id: id, kind: .master, name: configuration.name, address: HostPort(host: configuration.host, port: configuration.port), master: nil, link: link, downAfterMilliseconds: configuration.downAfterMilliseconds, now: now)
        masters[id] = MasterState(id: id, configuration: configuration)
        masterOrder.append(id)
        masterIDsByName[configuration.name] = id
        for address in configuration.knownReplicas {
            addReplica(address, to: id, now: now)
        }
        for known in configuration.knownSentinels {
            addSentinel(runID: known.runID, address: known.address, to: id, now: now)
        }
        return id
    }

    /// Adds a replica entry named `ip:port` under a master; nil if it exists already or the
    /// master has `InputLimits.maximumInstancesPerMaster` replicas.
    @discardableResult
    mutating func addReplica(_ address: HostPort, to masterID: InstanceID, now: Milliseconds) -> InstanceID? {
        guard let master = instances[masterID], var state = masters[masterID] else { return nil }
        let name = address.description
        if state.replicaIDsByName[name] != nil || state.replicas.count >= InputLimits.maximumInstancesPerMaster { return nil }
        let id = makeInstanceID()
        let link = makeLink(for: id, needsPubSub: true, now: now)
        instances[id] = MonitoredInstance(id: id, kind: .replica, name: name, address: address, master: masterID, link: link, downAfterMilliseconds: master.downAfterMilliseconds, now: now)
        state.addReplica(id, name: name)
        masters[masterID] = state
        return id
    }

    /// Adds a sentinel entry under a master, sharing the link of an entry with the same run
    /// id under another master (§1.3); nil if one with that run id exists under this master,
    /// or the master has `InputLimits.maximumInstancesPerMaster` sentinels.
    @discardableResult
    mutating func addSentinel(runID: String, address: HostPort, to masterID: InstanceID, now: Milliseconds) -> InstanceID? {
        guard let master = instances[masterID], var state = masters[masterID] else { return nil }
        if state.sentinelIDsByRunID[runID] != nil || state.sentinels.count >= InputLimits.maximumInstancesPerMaster { return nil }
        let id = makeInstanceID()
        let sharedKey = SharedSentinelLink(runID: runID, address: address)
        let link: LinkID
        if let shared = sharedSentinelLinks[sharedKey], links[shared] != nil {
            link = shared
            links[link]?.users.append(id)
        } else {
            link = makeLink(for: id, needsPubSub: false, now: now)
            sharedSentinelLinks[sharedKey] = link
        }
        var entry = MonitoredInstance(id: id, kind: .sentinel, name: runID, address: address, master: masterID, link: link, downAfterMilliseconds: master.downAfterMilliseconds, now: now)
        entry.runID = runID
        instances[id] = entry
        state.addSentinel(id, runID: runID)
        masters[masterID] = state
        return id
    }

    /// Logs, once per master (again only after a reset), that a new replica or sentinel was
    /// ignored because the master already has `InputLimits.maximumInstancesPerMaster` of them.
    mutating func noteInstanceLimit(of masterID: InstanceID, kind: InstanceKind, turn: inout Turn) {
        guard masters.field(masterID, \.instanceLimitLogged) == false, let name = instances.field(masterID, \.name) else { return }
        masters[masterID]?.instanceLimitLogged = true
        log(.warning, "Master \(name) has \(InputLimits.maximumInstancesPerMaster) known \(kind.word)s: more are ignored", turn: &turn)
    }

    /// Removes an instance entry (and, for a master, its replicas and sentinels), releasing
    /// its link: the connections close when no other entry uses it.
    mutating func removeInstance(_ id: InstanceID, turn: inout Turn) {
        guard let instance = instances.removeValue(forKey: id) else { return }
        if instance.kind == .master, let state = masters.removeValue(forKey: id) {
            for child in state.replicas + state.sentinels { removeInstance(child, turn: &turn) }
            masterOrder.removeAll { $0 == id }
            masterIDsByName[instance.name] = nil
        } else if let masterID = instance.master {
            masters[masterID]?.remove(id, kind: instance.kind, key: instance.name)
        }
        releaseLink(of: instance, turn: &turn)
    }

    mutating func makeInstanceID() -> InstanceID {
        defer { nextInstanceID += 1 }
        return InstanceID(nextInstanceID)
    }

    mutating func makeLink(for user: InstanceID, needsPubSub: Bool, now: Milliseconds) -> LinkID {
        let id = LinkID(nextLinkID)
        nextLinkID += 1
        links[id] = InstanceLink(id: id, user: user, needsPubSub: needsPubSub, now: now)
        return id
    }

    /// Drops a removed instance's use of its link; the last user closes its connections.
    /// Pending replies for the departed instance are kept in the queue (to stay in step) but
    /// ignored.
    mutating func releaseLink(of instance: MonitoredInstance, turn: inout Turn) {
        let linkID = instance.link
        guard var link = links[linkID] else { return }
        link.users.removeAll { $0 == instance.id }
        if !link.users.isEmpty {
            for index in link.pendingReplies.indices where link.pendingReplies[index].instance == instance.id {
                link.pendingReplies[index] = PendingReply(.ignored, instance: nil)
            }
            links[linkID] = link
            return
        }
        links[linkID] = nil
        if instance.kind == .sentinel, let runID = instance.runID {
            let key = SharedSentinelLink(runID: runID, address: instance.address)
            if sharedSentinelLinks[key] == linkID { sharedSentinelLinks[key] = nil }
        }
        for connection in [link.commandConnection, link.pubSubConnection].compactMap({ $0 }) {
            connectionOwners[connection] = nil
            turn.append(.closeConnection(connection))
        }
    }
}

/// What sentinel entries under several masters must have in common to share one link (§1.3):
/// the same run id at the same address.
struct SharedSentinelLink: Hashable {
    var runID: String
    var address: HostPort
}
