// swift-tools-version:6.0
import PackageDescription

/// Release builds optimize across module boundaries (the shell's per-command path calls the
/// core's and the RESP module's generic tables and small functions, otherwise called
/// unspecialized through witness tables) and leave exclusivity to the compile-time checks
/// (the run-time checks were ~6% of a client command's cost; debug builds and tests keep them).
let optimizeAcrossModules: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// The daemon's modules use neither regular expressions nor Swift concurrency, so the
/// modules Swift imports implicitly for them are not linked in (a smaller binary, fewer pages
/// touched at start-up: part of the resident-memory budget).
let daemonModule: [SwiftSetting] = optimizeAcrossModules + [
    .unsafeFlags(["-Xfrontend", "-disable-implicit-string-processing-module-import",
                  "-Xfrontend", "-disable-implicit-concurrency-module-import"]),
]

let package = Package(
    name: "swift-sentinel",
    products: [
        .executable(name: "swift-sentinel", targets: ["swift-sentinel"]),
        .executable(name: "sentinel-sim", targets: ["sentinel-sim"]),
        .library(name: "SentinelCore", targets: ["SentinelCore"]),
    ],
    targets: [
        // Linux system calls that Glibc's module does not expose (epoll, timerfd, signalfd, eventfd).
        .target(name: "CSystem"),
        // The system's OpenSSL 3 (Debian's libssl-dev) for TLS, with the macros Swift cannot import.
        .target(name: "COpenSSL", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        .target(name: "RESP", swiftSettings: daemonModule),
        // The HTTP/1.1 requests and responses of the metrics endpoint.
        .target(name: "HTTP", swiftSettings: daemonModule),
        .target(name: "SentinelCore", dependencies: ["RESP", "HTTP"], swiftSettings: daemonModule),
        .target(name: "SentinelServer", dependencies: ["RESP", "HTTP", "SentinelCore", "CSystem", "COpenSSL"], swiftSettings: daemonModule),
        .target(name: "SentinelSimulation", dependencies: ["RESP", "SentinelCore"], swiftSettings: optimizeAcrossModules),
        // Fuzz targets (Scripts/fuzz.sh runs them under libFuzzer; SentinelFuzzingTests replays
        // their corpora in Tests/FuzzCorpus).
        .target(name: "SentinelFuzzing", dependencies: ["RESP", "HTTP", "SentinelCore"]),
        .executableTarget(name: "swift-sentinel", dependencies: ["SentinelServer", "SentinelCore"], swiftSettings: daemonModule),
        .executableTarget(name: "sentinel-sim", dependencies: ["SentinelSimulation"], swiftSettings: optimizeAcrossModules),
        .testTarget(name: "RESPTests", dependencies: ["RESP"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "SentinelCoreTests", dependencies: ["SentinelCore", "RESP", "HTTP"], exclude: ["Transcripts"]),
        .testTarget(name: "SentinelServerTests", dependencies: ["SentinelServer", "SentinelCore", "RESP", "HTTP", "CSystem", "COpenSSL"]),
        .testTarget(name: "IntegrationTests", dependencies: ["RESP"]),
        .testTarget(name: "SentinelFuzzingTests", dependencies: ["SentinelFuzzing"]),
        .testTarget(name: "SentinelSimulationTests", dependencies: ["SentinelSimulation", "SentinelCore", "RESP"]),
    ],
    swiftLanguageModes: [.v6]
)
