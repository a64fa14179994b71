import RESP

extension Sentinel {
    /// The sections of a sentinel's INFO, in order (§10.4).
    static let infoSections = ["server", "clients", "stats", "cpu", "sentinel"]

    /// `INFO [section …]`; `INFO sentinel`, which monitoring polls, is answered from the
    /// reply cache while the state is unchanged.
    mutating func infoCommand(_ client: ClientID, _ arguments: [RequestArgument], at time: Timestamp, turn: inout Turn) {
        if arguments.count == 2 && CommandDescription.equalIgnoringCase(arguments[1], Sentinel.sentinelSectionName) {
            return replyCached(to: client, .sentinelInfoSection, now: time.monotonic, turn: &turn) { sentinel, version in
                RESPEncoder.encoded(.bulk(sentinel.sentinelInfo()), as: version)
            }
        }
        let sections = arguments.dropFirst().map { String(decoding: $0, as: UTF8.self) }
        reply(to: client, .bulk(infoText(sections: sections, at: time)), turn: &turn)
    }

    private static let sentinelSectionName: [UInt8] = Array("sentinel".utf8)

    /// `INFO [section …]` as text: no argument, `default`, `all` or `everything` give every section;
    /// unknown names are dropped. Always a plain bulk string, even in RESP3.
    func infoText(sections requested: [String], at time: Timestamp) -> String {
        var wanted: Set<String> = []
        if requested.isEmpty {
            wanted = Set(Sentinel.infoSections)
        }
        for name in requested.map({ $0.lowercased() }) {
            if ["default", "all", "everything"].contains(name) {
                wanted.formUnion(Sentinel.infoSections)
            } else {
                wanted.insert(name)
            }
        }
        var blocks: [String] = []
        for section in Sentinel.infoSections where wanted.contains(section) {
            switch section {
            case "server": blocks.append(serverInfo(at: time))
            case "clients": blocks.append(clientsInfo())
            case "stats": blocks.append(statsInfo())
            case "cpu": blocks.append(cpuInfo())
            default: blocks.append(sentinelInfo())
            }
        }
        return blocks.joined(separator: "\r\n")
    }

    private static func lines(_ title: String, _ fields: [(String, String)]) -> String {
        var text = "# \(title)\r\n"
        for (key, value) in fields { text += "\(key):\(value)\r\n" }
        return text
    }

    func serverInfo(at time: Timestamp) -> String {
        let uptime = (time.monotonic - startTime.monotonic) / 1000
        return Sentinel.lines("Server", [
            ("redis_version", configuration.redisCompatibility.redisVersion),
            ("redis_git_sha1", "00000000"),
            ("redis_git_dirty", "0"),
            ("redis_build_id", "0"),
            ("redis_mode", "sentinel"),
            ("swift_sentinel_version", Sentinel.version),
            ("os", "Linux"),
            ("arch_bits", "64"),
            ("monotonic_clock", "POSIX clock_gettime"),
            ("multiplexing_api", "epoll"),
            ("process_id", String(environment.processID)),
            ("process_supervised", "no"),
            ("run_id", processRunID),
            ("tcp_port", String(configuration.reportedPort(listeningPort: environment.listeningPort))),
            ("server_time_usec", String(time.wallClock * 1000)),
            ("uptime_in_seconds", String(uptime)),
            ("uptime_in_days", String(uptime / 86400)),
            ("hz", String(currentHz)),
            ("configured_hz", "10"),
            ("executable", environment.executablePath),
            ("config_file", environment.configurationFilePath),
            ("io_threads_active", "0"),
        ])
    }

    func clientsInfo() -> String {
        Sentinel.lines("Clients", [
            ("connected_clients", String(clients.count)),
            ("cluster_connections", "0"),
            ("maxclients", String(maximumClients)),
            ("client_recent_max_input_buffer", "0"),
            ("client_recent_max_output_buffer", "0"),
            ("blocked_clients", "0"),
            ("tracking_clients", "0"),
            ("clients_in_timeout_table", "0"),
        ])
    }

    func statsInfo() -> String {
        Sentinel.lines("Stats", [
            ("total_connections_received", String(statistics.totalConnectionsReceived)),
            ("total_commands_processed", String(statistics.totalCommandsProcessed)),
            ("instantaneous_ops_per_sec", "0"),
            ("rejected_connections", String(statistics.rejectedConnections)),
            ("pubsub_channels", String(subscriptions.channelCount)),
            ("pubsub_patterns", String(subscriptions.patternCount)),
            ("total_error_replies", String(statistics.totalErrorReplies)),
        ])
    }

    func cpuInfo() -> String {
        let usage = environment.resourceUsage()
        func seconds(_ value: Double) -> String {
            let micros = Int64(value * 1_000_000 + 0.5)
            let fraction = String(micros % 1_000_000)
            return "\(micros / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
        }
        return Sentinel.lines("CPU", [
            ("used_cpu_sys", seconds(usage.systemSeconds)),
            ("used_cpu_user", seconds(usage.userSeconds)),
            ("used_cpu_sys_children", seconds(usage.childrenSystemSeconds)),
            ("used_cpu_user_children", seconds(usage.childrenUserSeconds)),
        ])
    }

    /// The sentinel section; `master<i>:` lines are parsed by operators' scripts on `,` `=`
    /// and `:`, so their shape is exact (§10.4).
    func sentinelInfo() -> String {
        var text = Sentinel.lines("Sentinel", [
            ("sentinel_masters", String(masterOrder.count)),
            ("sentinel_tilt", tilt ? "1" : "0"),
            ("sentinel_tilt_since_seconds", tilt ? String((lastTickTime - tiltStartTime) / 1000) : "-1"),
            ("sentinel_total_tilt", String(tiltCount)),
            ("sentinel_running_scripts", String(scriptQueue.runningCount)),
            ("sentinel_scripts_queue_length", String(scriptQueue.queuedCount)),
            ("sentinel_simulate_failure_flags", String(simulateFailureFlags.rawValue)),
        ])
        for (index, masterID) in masterOrder.enumerated() {
            guard let master = instances[masterID], let state = masters[masterID] else { continue }
            let status = master.flags.contains(.objectivelyDown) ? "odown" : (master.flags.contains(.subjectivelyDown) ? "sdown" : "ok")
            let address = HostPort(host: announcedHost(master.address), port: master.address.port)
            text += "master\(index):name=\(master.name),status=\(status),address=\(address.host):\(address.port),slaves=\(state.replicas.count),sentinels=\(state.sentinels.count + 1)\r\n"
        }
        return text
    }

    /// swift-sentinel's own version.
    public static let version = "0.1.0"
}
