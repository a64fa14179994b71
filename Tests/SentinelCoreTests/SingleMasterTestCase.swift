import RESP
import XCTest
@testable import SentinelCore

/// The sentinel most core tests start from: port 26379, run id `myID`, monitoring `mymaster`
/// at 127.0.0.1:6379 with quorum 2, down-after 5 s and failover-timeout 60 s.
class SingleMasterTestCase: XCTestCase {
    static let myID = "0123456789abcdef0123456789abcdef01234567"
    static let config = """
    port 26379
    sentinel myid \(myID)
    sentinel monitor mymaster 127.0.0.1 6379 2
    sentinel down-after-milliseconds mymaster 5000
    sentinel failover-timeout mymaster 60000
    """
    /// How events name the master.
    let masterDetails = "master mymaster 127.0.0.1 6379"
}

/// For client commands: the sentinel of `SingleMasterTestCase` (plus `extra` lines) with
/// nothing answering on the network.
class ClientCommandTestCase: SingleMasterTestCase {
    func makeHarness(_ extra: String = "") throws -> SentinelHarness {
        try SentinelHarness(config: Self.config + "\n" + extra)
    }

    func error(_ text: String) -> RESPValue { .errorText(text) }
}

/// For monitoring: the sentinel of `SingleMasterTestCase` (plus `extra` lines) and a fake
/// master answering on 127.0.0.1:6379.
class MonitoringTestCase: SingleMasterTestCase {
    func makeHarness(_ extra: String = "") throws -> (SentinelHarness, FakeRedis) {
        let h = try SentinelHarness(config: Self.config + "\n" + extra)
        let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        return (h, master)
    }
}
