import XCTest
@testable import SentinelCore

/// `metrics-port` and `metrics-bind` (`Configuration/MetricsEndpointDirectives.swift`): read
/// like `port` and `bind`, and kept by the rewrite.
final class MetricsEndpointDirectivesTests: XCTestCase {
    func parse(_ text: String) throws -> SentinelConfiguration {
        try ConfigurationParser.parse(text: text, fileName: "sentinel.conf") { _ in "" }
    }

    func error(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return (error as? ConfigurationError)?.message
        }
    }

    func testOffByDefaultAndLoopbackUnlessBound() throws {
        let configuration = try parse("port 26379\n")
        XCTAssertEqual(configuration.metricsPort, 0)
        XCTAssertEqual(configuration.metricsBindAddresses, [])
        XCTAssertEqual(SentinelConfiguration.defaultMetricsBindAddresses, ["127.0.0.1", "-::1"])
    }

    func testValues() throws {
        let configuration = try parse("metrics-port 9355\nmetrics-bind 0.0.0.0 -::*\n")
        XCTAssertEqual(configuration.metricsPort, 9355)
        XCTAssertEqual(configuration.metricsBindAddresses, ["0.0.0.0", "-::*"])
        XCTAssertEqual(try parse("METRICS-BIND \"10.0.0.1 10.0.0.2\"\n").metricsBindAddresses, ["10.0.0.1", "10.0.0.2"])
        XCTAssertEqual(try parse("metrics-bind 1.2.3.4\nmetrics-bind \"\"\n").metricsBindAddresses, [])
    }

    func testErrorsAreWordedAsForPortAndBind() {
        XCTAssertEqual(error("metrics-port 65536\n"), "argument must be between 0 and 65535 inclusive")
        XCTAssertEqual(error("metrics-port x\n"), "argument couldn't be parsed into an integer")
        XCTAssertEqual(error("metrics-port 1 2\n"), "wrong number of arguments")
        XCTAssertEqual(error("metrics-port\n"), "wrong number of arguments")
        XCTAssertEqual(error("metrics-bind " + Array(repeating: "127.0.0.1", count: 17).joined(separator: " ") + "\n"),
                       "Too many bind addresses specified.")
    }

    /// The rewrite keeps the lines in place, writes a value set on the command line, and drops
    /// nothing as unknown.
    func testRewriteKeepsThem() throws {
        let text = "port 26379\nmetrics-port 9355\nmetrics-bind 127.0.0.1 \"a b\"\nsentinel monitor m 127.0.0.1 6379 1\n"
        let configuration = try parse(text)
        let output = ConfigurationRenderer.render(configuration, over: text)
        XCTAssertTrue(output.contains("metrics-port 9355\nmetrics-bind 127.0.0.1 \"a b\"\n"), output)
        XCTAssertEqual(try parse(output).metricsBindAddresses, ["127.0.0.1", "a b"])
        var changed = configuration
        changed.metricsPort = 0
        // A line in the file keeps its place with the new value, as `port`'s does.
        XCTAssertTrue(ConfigurationRenderer.render(changed, over: text).contains("\nmetrics-port 0\n"))
        XCTAssertFalse(ConfigurationRenderer.render(changed, over: "port 26379\n").contains("metrics-port"))
        let added = ConfigurationRenderer.render(try parse("port 26379\nmetrics-port 9100\n"), over: "port 26379\n")
        XCTAssertTrue(added.contains("metrics-port 9100"), added)
    }
}
