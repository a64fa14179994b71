extension Sentinel {
    /// Processes a hello from a peer (pub/sub or `PUBLISH` to us), §4: discover or re-address
    /// the sender, adopt a higher current epoch, and adopt a newer master configuration. A
    /// hello naming an address we would not accept (`acceptedAddress`) is ignored whole.
    mutating func processHello(_ bytes: [UInt8], now: Milliseconds, turn: inout Turn) {
        guard var hello = HelloMessage(parsing: bytes), let masterID = masterID(named: hello.masterName) else { return }
        guard hello.sentinelRunID != myID,
              let sentinelAddress = acceptedAddress(hello.sentinelAddress),
              let masterAddress = acceptedAddress(hello.masterAddress) else { return }
        hello.sentinelAddress = sentinelAddress
        hello.masterAddress = masterAddress
        noteHelloWhileLearning(from: hello.sentinelRunID, masterName: hello.masterName, now: now)
        // Fields read in place, not the whole master record: every peer sends a hello per name
        // every two seconds.
        var senderID = masters.field(masterID, \.sentinelIDsByRunID)?[hello.sentinelRunID].flatMap { id in
            instances.field(id, \.address) == hello.sentinelAddress ? id : nil
        }
        if senderID == nil {
            wakeWholeMaster(masterID)
            let removed = removeSentinels(withRunID: hello.sentinelRunID, from: masterID, turn: &turn)
            if removed > 0, let master = instances[masterID] {
                emitEvent(.sentinelAddressSwitch, about: master, "ip \(hello.sentinelAddress.host) port \(hello.sentinelAddress.port) for \(hello.sentinelRunID)", turn: &turn)
            } else if let otherID = masters[masterID]?.sentinels.first(where: { instances.field($0, \.address) == hello.sentinelAddress }),
                      let other = instances[otherID] {
                // Another run id at this address: that sentinel restarted with a new identity.
                emitEvent(.sentinelInvalidAddress, about: other, turn: &turn)
                if let obsolete = other.runID {
                    for otherMaster in masterOrder { _ = removeSentinels(withRunID: obsolete, from: otherMaster, turn: &turn) }
                }
            }
            if let added = addSentinel(runID: hello.sentinelRunID, address: hello.sentinelAddress, to: masterID, now: now), let peer = instances[added] {
                senderID = added
                if removed == 0 {
                    emitEvent(.sentinelAdded, about: peer, turn: &turn)
                } else {
                    updateSentinelAddressInAllMasters(peer, turn: &turn)
                }
                persistDiscovery()
            } else if masters.field(masterID, \.sentinels.count) ?? 0 >= InputLimits.maximumInstancesPerMaster {
                noteInstanceLimit(of: masterID, kind: .sentinel, turn: &turn)
            }
        }
        if hello.currentEpoch > currentEpoch {
            currentEpoch = hello.currentEpoch
            persistConfiguration(turn: &turn)
            emitEvent(.newEpoch, message: String(currentEpoch), notifying: masterID, turn: &turn)
        }
        if let senderID, let configEpoch = masters.field(masterID, \.configEpoch), configEpoch < hello.masterConfigEpoch {
            masters[masterID]?.configEpoch = hello.masterConfigEpoch
            wakeWholeMaster(masterID)
            // The current epoch is never below a known config epoch (a restart would raise
            // it there anyway, as the loader does); the change is persisted below.
            if hello.masterConfigEpoch > currentEpoch {
                currentEpoch = hello.masterConfigEpoch
                emitEvent(.newEpoch, message: String(currentEpoch), notifying: masterID, turn: &turn)
            }
            abortFailoverOutdated(byConfigEpoch: hello.masterConfigEpoch, of: masterID, now: now, turn: &turn)
            let master = instances[masterID]!
            // Compared with the address we announce: past promotion that is our promoted
            // replica, not the old master still stored in the entry. Otherwise a newer
            // configuration naming the old address is adopted without a switch, and our own
            // failover then ends on the other address under that newer epoch (split views).
            let oldAddress = currentAddress(ofMaster: masterID)
            if !sameAddress(hello.masterAddress, oldAddress) {
                if let sender = instances[senderID] {
                    emitEvent(.configUpdateFrom, about: sender, turn: &turn)
                }
                emitEvent(.switchMaster, message: "\(master.name) \(announcedHost(oldAddress)) \(oldAddress.port) \(hello.masterAddress.host) \(hello.masterAddress.port)", notifying: masterID, turn: &turn)
                resetMasterAndChangeAddress(masterID, to: hello.masterAddress, now: now, turn: &turn)
                runClientReconfigScript(masterID, role: "observer", from: oldAddress, to: hello.masterAddress, turn: &turn)
            } else {
                persistConfiguration(turn: &turn)
            }
            // Confirm the newer configuration to everyone at once (the peers that wait for it
            // to convert a returning old master among them), instead of at the next period.
            announceConfiguration(ofMaster: masterID, now: now, turn: &turn)
        }
        if let senderID {
            instances[senderID]?.lastHelloTime = now
            instances[senderID]?.helloMasterAddress = hello.masterAddress
            instances[senderID]?.helloConfigEpoch = hello.masterConfigEpoch
            if masters.field(masterID, \.configEpoch) == hello.masterConfigEpoch,
               sameAddress(hello.masterAddress, currentAddress(ofMaster: masterID)) {
                refreshInfoOfReplicasClaimingMaster(masterID, turn: &turn)
            }
        }
    }

    /// Asks at once for the INFO of this master's replicas that claim to be masters
    /// themselves (a returning old master): a peer's hello may just have confirmed our
    /// configuration, which lets such a replica be converted when its INFO arrives (§9.2).
    mutating func refreshInfoOfReplicasClaimingMaster(_ masterID: InstanceID, turn: inout Turn) {
        for replicaID in masters.field(masterID, \.replicas) ?? [] where instances.field(replicaID, \.roleReported) == .master {
            guard let linkID = instances.field(replicaID, \.link), links.field(linkID, \.isDisconnected) == false,
                  !awaitsReply(.info, for: replicaID, on: linkID) else { continue }
            sendCommand(["INFO"], to: replicaID, expecting: .info, turn: &turn)
        }
    }

    /// Whether every peer that is up has announced, since `since` (when a replica started
    /// claiming to be a master) and within two hello periods, exactly our view of a master
    /// after a failover: its current address and config epoch. Then a returning old master can
    /// be converted at once: the wait before converting exists only to let a newer
    /// configuration arrive first, and none can be in flight. Hellos from before `since` do
    /// not count: a replica that has just been promoted by a failover we have not heard of yet
    /// also claims to be a master, and the peers' older hellos would still show our stale view.
    func peersConfirmConfiguration(of masterID: InstanceID, since: Milliseconds, now: Milliseconds) -> Bool {
        guard let master = instances[masterID], let state = masters[masterID], state.configEpoch > 0 else { return false }
        let peers = state.sentinels.compactMap { instances[$0] }.filter { !$0.flags.contains(.subjectivelyDown) }
        guard !peers.isEmpty else { return false }
        return peers.allSatisfy { peer in
            now - peer.lastHelloTime <= timings.publishPeriod * 2
                && peer.lastHelloTime > since
                && peer.helloConfigEpoch == state.configEpoch
                && peer.helloMasterAddress.map { sameAddress($0, master.address) } == true
        }
    }

    /// Removes the sentinel entry of `masterID` with this run id (there is at most one);
    /// returns how many were removed.
    mutating func removeSentinels(withRunID runID: String, from masterID: InstanceID, turn: inout Turn) -> Int {
        guard let id = masters[masterID]?.sentinelIDsByRunID[runID] else { return 0 }
        removeInstance(id, turn: &turn)
        return 1
    }

    /// After a sentinel changed address under one master, moves its entries under the other
    /// masters to the new address too (`+sentinel-address-update`).
    mutating func updateSentinelAddressInAllMasters(_ peer: MonitoredInstance, turn: inout Turn) {
        guard let runID = peer.runID else { return }
        var updated = 0
        for masterID in masterOrder where masterID != peer.master {
            if let id = masters[masterID]?.sentinelIDsByRunID[runID], let old = instances[id], old.address != peer.address {
                removeInstance(id, turn: &turn)
                if let added = addSentinel(runID: runID, address: peer.address, to: masterID, now: old.lastHelloTime) {
                    instances[added]?.lastHelloTime = old.lastHelloTime
                    updated += 1
                }
            }
        }
        if updated > 0 {
            emitEvent(.sentinelAddressUpdate, about: peer, "\(updated) additional matching instances", turn: &turn)
        }
    }
}
