/// `/metrics`: the sentinel's state and counters in the Prometheus text format.
extension Sentinel {
    /// The content type of `metricsText`: the Prometheus text format, version 0.0.4.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Everything `/metrics` shows, as of `time`: a pure function of the state, so the
    /// simulator and the tests read it as a scraper would.
    ///
    /// The names of oliver006/redis_exporter's sentinel metrics come first, with its labels and
    /// meaning (existing dashboards and alerts keep working), then what an exporter polling INFO
    /// cannot see: per-master down and failover states, failovers by role and result,
    /// elections, votes, every event, TILT, scripts, the timer's lag, configuration writes and
    /// the phases of each failover.
    public func metricsText(at time: Timestamp) -> [UInt8] {
        let rows = masterMetricsRows(now: time.monotonic)
        var writer = PrometheusTextWriter(capacity: 16 * 1024 + rows.count * 4 * 1024)
        writeSentinelMetrics(into: &writer)
        writeMasterMetrics(rows, into: &writer)
        writeCounters(into: &writer)
        writeHistograms(into: &writer)
        return writer.bytes
    }

    /// The exporter's sentinel-wide gauges (INFO sentinel's fields), then ours.
    func writeSentinelMetrics(into writer: inout PrometheusTextWriter) {
        writer.family("redis_sentinel_masters", .gauge, "Masters this sentinel monitors.")
        writer.sample("redis_sentinel_masters", masterOrder.count)
        writer.family("redis_sentinel_tilt", .gauge, "1 while the sentinel is in TILT mode.")
        writer.sample("redis_sentinel_tilt", tilt)
        writer.family("redis_sentinel_running_scripts", .gauge, "Notification and reconfiguration scripts running now.")
        writer.sample("redis_sentinel_running_scripts", scriptQueue.runningCount)
        writer.family("redis_sentinel_scripts_queue_length", .gauge, "Scripts waiting to run.")
        writer.sample("redis_sentinel_scripts_queue_length", scriptQueue.queuedCount)
        writer.family("redis_sentinel_simulate_failure_flags", .gauge,
                      "SENTINEL SIMULATE-FAILURE flags: 1 crash after election, 2 crash after promotion.")
        writer.sample("redis_sentinel_simulate_failure_flags", simulateFailureFlags.rawValue)

        writer.family("redis_sentinel_build_info", .gauge, "Always 1: the implementation, its version and the Redis version it speaks.")
        var build = LabelSet("implementation", "swift-sentinel")
        build.append("version", Sentinel.version)
        build.append("redis_version", configuration.redisCompatibility.redisVersion)
        writer.sample("redis_sentinel_build_info", build, 1)
        writer.family("redis_sentinel_current_epoch", .gauge, "The current epoch.")
        writer.sample("redis_sentinel_current_epoch", currentEpoch)
        writer.family("redis_sentinel_tilt_total", .counter, "Times TILT mode was entered (INFO sentinel_total_tilt).")
        writer.sample("redis_sentinel_tilt_total", tiltCount)
    }

    /// Failovers, elections, votes, events and script runs. Every label value that can occur is
    /// written from the start, at 0, so that a first occurrence is an increase.
    func writeCounters(into writer: inout PrometheusTextWriter) {
        writer.family("redis_sentinel_failovers_total", .counter,
                      "Failovers by role (leader: started by this sentinel; observer: a peer's, adopted from its hello) and result.")
        for role in FailoverRole.allCases {
            for result in FailoverResult.possible(for: role) {
                var labels = LabelSet("role", role.rawValue)
                labels.append("result", result.rawValue)
                writer.sample("redis_sentinel_failovers_total", labels, metrics.failovers(role, result))
            }
        }
        writer.family("redis_sentinel_elections_total", .counter,
                      "Elections this sentinel ran as a candidate: won, lost, or restarted at once after a split vote.")
        writer.sample("redis_sentinel_elections_total", LabelSet("result", "won"), metrics.electionsWon)
        writer.sample("redis_sentinel_elections_total", LabelSet("result", "lost"), metrics.electionsLost)
        writer.sample("redis_sentinel_elections_total", LabelSet("result", "restarted"), metrics.electionsRestarted)
        writer.family("redis_sentinel_votes_total", .counter, "Votes this sentinel cast for a failover leader: for itself or for a peer.")
        writer.sample("redis_sentinel_votes_total", LabelSet("candidate", "self"), metrics.votesForSelf)
        writer.sample("redis_sentinel_votes_total", LabelSet("candidate", "peer"), metrics.votesForPeers)
        writer.family("redis_sentinel_events_total", .counter, "Events emitted, by event (the pub/sub channel it is published on).")
        for type in SentinelEventType.allCases {
            writer.sample("redis_sentinel_events_total", LabelSet("event", type.rawValue), metrics.eventCounts[type] ?? 0)
        }
        writer.family("redis_sentinel_script_runs_total", .counter,
                      "Script runs that ended: success (exit 0), retry (exit 1 or a signal), error (failed for good).")
        for outcome in ScriptRunOutcome.allCases {
            writer.sample("redis_sentinel_script_runs_total", LabelSet("outcome", outcome.rawValue), metrics.scriptRuns[outcome] ?? 0)
        }
    }

    func writeHistograms(into writer: inout PrometheusTextWriter) {
        writer.family("redis_sentinel_failover_phase_seconds", .histogram,
                      "Phases of the failovers this sentinel led to +switch-master: detect (last valid reply to +odown), elect, promote, reconfigure, total (+odown to +switch-master).")
        for phase in FailoverPhase.allCases {
            if let histogram = metrics.failoverPhases[phase] {
                writer.histogram("redis_sentinel_failover_phase_seconds", LabelSet("phase", phase.rawValue), histogram)
            }
        }
        writer.family("redis_sentinel_timer_lag_seconds", .histogram, "How much later than asked for each timer tick ran.")
        writer.histogram("redis_sentinel_timer_lag_seconds", LabelSet(), metrics.timerLag)
        writer.family("redis_sentinel_config_write_duration_seconds", .histogram,
                      "How long each configuration file write took (write, fsync, rename, directory fsync).")
        writer.histogram("redis_sentinel_config_write_duration_seconds", LabelSet(), metrics.configurationWrites)
    }
}
