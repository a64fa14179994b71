import RESP

extension Sentinel {
    /// `<master|slave|sentinel> <name> <ip> <port>[ @ <master> <ip> <port>]`: how events and
    /// logs name an instance (§11.1).
    func details(of instance: MonitoredInstance) -> String {
        var text = "\(instance.kind.word) \(instance.name) \(announcedHost(instance.address)) \(instance.address.port)"
        if let masterID = instance.master, let master = instances[masterID] {
            text += " @ \(master.name) \(announcedHost(master.address)) \(master.address.port)"
        }
        return text
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

    /// Emits an event about an instance: logged at `level`, published on channel `type` with
    /// the instance details as the message prefix, and handed to the master's notification
    /// script when it is a warning (§11.1).
    mutating func emitEvent(_ level: LogLevel, _ type: String, about instance: MonitoredInstance, _ suffix: String = "", effects: inout [SentinelEffect]) {
        var message = details(of: instance)
        if !suffix.isEmpty { message += " " + suffix }
        let masterID = instance.kind == .master ? instance.id : instance.master
        emitEvent(level, type, message: message, notifying: masterID, effects: &effects)
    }

    /// Emits an event whose message is given whole (`+new-epoch 3`, `+switch-master …`).
    mutating func emitEvent(_ level: LogLevel, _ type: String, message: String, notifying masterID: InstanceID? = nil, effects: inout [SentinelEffect]) {
        var message = message
        if message.utf8.count > 1024 { message = String(decoding: message.utf8.prefix(1024), as: UTF8.self) }
        if level >= configuration.logLevel {
            effects.append(.log(level, "\(type) \(message)"))
        }
        if level != .debug {
            publish(channel: type, message: message, effects: &effects)
        }
        if level == .warning, let masterID, let script = masters[masterID]?.notificationScript {
            scheduleScript([script, type, message], effects: &effects)
        }
    }

    /// Writes a log line if the configured level lets it through.
    func log(_ level: LogLevel, _ text: String, effects: inout [SentinelEffect]) {
        if level >= configuration.logLevel {
            effects.append(.log(level, text))
        }
    }

    /// Queues a script run. (Scripts are executed by the shell; see `ScriptQueue`.)
    mutating func scheduleScript(_ arguments: [String], effects: inout [SentinelEffect]) {
        scriptQueue.enqueue(arguments)
        runDueScripts(now: lastTickTime, effects: &effects)
    }
}
