import RESP
import XCTest
@testable import SentinelCore

/// `SENTINEL` subcommands (`Commands/SentinelCommand.swift`, SENTINEL-PROTOCOL.md §10.2, §12.3):
/// GET-MASTER-ADDR-BY-NAME, MONITOR, REMOVE, DEBUG, CKQUORUM and MYID, and unknown masters.
final class SentinelCommandTests: ClientCommandTestCase {
    func testGetMasterAddrByName() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "get-master-addr-by-name", "mymaster"), .array([.bulk("127.0.0.1"), .bulk("6379")]))
        XCTAssertEqual(h.send(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "MyMaster"), .nullArray)
        XCTAssertEqual(h.send(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "unknown"), .nullArray)
    }

    func testNoSuchMaster() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        for sub in ["MASTER", "REPLICAS", "SLAVES", "SENTINELS", "CKQUORUM", "FAILOVER", "REMOVE", "INFO-CACHE"] {
            XCTAssertEqual(h.send(c, "SENTINEL", sub, "nope"), error("ERR No such master with that name"), sub)
        }
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "nope", "quorum", "1"), error("ERR No such master with that name"))
    }

    // MARK: MONITOR and REMOVE

    func testMonitorValidation() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "m2", "127.0.0.1", "x", "y"), error("ERR Invalid quorum"))
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "m2", "127.0.0.1", "x", "2"), error("ERR Invalid port"))
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "m2", "127.0.0.1", "7000", "0"), error("ERR Quorum must be 1 or greater."))
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "m2", "not-an-ip", "7000", "2"), error("ERR Invalid IP address or hostname specified"))
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "mymaster", "127.0.0.1", "7000", "2"), error("ERR Duplicate master name."))
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "m2", "127.0.0.1", "70000", "2"), error("ERR Invalid port number."))
        XCTAssertEqual(h.send(c, "SENTINEL", "MONITOR", "m2", "127.0.0.1", "0", "2"), error("ERR Invalid port number."))
    }

    func testMonitorPublishesMonitorEventToSubscribers() throws {
        let h = try makeHarness()
        let subscriber = h.connectClient()
        XCTAssertEqual(h.send(subscriber, "SUBSCRIBE", "+monitor"), .array([.bulk("subscribe"), .bulk("+monitor"), .integer(1)]))
        let c = h.connectClient()
        let replies = h.sendAll(c, ["SENTINEL", "MONITOR", "m2", "127.0.0.2", "7000", "1"])
        XCTAssertEqual(replies, [.ok])
        XCTAssertEqual(h.events("+monitor").last, "master m2 127.0.0.2 7000 quorum 1")
        // The subscriber received the event as a message push.
        let delivered = h.effects.contains { effect in
            guard case .sendToClient(let client, let bytes) = effect, client == subscriber else { return false }
            return String(decoding: bytes, as: UTF8.self) == "*3\r\n$7\r\nmessage\r\n$8\r\n+monitor\r\n$33\r\nmaster m2 127.0.0.2 7000 quorum 1\r\n"
        }
        XCTAssertTrue(delivered)
        XCTAssertEqual(h.send(c, "ROLE"), .array([.bulk("sentinel"), .array([.bulk("mymaster"), .bulk("m2")])]))
        XCTAssertTrue(h.persistedConfigurations.last?.contains("sentinel monitor m2 127.0.0.2 7000 1") ?? false)
    }

    func testRemove() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "REMOVE", "mymaster"), .ok)
        XCTAssertEqual(h.events("-monitor"), ["master mymaster 127.0.0.1 6379"])
        XCTAssertEqual(h.send(c, "SENTINEL", "MASTERS"), .array([]))
        XCTAssertFalse(h.persistedConfigurations.last?.contains("sentinel monitor") ?? true)
        XCTAssertEqual(h.send(c, "SENTINEL", "REMOVE", "mymaster"), error("ERR No such master with that name"))
    }

    // MARK: DEBUG, CKQUORUM, MYID

    func testDebugListsAndSetsTimings() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        let fields = h.send(c, "SENTINEL", "DEBUG").elements ?? []
        let names = stride(from: 0, to: fields.count, by: 2).map { fields[$0].text ?? "" }
        XCTAssertEqual(names, ["INFO-PERIOD", "PING-PERIOD", "ASK-PERIOD", "PUBLISH-PERIOD", "DEFAULT-DOWN-AFTER",
                               "DEFAULT-FAILOVER-TIMEOUT", "TILT-TRIGGER", "TILT-PERIOD", "SLAVE-RECONF-TIMEOUT",
                               "MIN-LINK-RECONNECT-PERIOD", "ELECTION-TIMEOUT", "SCRIPT-MAX-RUNTIME", "SCRIPT-RETRY-DELAY"])
        XCTAssertEqual(fieldDictionary(.array(fields))["INFO-PERIOD"], "10000")
        XCTAssertEqual(h.send(c, "SENTINEL", "DEBUG", "info-period", "500", "ping-period", "200"), .ok)
        XCTAssertEqual(h.sentinel.timings.infoPeriod, 500)
        XCTAssertEqual(h.sentinel.timings.pingPeriod, 200)
        XCTAssertEqual(h.send(c, "SENTINEL", "DEBUG", "info-period", "0"), error("ERR Invalid argument '0' for SENTINEL DEBUG 'info-period'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "DEBUG", "nope", "1"), error("ERR Unknown option or number of arguments for SENTINEL DEBUG 'nope'"))
        XCTAssertEqual(h.sentinel.timings.infoPeriod, 500)
    }

    func testCkquorum() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        // Alone with quorum 2: neither quorum nor majority... majority of 1 is 1, so only quorum fails.
        XCTAssertEqual(h.send(c, "SENTINEL", "CKQUORUM", "mymaster"),
                       error("NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master"))
        let h2 = try makeHarness("sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))\nsentinel known-sentinel mymaster 127.0.0.1 26381 \(runID("c"))")
        let c2 = h2.connectClient()
        XCTAssertEqual(h2.send(c2, "SENTINEL", "CKQUORUM", "mymaster"),
                       .status("OK 3 usable Sentinels. Quorum and failover authorization can be reached"))
        XCTAssertEqual(h2.send(c2, "SENTINEL", "MYID"), .bulk(ClientCommandTestCase.myID))
    }

    func testCkquorumCountsSubjectivelyDownPeersOut() throws {
        let h = try makeHarness("sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))\nsentinel known-sentinel mymaster 127.0.0.1 26381 \(runID("c"))")
        // Nothing answers: after down-after, both peers are SDOWN.
        h.run(for: 6000)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "CKQUORUM", "mymaster"),
                       error("NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master. Not enough available Sentinels to reach the majority and authorize a failover"))
    }
}
