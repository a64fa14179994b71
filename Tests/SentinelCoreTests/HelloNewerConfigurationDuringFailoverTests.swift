import XCTest
@testable import SentinelCore

/// §4 rule 4: a hello with a newer config epoch switches us to its master address when that
/// address differs from the one *we announce* — during our own failover past promotion that
/// is our promoted replica, not the old master still stored in the entry.
/// Found by the simulator (seed 1872): a sentinel finishing an older failover adopted a newer
/// epoch that named the old address, then switched to its own promoted replica under that
/// newer epoch, and the sentinels disagreed forever.
final class HelloNewerConfigurationDuringFailoverTests: XCTestCase {
    let peerID = String(repeating: "b", count: 40)

    func makeSentinelInReconfSlaves() throws -> (Sentinel, InstanceID) {
        let text = """
        sentinel myid \(String(repeating: "a", count: 40))
        sentinel monitor mymaster 10.0.1.1 6379 2
        sentinel known-sentinel mymaster 10.0.0.2 26379 \(peerID)
        """
        let configuration = try ConfigurationParser.parse(text: text, fileName: "sentinel.conf") { _ in "" }
        var sentinel = Sentinel(configuration: configuration, configurationText: text, environment: SentinelEnvironment(),
                                randomSeed: 1, now: Timestamp(monotonic: 1000, wallClock: 0))
        let masterID = try XCTUnwrap(sentinel.masterID(named: "mymaster"))
        let replicaID = try XCTUnwrap(sentinel.addReplica(HostPort(host: "10.0.1.3", port: 6379), to: masterID, now: 1000))
        // Our failover of epoch 1 promoted 10.0.1.3 and is reconfiguring the other replicas.
        sentinel.currentEpoch = 1
        sentinel.masters[masterID]?.failoverState = .reconfigureReplicas
        sentinel.masters[masterID]?.failoverEpoch = 1
        sentinel.masters[masterID]?.configEpoch = 1
        sentinel.masters[masterID]?.promotedReplica = replicaID
        sentinel.instances[masterID]?.flags.insert(.failoverInProgress)
        sentinel.instances[replicaID]?.flags.insert(.promoted)
        return (sentinel, masterID)
    }

    func testNewerConfigurationNamingTheOldAddressSwitchesAwayFromOurPromotedReplica() throws {
        var (sentinel, masterID) = try makeSentinelInReconfSlaves()
        XCTAssertEqual(sentinel.currentAddress(ofMaster: masterID), HostPort(host: "10.0.1.3", port: 6379))
        var effects = Turn()
        // A peer's later failover (epoch 2) promoted the old master back.
        sentinel.processHello(Array("10.0.0.2,26379,\(peerID),2,mymaster,10.0.1.1,6379,2".utf8), now: 2000, turn: &effects)
        XCTAssertEqual(sentinel.masters[masterID]?.configEpoch, 2)
        XCTAssertEqual(sentinel.currentAddress(ofMaster: masterID), HostPort(host: "10.0.1.1", port: 6379))
        XCTAssertEqual(sentinel.masters[masterID]?.failoverState, FailoverState.none)
        // Nothing left to finish our older failover onto 10.0.1.3 later.
        var more = Turn()
        sentinel.handle(.tick, at: Timestamp(monotonic: 2100, wallClock: 0), into: &more)
        XCTAssertEqual(sentinel.currentAddress(ofMaster: masterID), HostPort(host: "10.0.1.1", port: 6379))
    }

    func testNewerConfigurationNamingOurPromotedReplicaKeepsOurFailoverGoing() throws {
        var (sentinel, masterID) = try makeSentinelInReconfSlaves()
        var effects = Turn()
        sentinel.processHello(Array("10.0.0.2,26379,\(peerID),2,mymaster,10.0.1.3,6379,2".utf8), now: 2000, turn: &effects)
        XCTAssertEqual(sentinel.masters[masterID]?.configEpoch, 2)
        XCTAssertEqual(sentinel.masters[masterID]?.failoverState, .reconfigureReplicas)
        XCTAssertEqual(sentinel.currentAddress(ofMaster: masterID), HostPort(host: "10.0.1.3", port: 6379))
    }
}
