import RESP
import XCTest
@testable import SentinelCore

/// Masters and replicas reached the same way share one link (`Monitoring/LinkSharing.swift`):
/// one command and one pub/sub connection per server, however many names it holds.
final class LinkSharingTests: MonitoringTestCase {
    /// The sentinel of `MonitoringTestCase` with a second name, `other`, at the same address.
    func makeSharedHarness(_ extra: String = "") throws -> (SentinelHarness, FakeRedis) {
        try makeHarness("sentinel monitor other 127.0.0.1 6379 2\n" + extra)
    }

    func connects(in effects: [SentinelEffect]) -> [ConnectionID] {
        effects.compactMap { if case .connect(let connection, _, _, _) = $0 { return connection } else { return nil } }
    }

    /// The effects `h` produced while `body` ran.
    func effects(of h: SentinelHarness, during body: () -> Void) -> [SentinelEffect] {
        let before = h.effects.count
        body()
        return Array(h.effects[before...])
    }

    func closes(in effects: [SentinelEffect]) -> [ConnectionID] {
        effects.compactMap { if case .closeConnection(let connection) = $0 { return connection } else { return nil } }
    }

    func testNamesAtOneAddressShareOneCommandAndOnePubSubConnection() throws {
        let (h, master) = try makeSharedHarness()
        h.run(for: 1_000)
        XCTAssertEqual(connects(in: h.effects).count, 2)
        XCTAssertEqual(master.subscribedConnections.count, 1)
        XCTAssertEqual(h.masterFields("mymaster")["link-refcount"], "2")
        XCTAssertEqual(h.masterFields("other")["link-refcount"], "2")
        // Each name still asks for its own INFO, and each learns the server's run id from it.
        XCTAssertEqual(master.received.filter { $0.arguments == ["INFO"] }.count, 2)
        XCTAssertEqual(h.masterFields("mymaster")["runid"], runID("a"))
        XCTAssertEqual(h.masterFields("other")["runid"], runID("a"))
    }

    func testAServerThatStopsAnsweringIsDownUnderEveryName() throws {
        let (h, master) = try makeSharedHarness("sentinel down-after-milliseconds other 5000")
        h.run(for: 1_000)
        master.pingReply = .errorText("ERR not now")
        h.run(for: 7_000)
        XCTAssertEqual(h.events("+sdown"), [masterDetails, "master other 127.0.0.1 6379"])
    }

    func testDifferentCredentialsGetTheirOwnLinks() throws {
        let (h, _) = try makeSharedHarness("sentinel auth-pass other pw")
        h.run(for: 1_000)
        XCTAssertEqual(connects(in: h.effects).count, 4)
        XCTAssertEqual(h.masterFields("mymaster")["link-refcount"], "1")
    }

    func testNewCredentialsMoveOnlyThatNameToANewLink() throws {
        let (h, master) = try makeSharedHarness()
        h.run(for: 1_000)
        let client = h.connectClient()
        let after = effects(of: h) {
            XCTAssertEqual(h.send(client, "SENTINEL", "SET", "other", "auth-pass", "pw"), .ok)
            h.run(for: 1_000)
        }
        XCTAssertEqual(closes(in: after), [], "mymaster keeps the shared connections")
        XCTAssertEqual(connects(in: after).count, 2)
        XCTAssertEqual(h.masterFields("mymaster")["link-refcount"], "1")
        XCTAssertEqual(h.masterFields("other")["link-refcount"], "1")
        XCTAssertEqual(master.received.filter { $0.arguments == ["AUTH", "pw"] }.count, 2)
    }

    func testNewCredentialsOfANameAloneReconnectItsLink() throws {
        let (h, master) = try makeHarness()
        h.run(for: 1_000)
        let client = h.connectClient()
        let after = effects(of: h) {
            XCTAssertEqual(h.send(client, "SENTINEL", "SET", "mymaster", "auth-pass", "pw"), .ok)
            h.run(for: 1_500)
        }
        XCTAssertEqual(closes(in: after).count, 2)
        XCTAssertEqual(connects(in: after).count, 2)
        XCTAssertEqual(master.received.filter { $0.arguments == ["AUTH", "pw"] }.count, 2)
    }

    func testRemovingOneNameKeepsTheConnectionsOfTheOthers() throws {
        let (h, _) = try makeSharedHarness()
        h.run(for: 1_000)
        let client = h.connectClient()
        let afterOther = effects(of: h) {
            XCTAssertEqual(h.send(client, "SENTINEL", "REMOVE", "other"), .ok)
            h.run(for: 500)
        }
        XCTAssertEqual(closes(in: afterOther), [])
        XCTAssertEqual(h.masterFields("mymaster")["link-refcount"], "1")
        let afterLast = effects(of: h) { XCTAssertEqual(h.send(client, "SENTINEL", "REMOVE", "mymaster"), .ok) }
        XCTAssertEqual(closes(in: afterLast).count, 2)
    }

    func testAHelloOnTheSharedSubscriptionReachesTheNameItIsAbout() throws {
        let (h, master) = try makeSharedHarness()
        h.run(for: 1_000)
        h.deliverHello("127.0.0.1,26380,\(runID("b")),0,other,127.0.0.1,6379,0", via: master)
        XCTAssertEqual(h.masterFields("other")["num-other-sentinels"], "1")
        XCTAssertEqual(h.masterFields("mymaster")["num-other-sentinels"], "0")
    }

    func testAResetMasterSharingItsLinkLeavesItConnected() throws {
        let (h, _) = try makeSharedHarness()
        h.run(for: 1_000)
        let client = h.connectClient()
        let after = effects(of: h) {
            XCTAssertEqual(h.send(client, "SENTINEL", "RESET", "other"), .integer(1))
            h.run(for: 500)
        }
        XCTAssertEqual(closes(in: after), [])
        XCTAssertEqual(h.masterFields("other")["flags"], "master")
    }
}

/// The outstanding replies of a command connection (`PendingReplyQueue`).
final class PendingReplyQueueTests: XCTestCase {
    func testCountsRequestsPerKindAndInstanceUntilAnswered() {
        var queue = PendingReplyQueue()
        let first = InstanceID(1), second = InstanceID(2)
        queue.append(PendingReply(.info, instance: first))
        queue.append(PendingReply(.info, instance: first))
        queue.append(PendingReply(.ping, instance: second))
        XCTAssertTrue(queue.contains(.info, for: first))
        XCTAssertFalse(queue.contains(.info, for: second))
        XCTAssertEqual(queue.popFirst()?.kind, .info)
        XCTAssertTrue(queue.contains(.info, for: first), "one INFO is still out")
        XCTAssertEqual(queue.popFirst()?.instance, first)
        XCTAssertFalse(queue.contains(.info, for: first))
        XCTAssertEqual(queue.count, 1)
        queue.removeAll()
        XCTAssertFalse(queue.contains(.ping, for: second))
        XCTAssertNil(queue.popFirst())
    }
}
