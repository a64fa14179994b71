import RESP
import XCTest
@testable import SentinelCore

/// Links to monitored instances (`Monitoring/LinkManagement.swift`, SENTINEL-PROTOCOL.md §1.3,
/// §3.1): connecting and greeting, credentials, renamed commands, reconnects, and which PING
/// replies count as alive.
final class LinkManagementTests: MonitoringTestCase {
    /// Commands `server` received, grouped by connection in connection order.
    func commandsByConnection(_ server: FakeRedis) -> [[[String]]] {
        var order: [ConnectionID] = []
        var grouped: [ConnectionID: [[String]]] = [:]
        for request in server.received {
            if grouped[request.connection] == nil { order.append(request.connection) }
            grouped[request.connection, default: []].append(request.arguments)
        }
        return order.map { grouped[$0]! }
    }

    func testFirstTickOpensCommandAndPubSubLinksWithGreeting() throws {
        let (h, master) = try makeHarness("sentinel auth-pass mymaster pw")
        h.advance(by: 100)
        let produced = h.tick()
        let connects = produced.compactMap { effect -> String? in
            if case .connect(_, let host, let port, _) = effect { return "\(host):\(port)" } else { return nil }
        }
        XCTAssertEqual(connects, ["127.0.0.1:6379", "127.0.0.1:6379"])
        let links = commandsByConnection(master)
        XCTAssertEqual(links.count, 2)
        XCTAssertEqual(Array(links[0].prefix(3)), [["AUTH", "pw"], ["CLIENT", "SETNAME", "sentinel-01234567-cmd"], ["PING"]])
        XCTAssertEqual(links[1], [["AUTH", "pw"], ["CLIENT", "SETNAME", "sentinel-01234567-pubsub"], ["SUBSCRIBE", "__sentinel__:hello"]])
        // The next tick finds the link connected: INFO and the first hello.
        h.advance(by: 100)
        h.tick()
        let commandLink = commandsByConnection(master)[0].map { $0[0] }
        XCTAssertTrue(commandLink.contains("INFO"))
        XCTAssertEqual(h.masterFields("mymaster")["flags"], "master")
        XCTAssertEqual(h.masterFields("mymaster")["runid"], runID("a"))
    }

    func testAuthUserIsSentWithThePassword() throws {
        let (h, master) = try makeHarness("sentinel auth-pass mymaster pw\nsentinel auth-user mymaster bob")
        h.run(for: 100)
        XCTAssertEqual(master.received.first?.arguments, ["AUTH", "bob", "pw"])
    }

    func testNoAuthWithoutAuthPass() throws {
        let (h, master) = try makeHarness()
        h.run(for: 100)
        XCTAssertFalse(master.received.contains { $0.arguments.first == "AUTH" })
    }

    func testRenamedCommandsAreMapped() throws {
        let (h, master) = try makeHarness("sentinel rename-command mymaster PING PONG2\nsentinel rename-command mymaster CONFIG CFG")
        h.run(for: 200)
        let names = master.received.map { $0.arguments[0] }
        XCTAssertTrue(names.contains("PONG2"))
        XCTAssertFalse(names.contains("PING"))
    }

    func testUnreachableMasterReconnectsAtMostOncePerPingPeriod() throws {
        let (h, master) = try makeHarness()
        master.acceptsConnections = false
        h.run(for: 3000)
        let connects = h.effects.filter { if case .connect = $0 { return true } else { return false } }.count
        // One attempt (cmd + pubsub) per second at most.
        XCTAssertLessThanOrEqual(connects, 2 * 3)
        XCTAssertGreaterThanOrEqual(connects, 2 * 2)
    }

    // MARK: PING replies

    func testLoadingAndMasterDownRepliesCountAsAlive() throws {
        for reply in ["LOADING Redis is loading the dataset in memory", "MASTERDOWN Link with MASTER is down"] {
            let (h, master) = try makeHarness()
            master.pingReply = .errorText(reply)
            h.run(for: 12_000)
            XCTAssertTrue(h.events("+sdown").isEmpty, reply)
        }
    }

    func testOtherErrorRepliesDoNotCountAsAlive() throws {
        let (h, master) = try makeHarness()
        master.pingReply = .errorText("ERR something")
        h.run(for: 7_000)
        XCTAssertEqual(h.events("+sdown"), [masterDetails])
        let fields = h.masterFields("mymaster")
        // Any reply refreshes last-ping-reply, only valid ones last-ok-ping-reply.
        XCTAssertLessThan(Int(fields["last-ping-reply"] ?? "") ?? .max, 1_000)
        XCTAssertGreaterThan(Int(fields["last-ok-ping-reply"] ?? "") ?? 0, 5_000)
    }

    func testBusyOnSubjectivelyDownInstanceSendsScriptKillOnce() throws {
        let (h, master) = try makeHarness()
        master.pingReply = .errorText("BUSY Redis is busy running a script")
        h.run(for: 9_000)
        XCTAssertEqual(h.events("+sdown"), [masterDetails])
        let kills = master.received.filter { $0.arguments == ["SCRIPT", "KILL"] }
        XCTAssertEqual(kills.count, 1)
        XCTAssertTrue(h.masterFields("mymaster")["flags"]?.hasSuffix("script_kill_sent") ?? false)
    }
}
