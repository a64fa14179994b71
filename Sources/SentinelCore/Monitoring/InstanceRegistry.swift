extension Sentinel {
    /// The master named `name` (case-sensitive, §1.1).
    func masterID(named name: String) -> InstanceID? {
        masterIDsByName[name]
    }

    /// The address clients must use for a master now: the promoted replica's once our
    /// failover reached `reconf_slaves` (§8.5), else the configured one.
    func currentAddress(ofMaster masterID: InstanceID) -> HostPort {
        // Fields read in place: a hello per name every two seconds asks this.
        guard let address = instances.field(masterID, \.address), let failoverState = masters.field(masterID, \.failoverState) else {
            return HostPort(host: "", port: 0)
        }
        if failoverState == .reconfigureReplicas || failoverState == .updateConfig,
           let promoted = masters.field(masterID, \.promotedReplica), let replicaAddress = instances.field(promoted, \.address) {
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
        let state = MasterState(id: id, configuration: configuration)
        let address = HostPort(host: configuration.host, port: configuration.port)
        let link = acquireLink(for: id, key: .server(SharedServerLink(address: address, master: state)), now: now)
        instances[id] = MonitoredInstance(id: id, kind: .master, name: configuration.name, address: address, master: nil, link: link, downAfterMilliseconds: configuration.downAfterMilliseconds, now: now)
        masters[id] = state
        masterOrder.append(id)
        masterIDsByName[configuration.name] = id
        masterAddresses.insert(id, at: address)
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
        let link = acquireLink(for: id, key: .server(SharedServerLink(address: address, master: state)), now: now)
        instances[id] = MonitoredInstance(id: id, kind: .replica, name: name, address: address, master: masterID, link: link, downAfterMilliseconds: master.downAfterMilliseconds, now: now)
        state.addReplica(id, name: name)
        masters[masterID] = state
        schedule.schedule(masterID, at: currentTime)
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
        let link = acquireLink(for: id, key: .sentinel(SharedSentinelLink(runID: runID, address: address)), now: now)
        var entry = MonitoredInstance(id: id, kind: .sentinel, name: runID, address: address, master: masterID, link: link, downAfterMilliseconds: master.downAfterMilliseconds, now: now)
        entry.runID = runID
        instances[id] = entry
        state.addSentinel(id, runID: runID)
        masters[masterID] = state
        schedule.schedule(masterID, at: currentTime)
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
        schedule.remove(id)
        if instance.kind == .master, let state = masters.removeValue(forKey: id) {
            for child in state.replicas + state.sentinels { removeInstance(child, turn: &turn) }
            masterOrder.removeAll { $0 == id }
            masterIDsByName[instance.name] = nil
            masterAddresses.remove(id, at: instance.address)
        } else if let masterID = instance.master {
            masters[masterID]?.remove(id, kind: instance.kind, key: instance.name)
        }
        releaseLink(of: instance, turn: &turn)
    }

    mutating func makeInstanceID() -> InstanceID {
        defer { nextInstanceID += 1 }
        return InstanceID(nextInstanceID)
    }

}
