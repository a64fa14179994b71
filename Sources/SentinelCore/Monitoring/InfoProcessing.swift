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
            for listed in report.replicas {
                guard let address = acceptedAddress(listed) else { continue }
                if let replicaID = addReplica(address, to: instanceID, now: now), let replica = instances[replicaID] {
                    emitEvent(.replicaAdded, about: replica, turn: &turn)
                    persistConfiguration(turn: &turn)
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
            let wait = timings.publishPeriod * 4
            let waited = noDown(current, for: wait, now: now) && now - current.roleReportedTime > wait
            if !current.flags.contains(.promoted) && masterLooksSane(masterID, now: now)
                && (waited || peersConfirmConfiguration(of: masterID, since: current.roleReportedTime, now: now)) {
                if let master = instances[masterID] {
                    sendReplicaOf(instanceID, target: master.address, turn: &turn)
                    emitEvent(.convertToReplica, about: current, turn: &turn)
                }
            }
        }

        if role == .replica, let master = instances[masterID],
           current.replicaMasterPort != master.address.port || !sameHost(current.replicaMasterHost ?? "", master.address.host) {
            let wait = masters[masterID]?.failoverTimeout ?? 0
            if masterLooksSane(masterID, now: now) && noDown(current, for: wait, now: now)
                && now - current.replicaConfigurationChangeTime > wait {
                sendReplicaOf(instanceID, target: master.address, turn: &turn)
                emitEvent(.fixReplicaConfiguration, about: current, turn: &turn)
            }
        }

        // A promotion or a reconfiguration's progress moves the failover on at once.
        advanceFailover(masterID, after: .info(from: instanceID), now: now, turn: &turn)
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
