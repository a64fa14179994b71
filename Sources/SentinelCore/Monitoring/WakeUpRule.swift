extension Sentinel {
    /// The wake-up rule of `DueSchedule` for the inputs it can decide from the input alone,
    /// before the input is handled: a connection established wakes its link's users; a reply
    /// on a command connection wakes the instance it answers and its master's step (an INFO
    /// reply its whole master; a PING reply, when peers are forgotten, every user of the
    /// link); a resolved hostname wakes everything. Closed connections (`forgetConnection`),
    /// hellos (`processHello`), added and removed instances (`InstanceRegistry`) and client
    /// commands (`handleClientCommand`, `isMasterDownByAddressCommand`) wake where they are
    /// handled, since only there is known what they changed.
    mutating func wakeDueWork(for input: SentinelInput) {
        switch input {
        case .connectionEstablished(let connection, _):
            if let owner = connectionOwners[connection], !deliberateDefects.contains(.scheduleMissesLinkWake) { wakeUsers(of: owner.link) }
        case .connectionReply(let connection, _):
            guard let owner = connectionOwners[connection], !owner.isPubSub,
                  let pending = links.field(owner.link, \.pendingReplies)?.first else { return }
            if let instanceID = pending.instance { wakeInstance(instanceID) }
            if pending.kind == .info, let instanceID = pending.instance, let masterID = master(of: instanceID) {
                schedule.wake(wholeMaster: masterID, at: currentTime)
            }
            if pending.kind == .ping && forgetsUnreachable { wakeUsers(of: owner.link) }
        case .hostnameResolved:
            schedule.wakeEverything()
        default:
            break
        }
    }

    /// The master an instance belongs to (itself for a master).
    func master(of instanceID: InstanceID) -> InstanceID? {
        guard let kind = instances.field(instanceID, \.kind) else { return nil }
        return kind == .master ? instanceID : (instances.field(instanceID, \.master) ?? nil)
    }

    /// Marks an instance and its master's step due now.
    mutating func wakeInstance(_ instanceID: InstanceID) {
        guard let masterID = master(of: instanceID) else { return }
        schedule.wake(instance: instanceID, master: masterID, at: currentTime)
    }

    /// Marks every instance using a link (and their masters' steps) due now.
    mutating func wakeUsers(of linkID: LinkID) {
        for user in links.field(linkID, \.users) ?? [] { wakeInstance(user) }
    }

    /// Marks a master, all its instances and its step due now.
    mutating func wakeWholeMaster(_ masterID: InstanceID) {
        schedule.wake(wholeMaster: masterID, at: currentTime)
    }
}
