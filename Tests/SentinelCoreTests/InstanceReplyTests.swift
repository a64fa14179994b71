import RESP
import XCTest
@testable import SentinelCore

/// How `SENTINEL MASTER`, `REPLICAS` and `SENTINELS` show an instance
/// (`Commands/InstanceReply.swift`, SENTINEL-PROTOCOL.md §10.3): the fields in Redis's order,
/// all bulk strings, a map in RESP3.
final class InstanceReplyTests: ClientCommandTestCase {
    static let healthyMasterFields = [
        "name", "ip", "port", "runid", "flags", "link-pending-commands", "link-refcount",
        "last-ping-sent", "last-ok-ping-reply", "last-ping-reply", "down-after-milliseconds",
        "info-refresh", "role-reported", "role-reported-time", "config-epoch", "num-slaves",
        "num-other-sentinels", "quorum", "failover-timeout", "parallel-syncs",
    ]

    func testSentinelMasterFieldsInOrderAllBulk() throws {
        let h = try makeHarness("sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))")
        let c = h.connectClient()
        let reply = h.send(c, "SENTINEL", "MASTER", "mymaster")
        guard case .array(let items) = reply else { return XCTFail("not an array: \(reply)") }
        XCTAssertEqual(items.count, 40)
        for item in items {
            guard case .bulkString = item else { return XCTFail("not a bulk string: \(item)") }
        }
        let keys = stride(from: 0, to: items.count, by: 2).map { items[$0].text ?? "" }
        XCTAssertEqual(keys, InstanceReplyTests.healthyMasterFields)
        // The official tests read index 33 as num-other-sentinels.
        XCTAssertEqual(items[32].text, "num-other-sentinels")
        XCTAssertEqual(items[33], .bulk("1"))
        let fields = fieldDictionary(reply)
        XCTAssertEqual(fields["name"], "mymaster")
        XCTAssertEqual(fields["ip"], "127.0.0.1")
        XCTAssertEqual(fields["port"], "6379")
        XCTAssertEqual(fields["runid"], "")
        XCTAssertEqual(fields["flags"], "master,disconnected")
        XCTAssertEqual(fields["down-after-milliseconds"], "5000")
        XCTAssertEqual(fields["quorum"], "2")
        XCTAssertEqual(fields["failover-timeout"], "60000")
        XCTAssertEqual(fields["parallel-syncs"], "1")
        XCTAssertEqual(fields["role-reported"], "master")
    }

    func testSentinelMasterScriptsComeLast() throws {
        let h = try makeHarness("sentinel notification-script mymaster /bin/n.sh\nsentinel client-reconfig-script mymaster /bin/r.sh")
        let c = h.connectClient()
        let items = h.send(c, "SENTINEL", "MASTER", "mymaster").elements ?? []
        let keys = stride(from: 0, to: items.count, by: 2).map { items[$0].text ?? "" }
        XCTAssertEqual(keys, InstanceReplyTests.healthyMasterFields + ["notification-script", "client-reconfig-script"])
        XCTAssertEqual(items.last, .bulk("/bin/r.sh"))
    }

    func testSentinelMasterIsAMapInRESP3() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        let hello = h.send(c, "HELLO", "3")
        guard case .map(let helloEntries) = hello else { return XCTFail("HELLO 3: \(hello)") }
        XCTAssertEqual(helloEntries.map { $0.key.text ?? "" }, ["server", "version", "proto", "id", "mode", "modules"])
        XCTAssertEqual(helloEntries[2].value, .integer(3))
        XCTAssertEqual(helloEntries[3].value, .integer(Int64(c.rawValue)))
        XCTAssertEqual(helloEntries[4].value, .bulk("sentinel"))
        let reply = h.send(c, "SENTINEL", "MASTER", "mymaster")
        guard case .map(let entries) = reply else { return XCTFail("not a map: \(reply)") }
        XCTAssertEqual(entries.count, 20)
        XCTAssertEqual(entries.map { $0.key.text ?? "" }, InstanceReplyTests.healthyMasterFields)
        for entry in entries {
            guard case .bulkString = entry.value else { return XCTFail("value not bulk: \(entry)") }
        }
        XCTAssertEqual(h.send(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nope"), .null)
    }

    func testReplicasAndSentinelsFields() throws {
        let h = try makeHarness("sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))\nsentinel known-replica mymaster 127.0.0.1 6380")
        let c = h.connectClient()
        let replicas = h.send(c, "SENTINEL", "REPLICAS", "mymaster").elements ?? []
        XCTAssertEqual(replicas.count, 1)
        let replicaKeys = (replicas.first?.elements ?? []).enumerated().filter { $0.offset % 2 == 0 }.map { $0.element.text ?? "" }
        XCTAssertEqual(replicaKeys, [
            "name", "ip", "port", "runid", "flags", "link-pending-commands", "link-refcount",
            "last-ping-sent", "last-ok-ping-reply", "last-ping-reply", "down-after-milliseconds",
            "info-refresh", "role-reported", "role-reported-time", "master-link-down-time",
            "master-link-status", "master-host", "master-port", "slave-priority", "slave-repl-offset",
            "replica-announced",
        ])
        XCTAssertEqual(fieldDictionary(replicas[0])["name"], "127.0.0.1:6380")
        XCTAssertEqual(fieldDictionary(replicas[0])["flags"], "slave,disconnected")
        XCTAssertEqual(fieldDictionary(replicas[0])["master-host"], "?")
        XCTAssertEqual(h.send(c, "SENTINEL", "SLAVES", "mymaster"), .array(replicas))
        let sentinels = h.send(c, "SENTINEL", "SENTINELS", "mymaster").elements ?? []
        XCTAssertEqual(sentinels.count, 1)
        let sentinelKeys = (sentinels.first?.elements ?? []).enumerated().filter { $0.offset % 2 == 0 }.map { $0.element.text ?? "" }
        XCTAssertEqual(sentinelKeys, [
            "name", "ip", "port", "runid", "flags", "link-pending-commands", "link-refcount",
            "last-ping-sent", "last-ok-ping-reply", "last-ping-reply", "down-after-milliseconds",
            "last-hello-message", "voted-leader", "voted-leader-epoch",
        ])
        XCTAssertEqual(fieldDictionary(sentinels[0])["voted-leader"], "?")
        XCTAssertEqual(fieldDictionary(sentinels[0])["name"], runID("b"))
    }
}
