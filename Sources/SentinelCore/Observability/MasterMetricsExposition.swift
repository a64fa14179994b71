import RESP

/// What `/metrics` shows of one master, read once per scrape and then written family by family
/// (the text format wants all samples of a family together).
struct MasterMetricsRow {
    /// `master_name` and `master_address`, as INFO's `master<i>:` line names them.
    var labels: LabelSet
    /// `master_name` alone (`redis_sentinel_master_ckquorum_status`).
    var nameLabel: LabelSet
    /// `ok`, `sdown` or `odown`, as in INFO.
    var status: String
    var replicas: Int
    /// This sentinel and its peers, as INFO's `sentinels=` counts them.
    var sentinels: Int
    var usableReplicas: Int
    var usableSentinels: Int
    var quorumReachable: Bool
    /// The text of `SENTINEL CKQUORUM`'s reply (without the error's `-`).
    var quorumMessage: String
    var quorum: Int
    var failoverTimeout: Milliseconds
    var parallelSyncs: Int
    var downAfter: Milliseconds
    var configEpoch: UInt64
    var secondsSinceValidReply: Double
    var subjectivelyDown: Bool
    var objectivelyDown: Bool
    var failoverState: FailoverState
}

extension Sentinel {
    /// Every monitored master's row, in configuration order.
    func masterMetricsRows(now: Milliseconds) -> [MasterMetricsRow] {
        var rows: [MasterMetricsRow] = []
        rows.reserveCapacity(masterOrder.count)
        for masterID in masterOrder {
            guard let master = instances[masterID], let state = masters[masterID] else { continue }
            let down = master.flags.contains(.subjectivelyDown), objectivelyDown = master.flags.contains(.objectivelyDown)
            var labels = LabelSet("master_name", master.name)
            labels.append("master_address", "\(announcedHost(master.address)):\(master.address.port)")
            let usableReplicas = state.replicas.count { id in
                instances.field(id, \.flags).map { !$0.contains(.subjectivelyDown) && !$0.contains(.objectivelyDown) } ?? false
            }
            let usablePeers = state.sentinels.count { id in
                instances.field(id, \.flags).map { !$0.contains(.subjectivelyDown) && !$0.contains(.objectivelyDown) } ?? false
            }
            let quorumReply = quorumCheck(masterID)
            let lastValidReply = links.field(master.link, \.lastAvailableTime) ?? now
            rows.append(MasterMetricsRow(
                labels: labels,
                nameLabel: LabelSet("master_name", master.name),
                status: objectivelyDown ? "odown" : (down ? "sdown" : "ok"),
                replicas: state.replicas.count,
                sentinels: state.sentinels.count + 1,
                usableReplicas: usableReplicas,
                usableSentinels: usablePeers + 1,
                quorumReachable: !quorumReply.isError,
                quorumMessage: quorumReply.text ?? "",
                quorum: state.quorum,
                failoverTimeout: state.failoverTimeout,
                parallelSyncs: state.parallelSyncs,
                downAfter: master.downAfterMilliseconds,
                configEpoch: state.configEpoch,
                secondsSinceValidReply: Double(now - lastValidReply) / 1000,
                subjectivelyDown: down,
                objectivelyDown: objectivelyDown,
                failoverState: state.failoverState))
        }
        return rows
    }

    /// The per-master families: first those of oliver006/redis_exporter, with its names,
    /// labels and meaning (its values come from INFO's `master<i>:` lines, `SENTINEL MASTERS`,
    /// `SENTINEL CKQUORUM`, `SENTINEL SENTINELS` and `SENTINEL SLAVES`), then the states no
    /// exporter sees between two polls.
    func writeMasterMetrics(_ rows: [MasterMetricsRow], into writer: inout PrometheusTextWriter) {
        writer.family("redis_sentinel_master_status", .gauge,
                      "1 when the master's status is ok, 0 when it is sdown or odown (the status is the master_status label, as in INFO).")
        for row in rows { writer.sample("redis_sentinel_master_status", row.labels.adding("master_status", row.status), row.status == "ok") }
        perMaster("redis_sentinel_master_slaves", "Replicas known for the master.", rows, &writer) { $0.replicas }
        perMaster("redis_sentinel_master_sentinels", "Sentinels monitoring the master, this one included.", rows, &writer) { $0.sentinels }
        perMaster("redis_sentinel_master_ok_slaves", "Replicas of the master that are neither subjectively nor objectively down.",
                  rows, &writer) { $0.usableReplicas }
        perMaster("redis_sentinel_master_ok_sentinels", "Sentinels monitoring the master that are not down, this one included.",
                  rows, &writer) { $0.usableSentinels }
        writer.family("redis_sentinel_master_ckquorum_status", .gauge,
                      "1 when SENTINEL CKQUORUM succeeds for the master, 0 when it fails; its reply is the message label.")
        for row in rows {
            writer.sample("redis_sentinel_master_ckquorum_status", row.nameLabel.adding("message", row.quorumMessage), row.quorumReachable)
        }
        perMaster("redis_sentinel_master_setting_ckquorum", "The master's quorum.", rows, &writer) { $0.quorum }
        perMaster("redis_sentinel_master_setting_failover_timeout", "The master's failover-timeout, in milliseconds.", rows, &writer) {
            Int($0.failoverTimeout)
        }
        perMaster("redis_sentinel_master_setting_parallel_syncs", "The master's parallel-syncs.", rows, &writer) { $0.parallelSyncs }
        perMaster("redis_sentinel_master_setting_down_after_milliseconds", "The master's down-after-milliseconds.", rows, &writer) {
            Int($0.downAfter)
        }
        perMaster("redis_sentinel_master_config_epoch", "The epoch of the failover that gave the master its address.", rows, &writer) {
            Int(clamping: $0.configEpoch)
        }
        writer.family("redis_sentinel_master_last_ok_ping_reply_seconds", .gauge, "Seconds since the master's last valid PING reply.")
        for row in rows { writer.sample("redis_sentinel_master_last_ok_ping_reply_seconds", row.labels, row.secondsSinceValidReply) }

        perMaster("redis_sentinel_master_sdown", "1 while this sentinel sees the master subjectively down (+sdown).", rows, &writer) {
            $0.subjectivelyDown ? 1 : 0
        }
        perMaster("redis_sentinel_master_odown", "1 while the quorum agrees the master is objectively down (+odown).", rows, &writer) {
            $0.objectivelyDown ? 1 : 0
        }
        writer.family("redis_sentinel_master_failover_state", .gauge,
                      "1 for the master's failover state (none when no failover runs), 0 for the others.")
        for row in rows {
            for state in FailoverState.allCases {
                writer.sample("redis_sentinel_master_failover_state", row.labels.adding("state", state.rawValue), row.failoverState == state)
            }
        }
    }

    /// A gauge family with one sample per master, labelled with its name and address.
    private func perMaster(_ name: String, _ help: String, _ rows: [MasterMetricsRow], _ writer: inout PrometheusTextWriter,
                           _ value: (MasterMetricsRow) -> Int) {
        writer.family(name, .gauge, help)
        for row in rows { writer.sample(name, row.labels, value(row)) }
    }
}
