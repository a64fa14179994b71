extension Sentinel {
    /// The wake-up rule of `DueSchedule` for the inputs it can decide from the input alone,
    /// before the input is handled: a connection established wakes its link's users; a reply
    /// on a command connection wakes the instance it answers and its master's step (an INFO
    /// reply its whole master; a PING reply only when peers are forgotten, and then every
    /// user of the link; the greeting's replies nobody); a resolved hostname wakes everything. Closed connections (`forgetConnection`),
    /// hellos (`processHello`), added and removed instances (`InstanceRegistry`) and client
    /// commands (`handleClientCommand`, `isMasterDownByAddressCommand`) wake where they are
    /// handled, since only there is known what they changed.
    mutating func wakeDueWork(for input: SentinelInput) {
        switch input {
        case .connectionEstablished(let connection, _):
            if let owner = connectionOwners[connection], !deliberateDefects.contains(.scheduleMissesLinkWake) { wakeUsers(of: owner.link) }
        case .connectionReply(let connection, let value):
            guard let owner = connectionOwners[connection], !owner.isPubSub,
                  let pending = links.field(owner.link, \.pendingReplies)?.first, let instanceID = pending.instance else { return }
            switch pending.kind {
            case .ping:
                // A PING reply moves the reply times forward and ends the outstanding PING:
                // later PINGs, SDOWN and close checks (an SDOWN instance is due at every tick
                // anyway). Only the most sentinels seen alive, with forget-after, can rise.
                if forgetsUnreachable { wakeUsers(of: owner.link) }
            case .ignored:
                break
            case .info:
                if let masterID = master(of: instanceID) { wakeWholeMaster(masterID) }
            case .hello:
                // A successful reply needs none while PINGs come more often than hellos (see
                // `DueSchedule`); SENTINEL DEBUG can make them come less often.
                if value.isError || timings.publishPeriod <= timings.pingPeriod, let masterID = master(of: instanceID) {
                    schedule.wake(instance: instanceID, master: masterID, step: false, at: currentTime)
                }
            case .isMasterDownByAddress, .epochProbe, .serverFailover:
                wakeInstance(instanceID)
            }
        case .hostnameResolved:
            schedule.wakeEverything()
        default:
            break
        }
    }

    /// Whether a `SENTINEL` subcommand wakes everything (`DueSchedule`): every one that may
    /// change instances, timings or addresses (SET, RESET, REMOVE, MONITOR, FAILOVER, DEBUG,
    /// CONFIG, SIMULATE-FAILURE, FLUSHCONFIG, the container subcommands). Not the queries,
    /// and not IS-MASTER-DOWN-BY-ADDR, whose vote wakes the master it names.
    static func wakesEverything(_ route: CommandRoute) -> Bool {
        switch route {
        case .sentinelIsMasterDownByAddress, .sentinelCheckQuorum, .sentinelInfoCache, .sentinelPendingScripts, .sentinelHelp:
            return false
        default:
            return !route.isReadOnlyQuery
        }
    }

    /// The master an instance belongs to (itself for a master).
    func master(of instanceID: InstanceID) -> InstanceID? {
        guard let kind = instances.field(instanceID, \.kind) else { return nil }
        return kind == .master ? instanceID : instances.field(instanceID, \.master)
    }

    /// Marks an instance and its master's step due now.
    mutating func wakeInstance(_ instanceID: InstanceID) {
        guard let masterID = master(of: instanceID) else { return }
        schedule.wake(instance: instanceID, master: masterID, at: currentTime)
    }

    /// Marks every instance using a link (and their masters' steps) due now.
    mutating func wakeUsers(of linkID: LinkID) {
        guard let users = links.field(linkID, \.users) else { return }
        for user in users { wakeInstance(user) }
    }

    /// Marks a master, all its instances and its step due now.
    mutating func wakeWholeMaster(_ masterID: InstanceID) {
        schedule.wake(wholeMaster: masterID, at: currentTime)
    }
}
