import RESP

/// swift-sentinel's own directives for its HTTP endpoint (`/metrics`, `/healthz`, `/readyz`),
/// spelled like `port` and `bind`:
///
///     metrics-port <port>          0 (the default) serves no endpoint
///     metrics-bind <addr> [<addr> …]   default 127.0.0.1 -::1 (loopback only); `*`, `::*` and
///                                      a leading `-` as for `bind`
enum MetricsEndpointDirectives {
    static let names: Set<String> = ["metrics-port", "metrics-bind"]

    /// Applies one directive (a name in `names`); returns the error message, if any, worded as
    /// for `port` and `bind`.
    static func apply(name: String, values: [String], to configuration: inout SentinelConfiguration) -> String? {
        switch name {
        case "metrics-port":
            guard values.count == 1 else { return "wrong number of arguments" }
            guard let port = RedisNumberParsing.string2ll(values[0]) else { return "argument couldn't be parsed into an integer" }
            guard (0...65535).contains(port) else { return "argument must be between 0 and 65535 inclusive" }
            configuration.metricsPort = Int(port)
        default:
            var addresses = values
            // A lone argument may hold several addresses, as for `bind`.
            if addresses.count == 1, !addresses[0].isEmpty, let split = RedisArgumentSplitter.split(addresses[0]) { addresses = split }
            guard !addresses.isEmpty else { return "wrong number of arguments" }
            guard addresses.count <= GenericDirectiveApplier.maximumBindAddresses else { return "Too many bind addresses specified." }
            configuration.metricsBindAddresses = addresses == [""] ? [] : addresses
        }
        return nil
    }

    /// The rewrite's lines: `metrics-port` when not 0, `metrics-bind` when set (quoted like
    /// `bind` where an address would not read back as itself).
    static func render(_ configuration: SentinelConfiguration, into state: inout ConfigurationRewriteState) {
        state.rewrite("metrics-port", line: "metrics-port \(configuration.metricsPort)", force: configuration.metricsPort != 0)
        if configuration.metricsBindAddresses.isEmpty {
            state.markProcessed("metrics-bind")
        } else {
            state.rewrite("metrics-bind", line: "metrics-bind " + configuration.metricsBindAddresses.map(ConfigurationRenderer.argument).joined(separator: " "),
                          force: true)
        }
    }
}
