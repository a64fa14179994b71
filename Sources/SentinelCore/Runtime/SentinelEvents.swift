import RESP

extension Sentinel {
    /// `<master|slave|sentinel> <name> <ip> <port>[ @ <master> <ip> <port>]`: how events and
    /// logs name an instance (§11.1).
    func details(of instance: MonitoredInstance) -> String {
        subject(of: instance).details
    }

    /// An instance as events name it, with its (and its master's) announced address.
    func subject(of instance: MonitoredInstance) -> EventSubject {
        var subject = EventSubject(kind: instance.kind, name: instance.name,
                                   address: HostPort(host: announcedHost(instance.address), port: instance.address.port))
        if let masterID = instance.master, let master = instances[masterID] {
            subject.masterName = master.name
            subject.masterAddress = HostPort(host: announcedHost(master.address), port: master.address.port)
        }
        return subject
    }

    /// The host as replies, events, hellos and SLAVEOF show it: the name with
    /// `announce-hostnames yes`, else the IP it resolved to (§12.1).
    func announcedHost(_ address: HostPort) -> String {
        if configuration.announceHostnames || resolvedHosts.isEmpty { return address.host }
        return resolvedHosts[address.host] ?? address.host
    }

    /// The IP of a host: itself when it is an IP literal, else its last resolution.
    func ipAddress(of host: String) -> String? {
        IPAddressLiteral.isLiteral(host) ? host : resolvedHosts[host]
    }

    /// Whether two hosts name the same machine: equal names (case-insensitive) or equal IPs
    /// (Redis's `sentinelAddrEqualsHostname`, which compares names or IPs).
    func sameHost(_ a: String, _ b: String) -> Bool {
        if a.lowercased() == b.lowercased() { return true }
        guard let first = ipAddress(of: a), let second = ipAddress(of: b) else { return false }
        return first == second
    }

    /// Whether two addresses name the same instance.
    func sameAddress(_ a: HostPort, _ b: HostPort) -> Bool {
        a.port == b.port && sameHost(a.host, b.host)
    }

    /// Emits an event about an instance (§11.1): its message is the instance's details and
    /// `suffix`; it concerns the instance's master (or the instance, for a master).
    mutating func emitEvent(_ type: SentinelEventType, about instance: MonitoredInstance, _ suffix: String = "", turn: inout Turn) {
        let subject = subject(of: instance)
        let message = suffix.isEmpty ? subject.details : subject.details + " " + suffix
        let masterID = instance.kind == .master ? instance.id : instance.master
        emit(SentinelEvent(type: type, subject: subject, message: message), notifying: masterID, turn: &turn)
    }

    /// Emits an event whose message is given whole (`+new-epoch 3`, `+switch-master …`).
    mutating func emitEvent(_ type: SentinelEventType, message: String, notifying masterID: InstanceID? = nil, turn: inout Turn) {
        emit(SentinelEvent(type: type, subject: nil, message: message), notifying: masterID, turn: &turn)
    }

    /// Hands an event to the shell (which logs it at its level), publishes it unless it is a
    /// `debug` event, and queues the master's notification script for a `warning` (§11.1).
    /// Messages are cut at 1024 bytes.
    mutating func emit(_ event: SentinelEvent, notifying masterID: InstanceID?, turn: inout Turn) {
        var event = event
        if event.message.utf8.count > 1024 { event.message = String(decoding: event.message.utf8.prefix(1024), as: UTF8.self) }
        turn.append(.event(event))
        account(for: event.type, about: masterID)
        let level = event.type.level
        if level != .debug {
            publish(channel: event.type.rawValue, message: event.message, turn: &turn)
        }
        if level == .warning, let masterID, let script = masters[masterID]?.notificationScript {
            scheduleScript([script, event.type.rawValue, event.message], turn: &turn)
        }
    }

    /// Writes a log line if the configured level lets it through.
    func log(_ level: LogLevel, _ text: String, turn: inout Turn) {
        if level >= configuration.logLevel {
            turn.append(.log(level, text))
        }
    }

    /// Queues a script run. (Scripts are executed by the shell; see `ScriptQueue`.)
    mutating func scheduleScript(_ arguments: [String], turn: inout Turn) {
        scriptQueue.enqueue(arguments)
        runDueScripts(now: currentTime, turn: &turn)
    }
}
