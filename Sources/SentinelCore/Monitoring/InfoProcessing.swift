extension Sentinel {
    /// Applies an INFO reply to an instance (§3.2): discovery and role tracking always; the
    /// acting half (promotion detection, convert-to-slave, fix-slave-config, reconfiguration
    /// progress) only outside TILT.
    mutating func applyInfo(_ bytes: [UInt8], to instanceID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard var instance = instances[instanceID] else { return }
        let report = InfoReport.parse(bytes: bytes)
        instance.info = bytes
        instance.masterLinkDownTime = report.masterLinkDownTime
        instance.redisVersion = report.redisVersion ?? instance.redisVersion
        instance.serverFailoverState = report.serverFailoverState
        if let runID = report.runID {
            if let known = instance.runID, known != runID {
                instances[instanceID] = instance
                emitEvent(.reboot, about: instance, turn: &turn)
                if instance.kind == .master, (masters[instanceID]?.masterRebootDownAfterPeriod ?? 0) != 0 {
                    instance.flags.insert(.masterReboot)
                    instance.masterRebootSince = now
                }
            }
            instance.runID = runID
        }
        if report.role == .replica {
            if let host = report.masterHost, instance.replicaMasterHost?.lowercased() != host.lowercased() {
                instance.replicaMasterHost = host
                instance.replicaConfigurationChangeTime = now
            }
            if let port = report.masterPort, port != instance.replicaMasterPort {
                instance.replicaMasterPort = port
                instance.replicaConfigurationChangeTime = now
            }
            if let up = report.masterLinkUp { instance.replicaMasterLinkUp = up }
            if let priority = report.replicaPriority { instance.replicaPriority = priority }
            if let offset = report.replicationOffset { instance.replicaReplicationOffset = offset }
            if let announced = report.replicaAnnounced { instance.replicaAnnounced = announced }
        }
        instance.lastInfoTime = now
        instances[instanceID] = instance

        if instance.kind == .master {
            if masters.field(instanceID, \.replicasBeforeReset.isEmpty) == false { masters[instanceID]?.replicasBeforeReset = [] }
            for listed in report.replicas {
                guard let address = acceptedAddress(listed) else { continue }
                if let replicaID = addReplica(address, to: instanceID, now: now), let replica = instances[replicaID] {
                    emitEvent(.replicaAdded, about: replica, turn: &turn)
                    persistDiscovery()
                } else if masters.field(instanceID, \.replicas.count) ?? 0 >= InputLimits.maximumInstancesPerMaster {
                    noteInstanceLimit(of: instanceID, kind: .replica, turn: &turn)
                    break
                }
            }
        }

        // Role changes are recorded even in TILT. A report without a role line counts as
        // "no role", like Redis, which never matches.
        if let role = report.role, role != instance.roleReported {
            instances[instanceID]?.roleReported = role
            instances[instanceID]?.roleReportedTime = now
            if role == .replica { instances[instanceID]?.replicaConfigurationChangeTime = now }
            let coherent = (instance.kind == .master && role == .master) || (instance.kind == .replica && role == .replica)
            emitEvent(coherent ? .roleChange : .roleChangeUnexpected, about: instances[instanceID]!, "new reported role is \(role.word)", turn: &turn)
        }
        if tilt { return }
        guard instance.kind == .replica, let masterID = instance.master, let role = report.role else { return }
        let current = instances[instanceID]!

        // A replica turned master on its own (not the one our failover promotes): force our
        // view after a wait, so that newer configurations from peers can arrive first — or at
        // once when every peer has just confirmed our configuration.
        let promotedByUs = current.flags.contains(.promoted) && masters.field(masterID, \.failoverState) == .waitPromotion
        if role == .master && !promotedByUs {
            if instance.roleReported != role {
                // Just seen claiming master (an old master back from a partition): our
                // configuration goes to the peers at once, so a peer that saw it first and
                // waits for every peer's confirmation has ours now, not a hello period later.
                announceConfiguration(ofMaster: masterID, now: now, turn: &turn)
            }
            let wait = timings.publishPeriod * 4
            let waited = noDown(current, for: wait, now: now) && now - current.roleReportedTime > wait
            if !current.flags.contains(.promoted) && masterLooksSane(masterID, now: now) && mayConvertAgain(current, now: now)
                && (waited || peersConfirmConfiguration(of: masterID, since: current.roleReportedTime, now: now)) {
                if let master = instances[masterID], sendReplicaOf(instanceID, target: master.address, turn: &turn) {
                    // Its INFO right behind shows the demotion at once, which lets its own
                    // replicas follow the master without waiting for the next poll.
                    instances[instanceID]?.replicaConfigurationFixTime = now
                    sendCommand(["INFO"], to: instanceID, expecting: .info, turn: &turn)
                    emitEvent(.convertToReplica, about: current, turn: &turn)
                }
            }
        }

        if role == .replica {
            if current.replicaConfigurationFixCount != 0 && isReplicaOfCurrentMaster(instanceID, masterID) {
                instances[instanceID]?.replicaConfigurationFixCount = 0
            }
            fixReplicaConfiguration(instanceID, of: masterID, now: now, turn: &turn)
            // A replica that now follows our master (a demoted old master) may have replicas
            // of its own left from before: they follow the master directly from now on.
            if isReplicaOfCurrentMaster(instanceID, masterID) {
                for siblingID in masters.field(masterID, \.replicas) ?? [] where siblingID != instanceID && replicates(from: instanceID, siblingID) {
                    fixReplicaConfiguration(siblingID, of: masterID, now: now, turn: &turn)
                }
            }
        }

        // A promotion or a reconfiguration's progress moves the failover on at once.
        advanceFailover(masterID, after: .info(from: instanceID), now: now, turn: &turn)
    }

    /// `+fix-slave-config` (§9.2): a replica that replicates from another address than our
    /// master's is told to follow our master (and asked for its INFO at once; see
    /// `mayTellAgain` for when it is told again), once the master looks sane and — as in Redis —
    /// neither the replica was down nor its master changed for a failover-timeout (a
    /// failover elsewhere may still be reconfiguring it). Unlike Redis, a replica whose
    /// upstream is itself a replica of our master (left under an old master that has been
    /// demoted since) is repointed at once when every peer confirms our configuration (no
    /// newer one can be on its way); this is what ends chains after a partition heals.
    mutating func fixReplicaConfiguration(_ replicaID: InstanceID, of masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let replica = instances[replicaID], replica.roleReported == .replica, let master = instances[masterID],
              replica.replicaMasterPort != master.address.port || !sameHost(replica.replicaMasterHost ?? "", master.address.host),
              !replica.flags.contains(.promoted), mayTellAgain(replica, now: now), masterLooksSane(masterID, now: now),
              links.field(replica.link, \.id) != nil, !awaitsReply(.info, for: replicaID, on: replica.link) else { return }
        let wait = masters.field(masterID, \.failoverTimeout) ?? 0
        let waited = noDown(replica, for: wait, now: now) && now - replica.replicaConfigurationChangeTime > wait
        let upstreamDemoted = masters.field(masterID, \.replicas)?.contains { upstreamID in
            upstreamID != replicaID && replicates(from: upstreamID, replicaID) && isReplicaOfCurrentMaster(upstreamID, masterID)
        } == true
        guard waited || (upstreamDemoted && peersConfirmConfiguration(of: masterID, since: 0, now: now)) else { return }
        if sendReplicaOf(replicaID, target: master.address, turn: &turn) {
            // Its INFO, right behind the transaction, shows the new master at once.
            instances[replicaID]?.replicaConfigurationFixTime = now
            instances[replicaID]?.replicaConfigurationFixCount += 1
            sendCommand(["INFO"], to: replicaID, expecting: .info, turn: &turn)
            emitEvent(.fixReplicaConfiguration, about: replica, turn: &turn)
        }
    }

    /// Whether an instance that claims master may be told to follow our master again
    /// (`+convert-to-slave`): a ping period after it was last told at the earliest, so on the
    /// replies of its 1 s INFO period (redis-sentinel tells it on those of its 10 s period),
    /// or at once when the connection that carried the SLAVEOF has been replaced since. The
    /// INFO asked right behind the SLAVEOF shows the demotion of an instance that obeyed; one
    /// that refused (`-LOADING`, or SLAVEOF renamed or denied on its side) still claims master
    /// in that reply, and telling it again on every such reply looped as fast as it answered.
    func mayConvertAgain(_ instance: MonitoredInstance, now: Milliseconds) -> Bool {
        wasToldLongEnoughAgo(instance, wait: timings.pingPeriod, now: now)
    }

    /// Whether a replica may be told to follow our master again (`+fix-slave-config`). A
    /// replica that got the SLAVEOF and still follows another server refused it: for a while
    /// (`-LOADING`) or for good (SLAVEOF renamed or denied on its side). It is told again on
    /// an INFO reply 100 ms later at the earliest, that wait doubling each time up to the INFO
    /// period, as in Redis (telling it on every INFO reply looped as fast as it answered); or
    /// at once when the connection that carried the SLAVEOF has been replaced since (it may
    /// never have arrived). The count restarts once it follows our master.
    func mayTellAgain(_ replica: MonitoredInstance, now: Milliseconds) -> Bool {
        guard replica.replicaConfigurationFixCount > 0 else { return true }
        let backoff = Swift.min(timings.infoPeriod, Milliseconds(100) << Swift.min(replica.replicaConfigurationFixCount - 1, 7))
        return wasToldLongEnoughAgo(replica, wait: backoff, now: now)
    }

    /// Whether `wait` has passed since the instance was last told to follow our master, or
    /// the connection that carried that SLAVEOF has been replaced since.
    func wasToldLongEnoughAgo(_ instance: MonitoredInstance, wait: Milliseconds, now: Milliseconds) -> Bool {
        now - instance.replicaConfigurationFixTime >= wait
            || (links.field(instance.link, \.commandConnectedTime) ?? 0) > instance.replicaConfigurationFixTime
    }

    /// Whether an instance listed under our master reports being a replica of that master.
    func isReplicaOfCurrentMaster(_ instanceID: InstanceID, _ masterID: InstanceID) -> Bool {
        guard let instance = instances[instanceID], instance.roleReported == .replica, let master = instances[masterID] else { return false }
        return instance.replicaMasterPort == master.address.port && sameHost(instance.replicaMasterHost ?? "", master.address.host)
    }

    /// Whether `replicaID` reports `upstreamID`'s address as its master.
    func replicates(from upstreamID: InstanceID, _ replicaID: InstanceID) -> Bool {
        guard let upstream = instances[upstreamID], let replica = instances[replicaID], let host = replica.replicaMasterHost else { return false }
        return replica.replicaMasterPort == upstream.address.port && sameHost(host, upstream.address.host)
    }

    /// A master "looks sane" (§3.2): it is our master, reports itself master, is neither SDOWN
    /// nor ODOWN, and its INFO is less than two INFO periods old.
    func masterLooksSane(_ masterID: InstanceID, now: Milliseconds) -> Bool {
        guard let master = instances[masterID] else { return false }
        return master.roleReported == .master
            && !master.flags.contains(.subjectivelyDown) && !master.flags.contains(.objectivelyDown)
            && now - master.lastInfoTime < timings.infoPeriod * 2
    }

    /// No SDOWN or ODOWN started within `period`.
    func noDown(_ instance: MonitoredInstance, for period: Milliseconds, now: Milliseconds) -> Bool {
        let lastDown = max(instance.subjectivelyDownSince, instance.objectivelyDownSince)
        return lastDown == 0 || now - lastDown > period
    }
}
