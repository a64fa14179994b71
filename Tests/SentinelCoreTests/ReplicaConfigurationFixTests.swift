import RESP
import XCTest
@testable import SentinelCore

/// `+fix-slave-config` (`InfoProcessing.fixReplicaConfiguration`, SENTINEL-PROTOCOL.md §9.2):
/// a replica listed under our master that replicates from elsewhere is told to follow our master.
final class ReplicaConfigurationFixTests: MonitoringTestCase {
    /// A replica that answers INFO but refuses SLAVEOF (renamed or denied on its side) is told
    /// again at most once per INFO period once the backoff has grown, as redis-sentinel tells
    /// it, not once per INFO reply: the INFO asked right behind each SLAVEOF made the two loop
    /// as fast as the replica answered.
    func testAReplicaThatIgnoresSlaveOfIsToldOncePerInfoPeriod() throws {
        let (h, master) = try makeHarness()
        let replica = h.addServer(FakeRedis(port: 6380, role: .replica, runID: runID("b")))
        replica.replicate(master)
        h.run(until: { h.masterFields("mymaster")["num-slaves"] == "1" })
        replica.masterPort = 6390
        replica.obeysSlaveOf = false
        h.clearRecords()
        // Told after failover-timeout (60 s) without a change, then on the INFO replies of the
        // 10 s period (the INFO asked right behind each SLAVEOF comes back too soon).
        h.run(until: { !h.events("+fix-slave-config").isEmpty }, limit: 75_000)
        h.run(for: 60_000)
        XCTAssertEqual(h.events("+fix-slave-config").count, 6)
        XCTAssertEqual(h.commands(sentTo: replica).filter { $0.first == "SLAVEOF" }.count, 6)
    }
}
