// swift-tools-version:6.0
import PackageDescription

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
        .target(name: "RESP"),
        .target(name: "SentinelCore", dependencies: ["RESP"]),
        .target(name: "SentinelServer", dependencies: ["RESP", "SentinelCore", "CSystem"]),
        .target(name: "SentinelSimulation", dependencies: ["RESP", "SentinelCore"]),
        .executableTarget(name: "swift-sentinel", dependencies: ["SentinelServer", "SentinelCore"]),
        .executableTarget(name: "sentinel-sim", dependencies: ["SentinelSimulation"]),
        .testTarget(name: "RESPTests", dependencies: ["RESP"]),
        .testTarget(name: "SentinelCoreTests", dependencies: ["SentinelCore", "RESP"]),
        .testTarget(name: "SentinelServerTests", dependencies: ["SentinelServer", "SentinelCore", "RESP", "CSystem"]),
        .testTarget(name: "IntegrationTests", dependencies: ["RESP"]),
        .testTarget(name: "SentinelSimulationTests", dependencies: ["SentinelSimulation", "SentinelCore", "RESP"]),
    ],
    swiftLanguageModes: [.v6]
)
