import RESP
import XCTest
@testable import SentinelCore

/// The counters and histograms outside the events (`Observability/SentinelMetrics.swift`,
/// `Histogram.swift`): the timer's lag, configuration writes timed by the shell, script runs,
/// TILT.
final class SentinelMetricsTests: MonitoringTestCase {
    func testHistogramBucketsSumAndCount() {
        var histogram = Histogram(upperBounds: [0.1, 1])
        histogram.observe(0.1)
        histogram.observe(milliseconds: 250)
        histogram.observe(7)
        histogram.observe(-1)
        XCTAssertEqual(histogram.bucketCounts, [2, 1, 1])
        XCTAssertEqual(histogram.count, 4)
        XCTAssertEqual(histogram.sum, 7.35)
        histogram.observe(.infinity)
        histogram.observe(.nan)
        XCTAssertEqual(histogram.bucketCounts, [3, 1, 2])
        XCTAssertEqual(histogram.count, 6)
    }

    /// The lag of a tick is how much later than asked for it ran.
    func testTimerLagIsTheDelayPastTheTickAskedFor() throws {
        let (h, _) = try makeHarness()
        h.run(for: 500)
        let delay = try XCTUnwrap(h.effects.reversed().lazy.compactMap { effect -> Milliseconds? in
            if case .scheduleTick(let delay) = effect { return delay } else { return nil }
        }.first)
        let before = h.sentinel.metrics.timerLag
        h.advance(by: delay + 300)
        h.tick()
        let after = h.sentinel.metrics.timerLag
        XCTAssertEqual(after.count, before.count + 1)
        XCTAssertEqual(after.sum - before.sum, 0.3, accuracy: 1e-9)
        let bucket = try XCTUnwrap(after.upperBounds.firstIndex(of: 0.5))
        XCTAssertEqual(after.bucketCounts[bucket], before.bucketCounts[bucket] + 1)
    }

    /// An IO that times its writes has them observed; one that does not (the simulator, the
    /// harness) has none.
    func testConfigurationWritesTimedByTheIOAreObserved() throws {
        struct TimingIO: SentinelIO {
            var writes = 0
            mutating func writeConfiguration(_ file: [UInt8], to destination: ConfigurationDestination) -> String? { nil }
            mutating func writeConfigurationMeasured(_ file: [UInt8], to destination: ConfigurationDestination) -> (error: String?, seconds: Double?) {
                writes += 1
                return (nil, 0.003)
            }
            mutating func writeACLFile(path: String, contents: [UInt8]) -> String? { nil }
            mutating func perform(_ message: SentinelEffect) -> Bool { true }
            mutating func start(_ effect: SentinelEffect) -> [SentinelInput] { [] }
        }
        let (h, _) = try makeHarness()
        let client = h.connectClient()
        XCTAssertEqual(h.send(client, "SENTINEL", "SET", "mymaster", "quorum", "1"), .ok)
        XCTAssertEqual(h.sentinel.metrics.configurationWrites.count, 0, "the harness times nothing")

        var io = TimingIO()
        var turn = Turn()
        h.sentinel.handle(.clientCommand(client, ["SENTINEL", "SET", "mymaster", "quorum", "2"].map { RequestArgument(Array($0.utf8)) }), at: h.time, into: &turn)
        TurnExecutor.run(&turn, core: &h.sentinel, io: &io, at: h.time)
        XCTAssertEqual(io.writes, 1)
        XCTAssertEqual(h.sentinel.metrics.configurationWrites.count, 1)
        XCTAssertEqual(h.sentinel.metrics.configurationWrites.sum, 0.003)
    }

    func testScriptRunsByOutcome() throws {
        let (h, _) = try makeHarness("sentinel notification-script mymaster /bin/notify")
        func started() -> [ScriptID] {
            h.effects.compactMap { effect in if case .runScript(let id, _) = effect { return id } else { return nil } }
        }
        let monitor = try XCTUnwrap(started().first)
        h.feed(.scriptFinished(monitor, .exited(code: 0)))
        XCTAssertEqual(h.send(h.connectClient(), "SENTINEL", "SET", "mymaster", "quorum", "1"), .ok)
        let set = try XCTUnwrap(started().last)
        h.feed(.scriptFinished(set, .exited(code: 1)))
        h.feed(.scriptFinished(set, .spawnFailed(reason: "no such file")))
        XCTAssertEqual(h.sentinel.metrics.scriptRuns, [.success: 1, .retry: 1, .error: 1])
        XCTAssertEqual(h.sentinel.metrics.eventCounts[.scriptError], 1)
    }

    func testTiltIsCountedAndShown() throws {
        let (h, _) = try makeHarness()
        h.run(for: 300)
        h.advance(by: 3_000)
        h.tick()
        XCTAssertEqual(h.events("+tilt"), ["#tilt mode entered"])
        let metrics = try PrometheusExposition(String(decoding: h.sentinel.metricsText(at: h.time), as: UTF8.self))
        XCTAssertEqual(metrics.value("redis_sentinel_tilt"), 1)
        XCTAssertEqual(metrics.value("redis_sentinel_tilt_total"), 1)
        XCTAssertEqual(metrics.value("redis_sentinel_events_total", ["event": "+tilt"]), 1)
        // The stalled tick is the lag's slowest observation.
        XCTAssertEqual(metrics.value("redis_sentinel_timer_lag_seconds_bucket", ["le": "2"]),
                       metrics.value("redis_sentinel_timer_lag_seconds_count").map { $0 - 1 })
    }
}
