import RESP
import XCTest
@testable import SentinelCore

/// What `redis-compatibility 7.0|7.2` changes: the command table, the reported version, the
/// help and error texts that changed between the releases, and the `master_reboot` flag.
final class RedisCompatibilityTests: XCTestCase {
    static let config = """
    port 26379
    sentinel myid 0123456789abcdef0123456789abcdef01234567
    sentinel monitor mymaster 127.0.0.1 6379 2

    """

    func makeHarness(_ compatibility: String? = nil) throws -> SentinelHarness {
        try SentinelHarness(config: RedisCompatibilityTests.config + (compatibility.map { "redis-compatibility \($0)\n" } ?? ""))
    }

    func names(_ reply: RESPValue) -> [String] { (reply.elements ?? []).compactMap(\.text) }

    func testRedis70TableListsItsSeventyTwoNamesAndAnswersClientSetinfoUnlisted() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        let listed = names(h.send(c, "COMMAND", "LIST"))
        XCTAssertEqual(listed.count, 72)
        XCTAssertFalse(listed.contains("client|setinfo"))
        XCTAssertTrue(listed.contains("client|no-evict"))
        XCTAssertEqual(h.send(c, "COMMAND", "COUNT"), .integer(15))
        XCTAssertEqual(h.send(c, "COMMAND", "DOCS", "client|setinfo"), .array([]))
        XCTAssertEqual(h.send(c, "COMMAND", "INFO", "client|setinfo"), .array([.nullBulkString]))
        XCTAssertEqual(h.send(c, "CLIENT", "SETINFO", "lib-name", "redis-py"), .ok)
        XCTAssertFalse(listed.contains("sentinel|primary"))
        XCTAssertEqual(h.send(c, "COMMAND", "DOCS", "sentinel|primary"), .array([]))
    }

    func testRedis72TableListsClientSetinfoAndKnowsOnlySentinelCommands() throws {
        let h = try makeHarness("7.2")
        let c = h.connectClient()
        let listed = names(h.send(c, "COMMAND", "LIST"))
        XCTAssertEqual(listed.count, 73)
        XCTAssertEqual(h.send(c, "COMMAND", "COUNT"), .integer(15))
        for command in ["ping", "info", "subscribe", "client|setinfo"] {
            XCTAssertTrue(listed.contains(command), command)
            XCTAssertNotEqual(h.send(c, "COMMAND", "DOCS", command), .array([]), command)
        }
        for command in ["save", "bgrewriteaof", "blpop", "replicaof"] {
            XCTAssertFalse(listed.contains(command), command)
            XCTAssertEqual(h.send(c, "COMMAND", "DOCS", command), .array([]), command)
            XCTAssertEqual(h.send(c, command.uppercased()).text?.hasPrefix("ERR unknown command"), true, command)
        }
        XCTAssertEqual(h.send(c, "CLIENT", "NO-TOUCH", "on"), .errorText("ERR unknown subcommand 'NO-TOUCH'. Try CLIENT HELP."))
        XCTAssertFalse(listed.contains("sentinel|primary"))
        XCTAssertEqual(h.send(c, "SENTINEL", "PRIMARIES").elements?.count, 1)
    }

    func testDocsAndInfoAreTheRelease() throws {
        let old = try makeHarness()
        let new = try makeHarness("7.2")
        let c = old.connectClient(), d = new.connectClient()
        func docs(_ h: SentinelHarness, _ client: ClientID, _ name: String) -> [String: RESPValue] {
            let items = h.send(client, "COMMAND", "DOCS", name).elements ?? []
            let map = items.count == 2 ? (items[1].elements ?? []) : []
            var result: [String: RESPValue] = [:]
            for index in stride(from: 0, to: map.count - 1, by: 2) { result[map[index].text ?? ""] = map[index + 1] }
            return result
        }
        XCTAssertEqual(docs(old, c, "client|kill")["summary"]?.text, "Kill the connection of a client")
        XCTAssertEqual(docs(new, d, "client|kill")["summary"]?.text, "Terminates open connections.")
        // 7.2 names every plain argument's display text.
        let oldArgument = (docs(old, c, "ping")["arguments"]?.elements ?? []).first
        let newArgument = (docs(new, d, "ping")["arguments"]?.elements ?? []).first
        XCTAssertEqual(oldArgument.map { fieldDictionary($0) }, ["name": "message", "type": "string", "flags": ""])
        XCTAssertEqual(newArgument.map { fieldDictionary($0) }?["display_text"], "message")
        XCTAssertEqual(docs(new, d, "sentinel|slaves")["replaced_by"]?.text, "`SENTINEL REPLICAS`")
        // COMMAND INFO: arity, flags, categories, tips of the release (sets arrive as RESP2 arrays).
        XCTAssertEqual(old.send(c, "COMMAND", "INFO", "acl|deluser").elements?.first?.elements?[7], .array([]))
        XCTAssertEqual(new.send(d, "COMMAND", "INFO", "acl|deluser").elements?.first?.elements?[7],
                       .array([.bulk("request_policy:all_nodes"), .bulk("response_policy:all_succeeded")]))
        XCTAssertEqual(old.send(c, "COMMAND", "INFO", "sentinel|config").elements?.first?.elements?[1], .integer(-3))
        XCTAssertEqual(new.send(d, "COMMAND", "INFO", "sentinel|config").elements?.first?.elements?[1], .integer(-4))
        XCTAssertEqual(new.send(d, "COMMAND", "INFO", "auth").elements?.first?.elements?[2],
                       .array(["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"].map { .status($0) }))
        XCTAssertEqual(new.send(d, "COMMAND", "INFO", "auth").elements?.first?.elements?[6],
                       .array(["@fast", "@connection"].map { .status($0) }))
    }

    func testArityAndErrorTextsOfSentinelConfigFollowTheRelease() throws {
        let old = try makeHarness()
        let new = try makeHarness("7.2")
        let c = old.connectClient(), d = new.connectClient()
        XCTAssertEqual(old.send(c, "SENTINEL", "CONFIG", "GET"),
                       .errorText("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported."))
        XCTAssertEqual(new.send(d, "SENTINEL", "CONFIG", "GET"), .errorText("ERR wrong number of arguments for 'sentinel|config' command"))
        XCTAssertEqual(new.send(d, "SENTINEL", "CONFIG", "SET", "x"),
                       .errorText("ERR Only SENTINEL CONFIG GET <param> [<param> <param> ...]/ SET <param> <value> [<param> <value> ...] are supported."))
    }

    func testInfoAndHelloReportTheReleaseVersion() throws {
        for (compatibility, version) in [(nil, "7.0.15"), ("7.0", "7.0.15"), ("7.2", "7.2.4")] {
            let h = try makeHarness(compatibility)
            let c = h.connectClient()
            XCTAssertTrue(h.send(c, "INFO", "server").text?.contains("redis_version:\(version)\r\n") ?? false, version)
            XCTAssertEqual(fieldDictionary(h.send(c, "HELLO", "2"))["version"], version)
        }
    }

    func testHelpTextsAreTheRelease() throws {
        let old = try makeHarness()
        let new = try makeHarness("7.2")
        let c = old.connectClient(), d = new.connectClient()
        let oldHelp = names(old.send(c, "SENTINEL", "HELP"))
        let newHelp = names(new.send(d, "SENTINEL", "HELP"))
        XCTAssertEqual(oldHelp.count, 49)
        XCTAssertEqual(oldHelp[5], "CONFIG SET <param> <value>")
        XCTAssertEqual(oldHelp[7], "CONFIG GET <param>")
        XCTAssertEqual(oldHelp.last, "    Prints this help.")
        XCTAssertEqual(newHelp[5], "CONFIG SET param value [param value ...]")
        XCTAssertEqual(newHelp[7], "CONFIG GET <param> [param param param ...]")
        XCTAssertEqual(newHelp.last, "    Print this help.")
        XCTAssertEqual(Array(oldHelp[..<5]), Array(newHelp[..<5]))
        XCTAssertEqual(Array(oldHelp[9...].dropLast()), Array(newHelp[9...].dropLast()))
    }

    func testMasterRebootFlagIsShownByRedis72Only() throws {
        for (compatibility, shown) in [("7.0", false), ("7.2", true)] {
            let h = try makeHarness(compatibility)
            let master = h.addServer(FakeRedis(port: 6379, runID: runID("a")))
            h.run(for: 1_500)
            let c = h.connectClient()
            XCTAssertEqual(h.send(c, "SENTINEL", "SET", "mymaster", "master-reboot-down-after-period", "600000"), .ok)
            master.runID = runID("b")
            h.run(for: 10_100)
            XCTAssertEqual(h.events("+reboot"), ["master mymaster 127.0.0.1 6379"])
            // A PONG clears the flag; a reboot still answering LOADING keeps it.
            master.pingReply = .errorText("LOADING Redis is loading the dataset in memory")
            master.runID = runID("c")
            h.run(for: 10_100)
            XCTAssertEqual(h.masterFields("mymaster")["flags"], shown ? "master,master_reboot" : "master", compatibility)
        }
    }

    func testRedisCompatibilityIsReadAndRewritten() throws {
        let parse = { (text: String) throws -> SentinelConfiguration in
            try ConfigurationParser.parse(text: text, fileName: "s.conf") { _ in "" }
        }
        XCTAssertEqual(try parse("").redisCompatibility, .redis70)
        XCTAssertEqual(try parse("redis-compatibility 7.2").redisCompatibility, .redis72)
        XCTAssertThrowsError(try parse("redis-compatibility 7.4")) { error in
            XCTAssertTrue("\(error)".contains("argument(s) must be one of the following: 7.0, 7.2"), "\(error)")
        }
        var configuration = try parse("port 26379\n")
        XCTAssertFalse(ConfigurationRenderer.render(configuration, over: "port 26379\n").contains("redis-compatibility"))
        configuration.redisCompatibility = .redis72
        let text = ConfigurationRenderer.render(configuration, over: "port 26379\n")
        XCTAssertTrue(text.contains("\nredis-compatibility 7.2\n"), text)
        XCTAssertEqual(try parse(text).redisCompatibility, .redis72)
    }
}
