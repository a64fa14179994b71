import RESP
import XCTest
@testable import SentinelCore

/// `/metrics` as a scraper reads it (`Observability/MetricsExposition.swift`,
/// `MasterMetricsExposition.swift`): a well-formed exposition, the names, labels and meaning
/// of oliver006/redis_exporter's sentinel metrics, and the states an exporter cannot see.
final class MetricsExpositionTests: FailoverTestCase {
    func scrape(_ h: SentinelHarness, file: StaticString = #filePath, line: UInt = #line) throws -> PrometheusExposition {
        let text = String(decoding: h.sentinel.metricsText(at: h.time), as: UTF8.self)
        do {
            return try PrometheusExposition(text)
        } catch {
            XCTFail("malformed exposition: \(error)\n\(text)", file: file, line: line)
            throw error
        }
    }

    /// The exporter's families, with exactly its labels.
    static let exporterFamilies: [(name: String, labels: Set<String>)] = [
        ("redis_sentinel_masters", []), ("redis_sentinel_tilt", []), ("redis_sentinel_running_scripts", []),
        ("redis_sentinel_scripts_queue_length", []), ("redis_sentinel_simulate_failure_flags", []),
        ("redis_sentinel_master_status", ["master_name", "master_address", "master_status"]),
        ("redis_sentinel_master_slaves", ["master_name", "master_address"]),
        ("redis_sentinel_master_sentinels", ["master_name", "master_address"]),
        ("redis_sentinel_master_ok_slaves", ["master_name", "master_address"]),
        ("redis_sentinel_master_ok_sentinels", ["master_name", "master_address"]),
        ("redis_sentinel_master_ckquorum_status", ["master_name", "message"]),
        ("redis_sentinel_master_setting_ckquorum", ["master_name", "master_address"]),
        ("redis_sentinel_master_setting_failover_timeout", ["master_name", "master_address"]),
        ("redis_sentinel_master_setting_parallel_syncs", ["master_name", "master_address"]),
        ("redis_sentinel_master_setting_down_after_milliseconds", ["master_name", "master_address"]),
        ("redis_sentinel_master_config_epoch", ["master_name", "master_address"]),
        ("redis_sentinel_master_last_ok_ping_reply_seconds", ["master_name", "master_address"]),
    ]

    func testExporterFamiliesWithTheirLabels() throws {
        let w = try makeWorld()
        let metrics = try scrape(w.h)
        for family in Self.exporterFamilies {
            XCTAssertEqual(metrics.type(of: family.name), "gauge", family.name)
            let samples = metrics.samples.filter { $0.name == family.name }
            XCTAssertEqual(samples.count, 1, family.name)
            XCTAssertEqual(samples.first.map { Set($0.labels.keys) }, family.labels, family.name)
        }
    }

    /// The values mean what the exporter reads from INFO, SENTINEL MASTERS, CKQUORUM,
    /// SENTINELS and SLAVES.
    func testExporterValuesOfAHealthyMaster() throws {
        let w = try makeWorld()
        let metrics = try scrape(w.h)
        let master = ["master_name": "mymaster", "master_address": "127.0.0.1:6379"]
        XCTAssertEqual(metrics.value("redis_sentinel_masters"), 1)
        XCTAssertEqual(metrics.value("redis_sentinel_tilt"), 0)
        XCTAssertEqual(metrics.value("redis_sentinel_master_status", master.merging(["master_status": "ok"]) { a, _ in a }), 1)
        XCTAssertEqual(metrics.value("redis_sentinel_master_slaves", master), 2)
        XCTAssertEqual(metrics.value("redis_sentinel_master_sentinels", master), 3)
        XCTAssertEqual(metrics.value("redis_sentinel_master_ok_slaves", master), 2)
        XCTAssertEqual(metrics.value("redis_sentinel_master_ok_sentinels", master), 3)
        XCTAssertEqual(metrics.value("redis_sentinel_master_ckquorum_status",
                                     ["master_name": "mymaster", "message": "OK 3 usable Sentinels. Quorum and failover authorization can be reached"]), 1)
        XCTAssertEqual(metrics.value("redis_sentinel_master_setting_ckquorum", master), 2)
        XCTAssertEqual(metrics.value("redis_sentinel_master_setting_failover_timeout", master), 60000)
        XCTAssertEqual(metrics.value("redis_sentinel_master_setting_parallel_syncs", master), 1)
        XCTAssertEqual(metrics.value("redis_sentinel_master_setting_down_after_milliseconds", master), 5000)
        XCTAssertEqual(metrics.value("redis_sentinel_master_config_epoch", master), 0)
        let sinceReply = try XCTUnwrap(metrics.value("redis_sentinel_master_last_ok_ping_reply_seconds", master))
        XCTAssertEqual(sinceReply, Double(Int(h(w).masterFields("mymaster")["last-ok-ping-reply"]!)!) / 1000)
        XCTAssertEqual(metrics.value("redis_sentinel_master_sdown", master), 0)
        XCTAssertEqual(metrics.value("redis_sentinel_master_failover_state", master.merging(["state": "none"]) { a, _ in a }), 1)
    }

    private func h(_ w: World) -> SentinelHarness { w.h }

    /// A master down: its status label and value, the one-hot states, and the peers that
    /// agree; a peer down counts out of the usable sentinels and out of CKQUORUM.
    func testDownStatesAndUsableSentinels() throws {
        let w = try makeWorld(quorum: 3)
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true, votesFor: "*")
        w.peers[1].isMasterDownReply = peerAnswer(down: false, votesFor: "*")
        crash(w.master, in: h)
        h.run(until: { !h.events("+sdown").isEmpty }, limit: 20_000)
        var metrics = try scrape(h)
        let master = ["master_name": "mymaster", "master_address": "127.0.0.1:6379"]
        XCTAssertEqual(metrics.value("redis_sentinel_master_status", master.merging(["master_status": "sdown"]) { a, _ in a }), 0)
        XCTAssertEqual(metrics.value("redis_sentinel_master_sdown", master), 1)
        XCTAssertEqual(metrics.value("redis_sentinel_master_odown", master), 0)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(metrics.value("redis_sentinel_master_last_ok_ping_reply_seconds", master)), 5)

        crash(w.peers[1], in: h)
        h.run(until: { h.events("+sdown").count == 2 }, limit: 20_000)
        metrics = try scrape(h)
        XCTAssertEqual(metrics.value("redis_sentinel_master_ok_sentinels", master), 2)
        XCTAssertEqual(metrics.value("redis_sentinel_master_sentinels", master), 3)
        let quorum = metrics.samples.filter { $0.name == "redis_sentinel_master_ckquorum_status" }
        XCTAssertEqual(quorum.map(\.value), [0])
        XCTAssertEqual(quorum.first?.labels["message"],
                       "NOQUORUM 2 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master")
    }

    func testFailoverStateIsOneHot() throws {
        let w = try makeWorld()
        let h = w.h
        w.peers[0].isMasterDownReply = peerAnswer(down: true)
        w.peers[1].isMasterDownReply = peerAnswer(down: false)
        crash(w.master, in: h)
        // Replicas that ignore SLAVEOF NO ONE keep the failover in wait_promotion.
        w.r1.obeysSlaveOf = false
        w.r2.obeysSlaveOf = false
        let masterID = h.sentinel.masterOrder[0]
        h.run(until: { h.sentinel.masters[masterID]?.failoverState == .waitPromotion }, limit: 20_000)
        let metrics = try scrape(h)
        let states = metrics.samples.filter { $0.name == "redis_sentinel_master_failover_state" }
        XCTAssertEqual(Set(states.compactMap { $0.labels["state"] }), Set(FailoverState.allCases.map(\.rawValue)))
        XCTAssertEqual(states.filter { $0.value == 1 }.map { $0.labels["state"] }, ["wait_promotion"])
        XCTAssertEqual(states.map(\.value).reduce(0, +), 1)
    }

    /// Label values are escaped as the format requires (a master's name cannot hold a line
    /// break; `PrometheusTextWriterTests` checks that escape).
    func testLabelValuesAreEscaped() throws {
        let h = try SentinelHarness(config: "port 26379\nsentinel myid \(Self.myID)\n")
        let c = h.connectClient()
        let name = "a\"b\\c"
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", name, "127.0.0.1", "6379", "1"), .ok)
        let text = String(decoding: h.sentinel.metricsText(at: h.time), as: UTF8.self)
        XCTAssertTrue(text.contains(#"redis_sentinel_master_slaves{master_name="a\"b\\c",master_address="127.0.0.1:6379"} 0"#), text)
        let metrics = try PrometheusExposition(text)
        XCTAssertEqual(metrics.value("redis_sentinel_master_slaves", ["master_name": name]), 0)
    }

    /// Every counter label value that can occur is there from the start, at 0.
    func testCountersStartAtZeroForEveryLabelValue() throws {
        let w = try makeWorld()
        let metrics = try scrape(w.h)
        // Every result for the leader, `end` for an observer.
        XCTAssertEqual(metrics.samples.filter { $0.name == "redis_sentinel_failovers_total" }.count, FailoverResult.allCases.count + 1)
        XCTAssertEqual(metrics.value("redis_sentinel_failovers_total", ["role": "observer", "result": "end"]), 0)
        XCTAssertEqual(metrics.value("redis_sentinel_failovers_total", ["role": "leader", "result": "abort_no_good_slave"]), 0)
        XCTAssertEqual(metrics.samples.filter { $0.name == "redis_sentinel_events_total" }.count, SentinelEventType.allCases.count)
        XCTAssertEqual(metrics.value("redis_sentinel_events_total", ["event": "+monitor"]), 1)
        XCTAssertEqual(metrics.value("redis_sentinel_events_total", ["event": "+slave"]), 2)
        XCTAssertEqual(metrics.value("redis_sentinel_events_total", ["event": "+switch-master"]), 0)
        for phase in FailoverPhase.allCases {
            XCTAssertEqual(metrics.value("redis_sentinel_failover_phase_seconds_count", ["phase": phase.rawValue]), 0)
        }
        XCTAssertEqual(metrics.value("redis_sentinel_tilt_total"), 0)
        XCTAssertEqual(metrics.value("redis_sentinel_build_info", ["implementation": "swift-sentinel", "redis_version": "7.0.15"]), 1)
    }

    /// A scrape reads, it changes nothing: the same state gives the same bytes.
    func testRenderingIsAPureRead() throws {
        let w = try makeWorld()
        let first = w.h.sentinel.metricsText(at: w.h.time)
        XCTAssertEqual(w.h.sentinel.metricsText(at: w.h.time), first)
    }
}
