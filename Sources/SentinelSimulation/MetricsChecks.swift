import SentinelCore

/// What a sentinel's `/metrics` says agrees with what it was seen to do: checked at the end of
/// every run on each live sentinel, from the text a scraper would read and from the counters
/// behind it.
extension Simulation {
    /// Counts an event of sentinel `s`'s current incarnation (its metrics start from zero at
    /// each start, as a process's do).
    func countEvent(_ type: SentinelEventType, of s: Int) {
        sentinels[s].eventCounts[type, default: 0] += 1
    }

    /// `events_total` by type equals the events the sentinel emitted since it started; the
    /// failovers it led to an end are its `+failover-end` events; each failover it led to
    /// `+switch-master` (every switch but those adopted as an observer) has one observation
    /// in the `total` phase; and the rendered text shows those counts.
    func checkMetrics() {
        for s in sentinels.indices {
            guard let core = sentinels[s].core else { continue }
            let seen = sentinels[s].eventCounts
            let metrics = core.metrics
            if metrics.eventCounts != seen {
                let differing = Set(seen.keys).union(metrics.eventCounts.keys).filter { seen[$0] != metrics.eventCounts[$0] }
                    .map { "\($0.rawValue) counted \(metrics.eventCounts[$0] ?? 0), emitted \(seen[$0] ?? 0)" }.sorted()
                return fail("metrics-match-events", "S\(s): " + differing.joined(separator: "; "))
            }
            let ended = metrics.failovers(.leader, .end) + metrics.failovers(.leader, .timeout)
            if ended != seen[.failoverEnd] ?? 0 {
                return fail("metrics-match-events", "S\(s) counted \(ended) failovers ended as leader, emitted \(seen[.failoverEnd] ?? 0) +failover-end")
            }
            let led = (seen[.switchMaster] ?? 0) - metrics.failovers(.observer, .end)
            if metrics.failoverPhases[.total]?.count != led {
                return fail("metrics-match-events", "S\(s) observed \(metrics.failoverPhases[.total]?.count ?? 0) failover totals for \(led) switches it led")
            }
            let text = String(decoding: core.metricsText(at: timestamp), as: UTF8.self)
            for line in ["redis_sentinel_events_total{event=\"+switch-master\"} \(seen[.switchMaster] ?? 0)\n",
                         "redis_sentinel_failovers_total{role=\"leader\",result=\"end\"} \(metrics.failovers(.leader, .end))\n",
                         "redis_sentinel_failover_phase_seconds_count{phase=\"total\"} \(led)\n"] where !text.contains(line) {
                return fail("metrics-match-events", "S\(s)'s /metrics lacks the line \(line.dropLast())")
            }
        }
    }
}
