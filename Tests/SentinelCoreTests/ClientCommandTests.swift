import RESP
import XCTest
@testable import SentinelCore

/// Client commands on the sentinel port (SENTINEL-PROTOCOL.md §10), driven through the core.
final class ClientCommandTests: XCTestCase {
    static let myID = "0123456789abcdef0123456789abcdef01234567"
    static let config = """
    port 26379
    sentinel myid \(myID)
    sentinel monitor mymaster 127.0.0.1 6379 2
    sentinel down-after-milliseconds mymaster 5000
    sentinel failover-timeout mymaster 60000
    """

    func makeHarness(_ extra: String = "") throws -> SentinelHarness {
        try SentinelHarness(config: ClientCommandTests.config + "\n" + extra)
    }

    func error(_ text: String) -> RESPValue { .errorText(text) }

    // MARK: Basics

    func testPingAndPingMessage() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "PING"), .status("PONG"))
        XCTAssertEqual(h.send(c, "ping", "hello"), .bulk("hello"))
        XCTAssertEqual(h.send(c, "PING", "a", "b"), error("ERR wrong number of arguments for 'ping' command"))
    }

    func testPingWhileSubscribedInRESP2() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        h.send(c, "SUBSCRIBE", "+sdown")
        XCTAssertEqual(h.send(c, "PING"), .array([.bulk("pong"), .bulk("")]))
        XCTAssertEqual(h.send(c, "ROLE"), error("ERR Can't execute 'role': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"))
    }

    func testRole() throws {
        let h = try makeHarness("sentinel monitor other 127.0.0.1 7000 1")
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "ROLE"), .array([.bulk("sentinel"), .array([.bulk("mymaster"), .bulk("other")])]))
    }

    func testInfoSentinelSection() throws {
        let h = try makeHarness("sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))\nsentinel known-replica mymaster 127.0.0.1 6380")
        let c = h.connectClient()
        guard let text = h.send(c, "INFO", "sentinel").text else { return XCTFail("INFO is not a bulk string") }
        XCTAssertEqual(text, """
        # Sentinel\r
        sentinel_masters:1\r
        sentinel_tilt:0\r
        sentinel_tilt_since_seconds:-1\r
        sentinel_total_tilt:0\r
        sentinel_running_scripts:0\r
        sentinel_scripts_queue_length:0\r
        sentinel_simulate_failure_flags:0\r
        master0:name=mymaster,status=ok,address=127.0.0.1:6379,slaves=1,sentinels=2\r

        """)
    }

    func testInfoIsABulkStringEvenInRESP3AndHasAllSections() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        h.send(c, "HELLO", "3")
        let reply = h.send(c, "INFO")
        guard case .bulkString(let bytes) = reply else { return XCTFail("not bulk: \(reply)") }
        let text = String(decoding: bytes, as: UTF8.self)
        for header in ["# Server", "# Clients", "# Stats", "# CPU", "# Sentinel"] {
            XCTAssertTrue(text.contains(header + "\r\n"), header)
        }
        XCTAssertTrue(text.contains("redis_mode:sentinel\r\n"))
    }

    // MARK: SENTINEL MASTER and friends

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
        XCTAssertEqual(keys, ClientCommandTests.healthyMasterFields)
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
        XCTAssertEqual(keys, ClientCommandTests.healthyMasterFields + ["notification-script", "client-reconfig-script"])
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
        XCTAssertEqual(entries.map { $0.key.text ?? "" }, ClientCommandTests.healthyMasterFields)
        for entry in entries {
            guard case .bulkString = entry.value else { return XCTFail("value not bulk: \(entry)") }
        }
        XCTAssertEqual(h.send(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nope"), .null)
    }

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

    // MARK: Errors

    func testUnknownCommandText() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "foo", "a"), error("ERR unknown command 'foo', with args beginning with: 'a' "))
        XCTAssertEqual(h.send(c, "GET", "k", "v"), error("ERR unknown command 'GET', with args beginning with: 'k' 'v' "))
        XCTAssertEqual(h.send(c, "QUIT"), error("ERR unknown command 'QUIT', with args beginning with: "))
        XCTAssertEqual(h.send(c, "CONFIG", "GET", "x"), error("ERR unknown command 'CONFIG', with args beginning with: 'GET' 'x' "))
    }

    func testWrongArity() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "MASTER"), error("ERR wrong number of arguments for 'sentinel|master' command"))
        XCTAssertEqual(h.send(c, "SENTINEL", "get-master-addr-by-name", "a", "b"), error("ERR wrong number of arguments for 'sentinel|get-master-addr-by-name' command"))
        XCTAssertEqual(h.send(c, "SENTINEL"), error("ERR wrong number of arguments for 'sentinel' command"))
        XCTAssertEqual(h.send(c, "ROLE", "x"), error("ERR wrong number of arguments for 'role' command"))
    }

    func testUnknownSubcommand() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "x"), error("ERR unknown subcommand 'x'. Try SENTINEL HELP."))
        XCTAssertEqual(h.send(c, "sentinel", "Bogus", "1"), error("ERR unknown subcommand 'Bogus'. Try SENTINEL HELP."))
    }

    // MARK: SET, MONITOR, REMOVE

    func testSetAppliesPairsAndEmitsSetEvents() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "3", "down-after-milliseconds", "3000"), .ok)
        XCTAssertEqual(h.events("+set"), [
            "master mymaster 127.0.0.1 6379 quorum 3",
            "master mymaster 127.0.0.1 6379 down-after-milliseconds 3000",
        ])
        XCTAssertEqual(h.masterFields("mymaster")["quorum"], "3")
        XCTAssertEqual(h.masterFields("mymaster")["down-after-milliseconds"], "3000")
        XCTAssertTrue(h.persistedConfigurations.last?.contains("sentinel down-after-milliseconds mymaster 3000") ?? false)
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "auth-pass", "secret"), .ok)
        XCTAssertEqual(h.events("+set").last, "master mymaster 127.0.0.1 6379 auth-pass ******")
    }

    func testSetValidationErrors() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "0"), error("ERR Invalid argument '0' for SENTINEL SET 'quorum'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "abc"), error("ERR Invalid argument 'abc' for SENTINEL SET 'down-after-milliseconds'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "bogus", "1"), error("ERR Unknown option or number of arguments for SENTINEL SET 'bogus'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "2", "parallel-syncs"), error("ERR Unknown option or number of arguments for SENTINEL SET 'parallel-syncs'"))
        // Unlike Redis, a command with a bad pair changes nothing: the pairs before it are
        // not applied, announced or persisted either.
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "4", "failover-timeout", "-1"), error("ERR Invalid argument '-1' for SENTINEL SET 'failover-timeout'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "quorum", "4", "auth-pass", "x", "bogus", "1"), error("ERR Unknown option or number of arguments for SENTINEL SET 'bogus'"))
        XCTAssertEqual(h.masterFields("mymaster")["quorum"], "2")
        XCTAssertEqual(h.events("+set"), [])
        XCTAssertTrue(h.persistedConfigurations.isEmpty)
        XCTAssertFalse(h.effects.contains { if case .closeConnection = $0 { true } else { false } }, "auth-pass of a refused command dropped the links")
    }

    func testSetScriptsDeniedByDefault() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "notification-script", "/bin/x"),
                       error("ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration"))
    }

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

    func testFailedConfigurationWriteIsReported() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        h.persistError = "Permission denied"
        XCTAssertEqual(h.send(c, "SENTINEL", "FLUSHCONFIG"), error("ERR Failed to save config file. Check server logs."))
        XCTAssertTrue(h.logLines.contains("WARNING: Sentinel was not able to save the new configuration on disk!!!: Permission denied"))
        h.persistError = nil
        XCTAssertEqual(h.send(c, "SENTINEL", "FLUSHCONFIG"), .ok)
    }

    // MARK: CONFIG, DEBUG, CKQUORUM, MYID

    func testConfigGetAndSet() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "GET", "*"), .array([
            .bulk("resolve-hostnames"), .bulk("no"), .bulk("announce-hostnames"), .bulk("no"),
            .bulk("announce-ip"), .bulk(""), .bulk("announce-port"), .bulk("0"),
            .bulk("sentinel-user"), .bulk(""), .bulk("sentinel-pass"), .bulk(""), .bulk("loglevel"), .bulk("notice"),
        ]))
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "announce-port", "26999"), .ok)
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "GET", "announce-port"), .array([.bulk("announce-port"), .bulk("26999")]))
        XCTAssertTrue(h.persistedConfigurations.last?.contains("sentinel announce-port 26999") ?? false)
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "resolve-hostnames", "maybe"), error("ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'resolve-hostnames'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "announce-port", "70000"), error("ERR Invalid value '70000' to SENTINEL CONFIG SET 'announce-port'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "bogus", "1"), error("ERR Invalid argument 'bogus' to SENTINEL CONFIG SET"))
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "REWRITE"), error("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported."))
    }

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
        XCTAssertEqual(h2.send(c2, "SENTINEL", "MYID"), .bulk(ClientCommandTests.myID))
    }

    func testCkquorumCountsSubjectivelyDownPeersOut() throws {
        let h = try makeHarness("sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))\nsentinel known-sentinel mymaster 127.0.0.1 26381 \(runID("c"))")
        // Nothing answers: after down-after, both peers are SDOWN.
        h.run(for: 6000)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "CKQUORUM", "mymaster"),
                       error("NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master. Not enough available Sentinels to reach the majority and authorize a failover"))
    }

    // MARK: Pub/sub

    func testSubscribeAndEventDelivery() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.sendAll(c, ["SUBSCRIBE", "+sdown", "+odown"]), [
            .array([.bulk("subscribe"), .bulk("+sdown"), .integer(1)]),
            .array([.bulk("subscribe"), .bulk("+odown"), .integer(2)]),
        ])
        let p = h.connectClient()
        XCTAssertEqual(h.send(p, "PSUBSCRIBE", "+s*"), .array([.bulk("psubscribe"), .bulk("+s*"), .integer(1)]))
        let before = h.effects.count
        h.run(for: 6000) // nothing answers: the master goes SDOWN
        let delivered = h.effects[before...].compactMap { effect -> (ClientID, String)? in
            guard case .sendToClient(let client, let bytes) = effect, client == c || client == p else { return nil }
            return (client, String(decoding: bytes, as: UTF8.self))
        }
        XCTAssertTrue(delivered.contains { $0.0 == c && $0.1 == "*3\r\n$7\r\nmessage\r\n$6\r\n+sdown\r\n$30\r\nmaster mymaster 127.0.0.1 6379\r\n" }, "\(delivered)")
        XCTAssertTrue(delivered.contains { $0.0 == p && $0.1 == "*4\r\n$8\r\npmessage\r\n$3\r\n+s*\r\n$6\r\n+sdown\r\n$30\r\nmaster mymaster 127.0.0.1 6379\r\n" }, "\(delivered)")
        XCTAssertEqual(h.send(c, "UNSUBSCRIBE", "+sdown"), .array([.bulk("unsubscribe"), .bulk("+sdown"), .integer(1)]))
    }

    func testEventsArePushesInRESP3() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        h.send(c, "HELLO", "3")
        XCTAssertEqual(h.send(c, "SUBSCRIBE", "+monitor"), .push([.bulk("subscribe"), .bulk("+monitor"), .integer(1)]))
        // Commands stay allowed while subscribed in RESP3.
        XCTAssertEqual(h.send(c, "PING"), .status("PONG"))
        let replies = h.sendAll(c, ["SENTINEL", "MONITOR", "m2", "127.0.0.2", "7000", "1"])
        // Known deviation (left alone): Redis replies +OK before publishing +monitor (§10.2);
        // the core holds +OK until the configuration write is reported, so the push comes first.
        XCTAssertEqual(Set(replies), [.ok, .push([.bulk("message"), .bulk("+monitor"), .bulk("master m2 127.0.0.2 7000 quorum 1")])])
        XCTAssertEqual(replies.count, 2)
    }

    func testPublishAcceptsOnlyHellos() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "PUBLISH", "__sentinel__:hello", "garbage"), .integer(1))
        XCTAssertEqual(h.send(c, "PUBLISH", "other", "x"), error("ERR Only HELLO messages are accepted by Sentinel instances."))
    }

    // MARK: AUTH and CLIENT

    func testRequirepassNoauthAndAuth() throws {
        let h = try makeHarness("requirepass s3cret")
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "PING"), error("NOAUTH Authentication required."))
        XCTAssertEqual(h.send(c, "SENTINEL", "MASTERS"), error("NOAUTH Authentication required."))
        XCTAssertEqual(h.send(c, "AUTH", "wrong"), error("WRONGPASS invalid username-password pair or user is disabled."))
        XCTAssertEqual(h.send(c, "AUTH", "s3cret"), .ok)
        XCTAssertEqual(h.send(c, "PING"), .status("PONG"))
        let other = h.connectClient()
        XCTAssertEqual(h.send(other, "AUTH", "default", "s3cret"), .ok)
    }

    func testConnectionsKeepTheDefaultUsersAuthentication() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "ACL", "SETUSER", "testuser", ">secret", "+@all", "on"), .ok)
        XCTAssertEqual(h.send(c, "ACL", "SETUSER", "default", "off"), .ok)
        // Authenticated as default when it connected: still allowed, as in Redis.
        XCTAssertEqual(h.send(c, "ACL", "WHOAMI"), .bulk("default"))
        // A new connection must authenticate.
        let other = h.connectClient()
        XCTAssertEqual(h.send(other, "PING"), error("NOAUTH Authentication required."))
        XCTAssertEqual(h.send(other, "AUTH", "testuser", "secret"), .ok)
        // Deleting the user answers first, then closes its connections (the caller's too).
        let produced = h.feed(.clientCommand(other, [Array("ACL".utf8), Array("DELUSER".utf8), Array("testuser".utf8)]))
        let replyIndex = produced.firstIndex { if case .sendToClient(let id, let bytes) = $0 { return id == other && bytes == Array(":1\r\n".utf8) } else { return false } }
        let closeIndex = produced.firstIndex { if case .closeClient(let id) = $0 { return id == other } else { return false } }
        XCTAssertNotNil(replyIndex)
        XCTAssertNotNil(closeIndex)
        XCTAssertLessThan(replyIndex ?? 0, closeIndex ?? 0)
    }

    func testAclCommandRights() throws {
        let h = try makeHarness()
        let admin = h.connectClient()
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "app", "on", ">pw", "+sentinel|get-master-addr-by-name", "+ping", "+auth"), .ok)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "AUTH", "app", "pw"), .ok)
        XCTAssertEqual(h.send(c, "PING"), .status("PONG"))
        XCTAssertEqual(h.send(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster").elements?.count, 2)
        XCTAssertEqual(h.send(c, "SENTINEL", "MASTERS"), error("NOPERM this user has no permissions to run the 'sentinel|masters' command"))
        XCTAssertEqual(h.send(c, "INFO"), error("NOPERM this user has no permissions to run the 'info' command"))
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "app", "+@all", "-info"), .ok)
        XCTAssertNotNil(h.send(c, "SENTINEL", "MASTERS").elements)
        XCTAssertEqual(h.send(c, "INFO"), error("NOPERM this user has no permissions to run the 'info' command"))
    }

    func testProtectedModeRefusesRemoteClientsWithoutPassword() throws {
        let h = try makeHarness("protected-mode yes")
        let produced = h.feed(.clientConnected(ClientID(77), remoteAddress: "10.1.2.3:4000", localAddress: "10.1.2.4:26379"))
        XCTAssertTrue(produced.contains { if case .sendToClient(let id, let bytes) = $0 { return id == ClientID(77) && String(decoding: bytes, as: UTF8.self).hasPrefix("-DENIED Redis is running in protected mode") } else { return false } })
        XCTAssertTrue(produced.contains { if case .closeClient(let id) = $0 { return id == ClientID(77) } else { return false } })
        let local = h.feed(.clientConnected(ClientID(78), remoteAddress: "127.0.0.1:4000", localAddress: "127.0.0.1:26379"))
        XCTAssertFalse(local.contains { if case .closeClient = $0 { return true } else { return false } })
    }

    func testAuthWithoutPasswordConfigured() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "AUTH", "x"), error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"))
    }

    func testClientSetnameGetnameIdKill() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        let victim = h.connectClient()
        XCTAssertEqual(h.send(c, "CLIENT", "GETNAME"), .nullBulkString)
        XCTAssertEqual(h.send(c, "CLIENT", "SETNAME", "app-1"), .ok)
        XCTAssertEqual(h.send(c, "CLIENT", "GETNAME"), .bulk("app-1"))
        XCTAssertEqual(h.send(c, "CLIENT", "SETNAME", "a b"), error("ERR Client names cannot contain spaces, newlines or special characters."))
        XCTAssertEqual(h.send(c, "CLIENT", "ID"), .integer(Int64(c.rawValue)))
        XCTAssertEqual(h.send(victim, "CLIENT", "ID"), .integer(Int64(victim.rawValue)))
        let produced = h.feed(.clientCommand(c, [Array("CLIENT".utf8), Array("KILL".utf8), Array("ID".utf8), Array(String(victim.rawValue).utf8)]))
        XCTAssertTrue(produced.contains { if case .closeClient(let id) = $0 { return id == victim } else { return false } })
        XCTAssertTrue(produced.contains { if case .sendToClient(let id, let bytes) = $0 { return id == c && bytes == Array(":1\r\n".utf8) } else { return false } })
        XCTAssertEqual(h.send(c, "CLIENT", "KILL", "10.0.0.99:1"), error("ERR No such client"))
        XCTAssertEqual(h.send(c, "CLIENT", "KILL", "ID", "0"), error("ERR client-id should be greater than 0"))
        // Old form by address.
        let target = h.connectClient()
        XCTAssertEqual(h.send(c, "CLIENT", "KILL", "10.0.0.\(target.rawValue):5000\(target.rawValue)"), .ok)
    }
}
