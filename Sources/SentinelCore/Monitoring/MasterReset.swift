extension Sentinel {
    /// Resets a master (§9.1, §9.3): drops its replicas (and, unless kept, its sentinels),
    /// closes its connections, keeps only the master kind, clears the vote, the failover
    /// state and the failover start time, the run id, and restarts its timers.
    ///
    /// Unlike Redis, the link may reconnect on the very next tick and the peers' stale
    /// "master is down" answers are forgotten, so that a healthy new address is never
    /// suspected because of the old one (redis/redis#8607).
    mutating func resetMaster(_ masterID: InstanceID, keepSentinels: Bool, now: Milliseconds, turn: inout Turn) {
        guard var state = masters[masterID], var master = instances[masterID] else { return }
        wakeWholeMaster(masterID)
        // The lists are emptied first, so that removing each entry does not search them.
        let replicaIDs = state.replicas
        state.removeAllReplicas()
        masters[masterID] = state
        for replicaID in replicaIDs { removeInstance(replicaID, turn: &turn) }
        if !keepSentinels {
            let sentinelIDs = state.sentinels
            state.removeAllSentinels()
            masters[masterID] = state
            for sentinelID in sentinelIDs { removeInstance(sentinelID, turn: &turn) }
        } else {
            for sentinelID in state.sentinels {
                instances[sentinelID]?.flags.remove(.masterDown)
                instances[sentinelID]?.votedLeader = nil
            }
        }
        // A link the master shares with other entries stays up for them (its timings are the
        // server's, not this entry's); a link of its own starts afresh, as in Redis.
        let ownLink = links.field(master.link, \.referenceCount) == 1
        if ownLink, let link = links[master.link] {
            closeConnection(link.commandConnection, turn: &turn)
            closeConnection(link.pubSubConnection, turn: &turn)
        }
        master.flags = []
        state.votedLeader = nil
        master.runID = nil
        master.replicaMasterHost = nil
        master.roleReported = .master
        master.roleReportedTime = now
        master.lastInfoTime = 0
        master.info = nil
        instances[masterID] = master
        state.failoverState = .none
        state.failoverStateChangeTime = 0
        state.failoverStartTime = 0
        state.promotedReplica = nil
        state.coordinatedFailover = nil
        state.replicasBeforeReset = []
        masters[masterID] = state
        if ownLink, var link = links[master.link] {
            link.activePingTime = now
            link.lastPingTime = 0
            link.lastAvailableTime = now
            link.lastPongTime = now
            link.lastCommandReconnectTime = 0
            link.lastPubSubReconnectTime = 0
            links[master.link] = link
        }
    }

    /// `SENTINEL RESET` of one master (§9.3), as Redis does it: the replicas and peers are
    /// dropped (clients and Redis's own suite read the lists as empty right after), and found
    /// again from the master's INFO, which goes out as soon as the link is back, within a tick
    /// or two, and from the peers' hellos. Unlike Redis, the dropped replicas' addresses are
    /// kept until that INFO arrives: a master lost in between gets them back once it has not
    /// answered for half of down-after, so a reset never leaves its failover without
    /// candidates. With forget-after, the sentinels alive now become the fleet's size
    /// (`votersSeen`): a reset is the operator's word that the others are gone.
    mutating func resetByCommand(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        let alive = sentinelsAlive(masterID, now: now)
        let replicaAddresses = (masters[masterID]?.replicas ?? []).compactMap { instances[$0]?.address }
        resetMaster(masterID, keepSentinels: false, now: now, turn: &turn)
        masters[masterID]?.votersSeen = alive
        masters[masterID]?.replicasBeforeReset = replicaAddresses
        persistConfiguration(turn: &turn)
    }

    /// A master silent for half of down-after before its first INFO after a `SENTINEL RESET`
    /// takes back the replicas the reset dropped (`+slave` each, written with the next
    /// discoveries). Their links and INFO come in the other half, so they are candidates
    /// like any replica by the time the master is subjectively down.
    mutating func restoreReplicasDroppedByReset(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let addresses = masters[masterID]?.replicasBeforeReset, !addresses.isEmpty else { return }
        masters[masterID]?.replicasBeforeReset = []
        for address in addresses {
            if let replicaID = addReplica(address, to: masterID, now: now), let replica = instances[replicaID] {
                emitEvent(.replicaAdded, about: replica, turn: &turn)
                persistDiscovery()
            }
        }
    }

    /// Switches a master to a new address (§9.1): remembers every replica address but the
    /// new master's, plus the old master's, resets the master keeping its sentinels, and
    /// re-creates the replicas (`+slave` each), then persists.
    mutating func resetMasterAndChangeAddress(_ masterID: InstanceID, to newAddress: HostPort, now: Milliseconds, turn: inout Turn) {
        guard let master = instances[masterID], let state = masters[masterID] else { return }
        var replicaAddresses = state.replicas.compactMap { instances[$0]?.address }.filter { !sameAddress($0, newAddress) }
        if !sameAddress(master.address, newAddress) { replicaAddresses.append(master.address) }
        resetMaster(masterID, keepSentinels: true, now: now, turn: &turn)
        instances[masterID]?.address = newAddress
        masterAddresses.remove(masterID, at: master.address)
        masterAddresses.insert(masterID, at: newAddress)
        rehomeServerLink(of: masterID, reconnecting: false, now: now, turn: &turn)
        instances[masterID]?.subjectivelyDownSince = 0
        instances[masterID]?.objectivelyDownSince = 0
        for address in replicaAddresses {
            if let replicaID = addReplica(address, to: masterID, now: now), let replica = instances[replicaID] {
                emitEvent(.replicaAdded, about: replica, turn: &turn)
            }
        }
        persistConfiguration(turn: &turn)
    }
}
