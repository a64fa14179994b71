import XCTest
@testable import SentinelCore

/// The due-time schedule of the periodic work (`Monitoring/DueSchedule.swift`,
/// `ScheduledVisits.swift`, `WakeUpRule.swift`): due times computed from the facts, the
/// wake-up rule, and ticks that visit only what is due.
final class DueScheduleTests: MonitoringTestCase {
    func masterID(_ h: SentinelHarness) -> InstanceID { h.sentinel.masterOrder[0] }

    /// Nothing visits the master before its due time; the first tick at or after it does.
    func testAMasterIsVisitedAtItsDueTimeAndNotBefore() throws {
        let (h, _) = try makeHarness()
        h.run(for: 3_000)
        let id = masterID(h)
        let due = h.sentinel.schedule.instanceDueTime(id)
        XCTAssertGreaterThan(due, h.now)
        XCTAssertLessThanOrEqual(due, h.now + 1_001, "a PING is due within a ping period")
        let visits = h.sentinel.schedule.instanceVisits
        while h.now + 10 < due {
            h.advance(by: 10)
            h.tick()
        }
        XCTAssertEqual(h.sentinel.schedule.instanceVisits, visits, "visited before its due time")
        h.advance(by: due - h.now)
        h.tick()
        XCTAssertEqual(h.sentinel.schedule.instanceVisits, visits + 1)
    }

    /// A PONG only postpones its instance's work, so it wakes nothing; with forget-after it
    /// wakes its link's users (a peer seen alive may raise the most sentinels seen alive).
    func testAPongWakesItsLinkOnlyWhenPeersAreForgotten() throws {
        for forgetting in [false, true] {
            let (h, master) = try makeHarness(forgetting ? "sentinel forget-after-milliseconds 60000" : "")
            h.run(for: 3_000)
            master.hung = true
            let pings = master.received.filter { $0.arguments == ["PING"] }.count
            XCTAssertTrue(h.run(until: { master.received.filter { $0.arguments == ["PING"] }.count > pings }, limit: 2_000))
            let due = h.sentinel.schedule.instanceDueTime(masterID(h))
            XCTAssertGreaterThan(due, h.now)
            h.resume(master)
            XCTAssertEqual(h.sentinel.schedule.instanceDueTime(masterID(h)), forgetting ? h.now : due, "forget-after \(forgetting)")
        }
    }

    /// An INFO reply wakes its whole master (it records roles and replicas, and may move the
    /// failover on).
    func testAnInfoReplyWakesTheWholeMaster() throws {
        let (h, master) = try makeHarness()
        h.run(for: 3_000)
        master.hung = true
        let infos = master.received.filter { $0.arguments == ["INFO"] }.count
        XCTAssertTrue(h.run(until: { master.received.filter { $0.arguments == ["INFO"] }.count > infos }, limit: 12_000))
        XCTAssertFalse(h.sentinel.schedule.isWokenWhole(masterID(h)))
        h.resume(master)
        XCTAssertTrue(h.sentinel.schedule.isWokenWhole(masterID(h)))
    }

    /// A hello that adds a sentinel wakes the whole master it names.
    func testAHelloAddingASentinelWakesItsMaster() throws {
        let (h, master) = try makeHarness()
        h.run(for: 3_000)
        XCTAssertFalse(h.sentinel.schedule.isWokenWhole(masterID(h)))
        h.deliverHello("127.0.0.1,26380,\(String(repeating: "b", count: 40)),0,mymaster,127.0.0.1,6379,0", via: master)
        XCTAssertEqual(h.sentinel.masters[masterID(h)]?.sentinels.count, 1)
        XCTAssertTrue(h.sentinel.schedule.isWokenWhole(masterID(h)))
    }

    /// `SENTINEL SET` (a SENTINEL subcommand that changes state) wakes everything; queries do
    /// not, and IS-MASTER-DOWN-BY-ADDR wakes only the master it asks about.
    func testSentinelSetWakesEverythingAndQueriesDoNot() throws {
        let (h, _) = try makeHarness()
        h.run(for: 3_000)
        let c = h.connectClient()
        h.send(c, "SENTINEL", "MASTERS")
        h.send(c, "SENTINEL", "CKQUORUM", "mymaster")
        h.send(c, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "0", "*")
        XCTAssertFalse(h.sentinel.schedule.everythingDue)
        XCTAssertTrue(h.sentinel.schedule.isWokenWhole(masterID(h)), "the vote's master is woken")
        h.send(c, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "1000")
        XCTAssertTrue(h.sentinel.schedule.everythingDue)
        h.tick()
        XCTAssertFalse(h.sentinel.schedule.everythingDue)
    }

    /// With 1,000 healthy masters a tick visits only the few instances due (PINGs once a
    /// second, hellos every two, INFO every ten, the replies' wake-ups), not all of them.
    func testWithAThousandMastersATickVisitsOnlyTheDueOnes() throws {
        var config = "port 26379\nsentinel myid \(Self.myID)\n"
        for index in 0..<1_000 {
            config += "sentinel monitor m\(index) 127.0.0.1 \(10_000 + index) 2\nsentinel down-after-milliseconds m\(index) 5000\n"
        }
        let h = try SentinelHarness(config: config)
        for index in 0..<1_000 { h.addServer(FakeRedis(port: 10_000 + index, runID: String(repeating: "a", count: 40 - String(index, radix: 16).count) + String(index, radix: 16))) }
        h.run(for: 12_000)
        let before = h.sentinel.schedule.instanceVisits
        h.run(for: 2_000)
        let scheduled = h.sentinel.schedule.instanceVisits - before
        h.sentinel.visitsEveryInstance = true
        let everythingBefore = h.sentinel.schedule.instanceVisits
        h.run(for: 2_000)
        let everything = h.sentinel.schedule.instanceVisits - everythingBefore
        XCTAssertEqual(everything, 20 * 1_000, "the reference visits every master at each of the 20 ticks")
        XCTAssertGreaterThan(scheduled, 2_000, "every master is pinged each second")
        XCTAssertLessThan(scheduled, everything / 2, "a tick visits only the due masters")
    }
}
