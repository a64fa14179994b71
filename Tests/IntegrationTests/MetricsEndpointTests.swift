import Foundation
import Glibc
import RESP
import XCTest

/// The metrics port against real tools: a real Prometheus server scraping three sentinels
/// through a failover, `promtool check metrics` on a scrape of 200 masters, and a scraper that
/// never reads while clients keep asking PING.
final class MetricsEndpointTests: FailoverTestCase {
    /// One sample of a PromQL instant vector.
    struct PromSample {
        var labels: [String: String]
        var value: Double
    }

    /// A Prometheus server on loopback with its own storage, scraping `targets` every second.
    func startPrometheus(targets: [Int]) throws -> Int {
        let executable = Self.findExecutable("prometheus")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw IntegrationError("no prometheus at \(executable): Scripts/test.sh installs Debian's prometheus package")
        }
        let prometheusDirectory = directory + "/prometheus"
        try FileManager.default.createDirectory(atPath: prometheusDirectory, withIntermediateDirectories: true)
        let configuration = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: sentinel
                static_configs:
                  - targets: [\(targets.map { "'127.0.0.1:\($0)'" }.joined(separator: ", "))]

            """
        try configuration.write(toFile: prometheusDirectory + "/prometheus.yml", atomically: true, encoding: .utf8)
        for _ in 0..<5 {
            let port = try freePort()
            let process = try launch(name: "prometheus", executable: executable, arguments: [
                "--config.file=\(prometheusDirectory)/prometheus.yml", "--storage.tsdb.path=\(prometheusDirectory)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ], logPath: prometheusDirectory + "/prometheus.log")
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning && Date() < deadline {
                if let ready = try? HTTPFetch.get(port: port, "/-/ready", timeout: 2), ready.status == 200 { return port }
                usleep(100_000)
            }
            process.stop()
        }
        throw IntegrationError("prometheus did not become ready")
    }

    /// The result of the PromQL instant query `query`.
    func promQuery(_ port: Int, _ query: String) throws -> [PromSample] {
        let response = try HTTPFetch.get(port: port, "/api/v1/query?query=" + HTTPFetch.encode(query))
        guard response.status == 200,
              let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              json["status"] as? String == "success", let data = json["data"] as? [String: Any],
              let result = data["result"] as? [[String: Any]] else {
            throw IntegrationError("query \(query) failed: \(response.status) \(response.text)")
        }
        return result.compactMap { item in
            guard let labels = item["metric"] as? [String: String], let value = item["value"] as? [Any],
                  value.count == 2, let text = value[1] as? String, let number = Double(text) else { return nil }
            return PromSample(labels: labels, value: number)
        }
    }

    /// `{instance → value}` of a query whose series are one per sentinel.
    func byInstance(_ port: Int, _ query: String) throws -> [String: Double] {
        var values: [String: Double] = [:]
        for sample in try promQuery(port, query) { values[sample.labels["instance"] ?? "?"] = sample.value }
        return values
    }

    /// Three sentinels with metrics ports, watched by Prometheus; the master is killed; through
    /// Prometheus's API: the leader's `failovers_total` rose from 0 to 1, each of its phase
    /// histograms has one observation, the others counted an observed failover, and every
    /// sentinel shows the new master ok.
    func testPrometheusSeesTheFailover() throws {
        master = try startRedis("master")
        replicas = [try startRedis("replica1", replicaOf: master), try startRedis("replica2", replicaOf: master)]
        try waitUntil("both replicas report master_link_status:up") {
            try replicas.allSatisfy { try role($0)["master_link_status"] == "up" }
        }
        let lines = monitorLines(master: master, MonitorOptions(quorum: 2, downAfterMilliseconds: 1000, failoverTimeout: 15000))
        var metricsPorts: [Int] = []
        for index in 1...3 {
            let port = try freePort()
            metricsPorts.append(port)
            fleet.append(try startSentinel("s\(index)", lines: "metrics-port \(port)\nmetrics-bind 127.0.0.1\n" + lines))
        }
        try waitForDiscovery(fleet, replicas: 2)
        for port in metricsPorts {
            try waitUntil("/readyz on \(port) answers 200") { try HTTPFetch.get(port: port, "/readyz").status == 200 }
        }

        let prometheus = try startPrometheus(targets: metricsPorts)
        let instances = Set(metricsPorts.map { "127.0.0.1:\($0)" })
        try waitUntil("Prometheus scraped all three sentinels") {
            try byInstance(prometheus, "up") == Dictionary(uniqueKeysWithValues: instances.map { ($0, 1) })
        }
        let leaderEnd = #"redis_sentinel_failovers_total{role="leader",result="end"}"#
        XCTAssertEqual(try byInstance(prometheus, leaderEnd), Dictionary(uniqueKeysWithValues: instances.map { ($0, 0) }))

        master.process.signal(SIGKILL)
        let (promoted, _) = try verifyFailover(from: master)

        var leader = ""
        try waitUntil("Prometheus shows one leader with failovers_total 1; now \((try? self.byInstance(prometheus, leaderEnd)) ?? [:])",
                      timeout: 60) {
            let values = try byInstance(prometheus, leaderEnd)
            guard values.count == 3, values.values.sorted() == [0, 0, 1] else { return false }
            leader = values.first { $0.value == 1 }!.key
            return true
        }
        // The leader's counter rose: 0 before the kill, 1 after (a change Prometheus saw).
        XCTAssertEqual(try byInstance(prometheus, "changes(\(leaderEnd)[5m])")[leader], 1)
        try waitUntil("each phase histogram of the leader has one observation") {
            let counts = try promQuery(prometheus, "redis_sentinel_failover_phase_seconds_count{instance=\"\(leader)\"}")
            return Set(counts.compactMap { $0.labels["phase"] }) == ["detect", "elect", "promote", "reconfigure", "total"]
                && counts.allSatisfy { $0.value == 1 }
        }
        let phases = try promQuery(prometheus, "redis_sentinel_failover_phase_seconds_sum{instance=\"\(leader)\"}")
        let seconds = Dictionary(uniqueKeysWithValues: phases.map { ($0.labels["phase"] ?? "?", $0.value) })
        XCTAssertGreaterThanOrEqual(seconds["detect"] ?? 0, 1, "detection takes at least down-after-milliseconds")
        // Total spans the three phases after detection (to the millisecond each).
        XCTAssertGreaterThanOrEqual((seconds["total"] ?? 0) + 0.0005, (seconds["elect"] ?? 0) + (seconds["promote"] ?? 0) + (seconds["reconfigure"] ?? 0))
        XCTAssertEqual(try byInstance(prometheus, "sum by (instance) (redis_sentinel_failover_phase_seconds_count)")
                        .filter { $0.key != leader }.values.sorted(), [0, 0])
        try waitUntil("the other two counted an observed failover") {
            try byInstance(prometheus, #"redis_sentinel_failovers_total{role="observer",result="end"}"#)
                == Dictionary(uniqueKeysWithValues: instances.map { ($0, $0 == leader ? 0 : 1) })
        }
        try waitUntil("every sentinel shows the new master ok through Prometheus") {
            let status = try promQuery(prometheus, "redis_sentinel_master_status")
            return status.count == 3 && status.allSatisfy {
                $0.value == 1 && $0.labels["master_status"] == "ok" && $0.labels["master_address"] == promoted.address
                    && $0.labels["master_name"] == "mymaster"
            }
        }
    }

    /// Runs `promtool` with `arguments` (and `input` on its standard input); returns its exit
    /// status and what it printed.
    func promtool(_ arguments: [String], input: [UInt8] = []) throws -> (status: Int32, output: String) {
        let path = directory + "/promtool-input"
        try Data(input).write(to: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.findExecutable("promtool"))
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: printed, as: UTF8.self))
    }

    /// A sentinel monitoring 200 masters: promtool parses its scrape and finds nothing to lint
    /// but the exporter's own `_milliseconds` name, kept for its dashboards; then a scraper
    /// that pipelines requests and never reads does not keep PING from being answered, nor
    /// another scraper from being served.
    func testTwoHundredMastersScrapeAndAStalledScraper() throws {
        let server = try startRedis("master")
        let metricsPort = try freePort()
        var lines = "metrics-port \(metricsPort)\n"
        for index in 0..<200 {
            lines += "sentinel monitor master-\(index) 127.0.0.1 \(server.port) 1\nsentinel down-after-milliseconds master-\(index) 5000\n"
        }
        let sentinel = try startSentinel("s1", lines: lines)
        try waitUntil("200 masters with status=ok") {
            let fields = try info(sentinel.port, "sentinel")
            return fields["sentinel_masters"] == "200" && fields.filter { $0.key.hasPrefix("master") && $0.value.contains("status=ok") }.count == 200
        }
        let scrape = try HTTPFetch.get(port: metricsPort, "/metrics")
        XCTAssertEqual(scrape.status, 200)
        XCTAssertEqual(scrape.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertEqual(scrape.text.components(separatedBy: "\nredis_sentinel_master_status{").count - 1, 200)
        let check = try promtool(["check", "metrics"], input: scrape.body)
        XCTAssertEqual(check.output, "redis_sentinel_master_setting_down_after_milliseconds use base unit \"seconds\" instead of \"milliseconds\"\n")
        XCTAssertEqual(check.status, 3, "3: lint findings only; 1 would be a parse error")

        let stalled = try RawConnection(port: metricsPort)
        var requests: [UInt8] = []
        for _ in 0..<1000 { requests += Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8) }
        try stalled.write(requests)
        let client = try RedisConnection(port: sentinel.port, timeout: 5)
        for _ in 0..<100 { XCTAssertEqual(try client.command("PING"), .status("PONG")) }
        XCTAssertEqual(try HTTPFetch.get(port: metricsPort, "/healthz").text, "ok\n")
        XCTAssertEqual(try HTTPFetch.get(port: metricsPort, "/metrics").status, 200)
        XCTAssertTrue(sentinel.process.isRunning)
    }

    /// The example alert rules load, their unit tests pass, and the example scrape
    /// configuration is valid.
    func testExampleAlertRulesAndConfiguration() throws {
        let examples = Self.packageRoot + "/Scripts/prometheus"
        let rules = try promtool(["check", "rules", examples + "/swift-sentinel.rules.yml"])
        XCTAssertEqual(rules.status, 0, rules.output)
        XCTAssertTrue(rules.output.contains("SUCCESS: 11 rules found"), rules.output)
        let tests = try promtool(["test", "rules", examples + "/swift-sentinel.rules.test.yml"])
        XCTAssertEqual(tests.status, 0, tests.output)
        let configuration = try promtool(["check", "config", examples + "/prometheus.yml"])
        XCTAssertEqual(configuration.status, 0, configuration.output)
    }
}
