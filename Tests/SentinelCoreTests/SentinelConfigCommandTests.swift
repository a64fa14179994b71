import RESP
import XCTest
@testable import SentinelCore

/// `SENTINEL CONFIG SET|GET` with several options in one call and `loglevel` (Redis 7.2,
/// answered in both compatibility modes).
final class SentinelConfigCommandTests: XCTestCase {
    static let config = """
    port 26379
    sentinel myid 0123456789abcdef0123456789abcdef01234567
    sentinel monitor mymaster 127.0.0.1 6379 2

    """

    func makeHarness() throws -> SentinelHarness { try SentinelHarness(config: SentinelConfigCommandTests.config) }

    /// The `SENTINEL CONFIG GET` reply as alternating names and values.
    func get(_ h: SentinelHarness, _ client: ClientID, _ patterns: String...) -> [String] {
        (h.sendAll(client, ["SENTINEL", "CONFIG", "GET"] + patterns).first?.elements ?? []).compactMap(\.text)
    }

    func testSetsSeveralOptionsAtOnceAndPersistsThem() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "resolve-hostnames", "yes", "announce-port", "1234", "loglevel", "verbose"), .ok)
        XCTAssertEqual(get(h, c, "resolve-hostnames", "announce-port", "loglevel"),
                       ["resolve-hostnames", "yes", "announce-port", "1234", "loglevel", "verbose"])
        let written = h.persistedConfigurations.last ?? ""
        for line in ["sentinel resolve-hostnames yes", "sentinel announce-port 1234", "loglevel verbose"] {
            XCTAssertTrue(written.contains(line + "\n"), line)
        }
        XCTAssertEqual(h.persistedConfigurations.count, 1)
    }

    func testGetListsEachMatchingOptionOnceInPatternOrder() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(get(h, c, "resolve-hostnames", "resolve-hostnames", "does-not-exist"), ["resolve-hostnames", "no"])
        XCTAssertEqual(get(h, c, "log*", "*level", "loglevel"), ["loglevel", "notice"])
        XCTAssertEqual(get(h, c, "announce*"), ["announce-hostnames", "no", "announce-ip", "", "announce-port", "0"])
        XCTAssertEqual(get(h, c, "announce-port", "*hostnames"),
                       ["announce-port", "0", "resolve-hostnames", "no", "announce-hostnames", "no"])
        XCTAssertEqual(get(h, c, "LOGLEVEL"), ["loglevel", "notice"])
        XCTAssertEqual(get(h, c, "nothing-matches"), [])
    }

    func testSetChecksEveryPairBeforeChangingAnything() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "announce-port", "111"), .ok)
        h.clearRecords()
        let refused: [([String], String)] = [
            (["announce-port", "1234", "does-not-exist", "yes"], "ERR Invalid argument 'does-not-exist' to SENTINEL CONFIG SET"),
            (["announce-port", "1234", "announce-port", "100"], "ERR Duplicate argument 'announce-port' to SENTINEL CONFIG SET"),
            (["announce-port", "1234", "ANNOUNCE-PORT", "100"], "ERR Duplicate argument 'ANNOUNCE-PORT' to SENTINEL CONFIG SET"),
            (["announce-port", "1234", "announce-ip"], "ERR Missing argument 'announce-ip' value"),
            (["resolve-hostnames", "yes", "announce-port", "-1234"], "ERR Invalid value '-1234' to SENTINEL CONFIG SET 'announce-port'"),
            (["announce-port", "65536"], "ERR Invalid value '65536' to SENTINEL CONFIG SET 'announce-port'"),
            (["announce-port", "+12"], "ERR Invalid value '+12' to SENTINEL CONFIG SET 'announce-port'"),
            (["announce-port", "1234", "Resolve-Hostnames", "maybe"], "ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'Resolve-Hostnames'"),
            (["loglevel", "loud"], "ERR Invalid value 'loud' to SENTINEL CONFIG SET 'loglevel'"),
            (["loglevel", "a\r\n+OK"], "ERR Invalid value 'a  +OK' to SENTINEL CONFIG SET 'loglevel'"),
            (["bad\nname", "1"], "ERR Invalid argument 'bad name' to SENTINEL CONFIG SET"),
            // The first bad pair decides, even when a later one is bad in another way.
            (["bogus", "1", "announce-port", "x"], "ERR Invalid argument 'bogus' to SENTINEL CONFIG SET"),
        ]
        for (pairs, message) in refused {
            XCTAssertEqual(h.sendAll(c, ["SENTINEL", "CONFIG", "SET"] + pairs), [.errorText(message)], "\(pairs)")
        }
        XCTAssertEqual(get(h, c, "announce-port", "resolve-hostnames", "loglevel"),
                       ["announce-port", "111", "resolve-hostnames", "no", "loglevel", "notice"])
        XCTAssertEqual(h.persistedConfigurations, [])
        XCTAssertFalse(h.effects.contains { if case .setLogLevel = $0 { return true } else { return false } })
    }

    /// With `resolve-hostnames no` a `monitor` line naming a host does not load, so turning it
    /// off is refused while any instance is known by a host name: the rewritten file must load.
    func testResolveHostnamesStaysOnWhileAnInstanceIsKnownByHostName() throws {
        let h = try SentinelHarness(config: """
        port 26379
        sentinel myid 0123456789abcdef0123456789abcdef01234567
        sentinel resolve-hostnames yes
        sentinel monitor alpha 10.0.0.1 6379 2
        sentinel monitor gamma db.example 6379 2

        """)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "announce-port", "1234", "resolve-hostnames", "NO"),
                       .errorText("ERR Can't set resolve-hostnames to no while an instance is known by the host name 'db.example'"))
        XCTAssertEqual(get(h, c, "resolve-hostnames", "announce-port"), ["resolve-hostnames", "yes", "announce-port", "0"])
        XCTAssertEqual(h.persistedConfigurations, [])
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "resolve-hostnames", "yes"), .ok)

        XCTAssertEqual(h.send(c, "SENTINEL", "REMOVE", "gamma"), .ok)
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "resolve-hostnames", "no"), .ok)
        let written = try XCTUnwrap(h.persistedConfigurations.last)
        XCTAssertFalse(written.contains("resolve-hostnames yes"), written)
        let reloaded = try SentinelHarness(config: written)
        XCTAssertEqual(get(reloaded, reloaded.connectClient(), "resolve-hostnames"), ["resolve-hostnames", "no"])
    }

    func testOptionNamesAndYesNoValuesTakeAnyCase() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "ANNOUNCE-HOSTNAMES", "YES", "LogLevel", "WARNING"), .ok)
        XCTAssertEqual(get(h, c, "announce-hostnames", "loglevel"), ["announce-hostnames", "yes", "loglevel", "warning"])
    }

    func testLogLevelChangesWhatIsLoggedAndIsWrittenToTheFile() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        for level in ["debug", "verbose", "notice", "warning", "nothing"] {
            h.clearRecords()
            XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "loglevel", level), .ok)
            XCTAssertEqual(get(h, c, "loglevel"), ["loglevel", level])
            XCTAssertTrue(h.effects.contains { if case .setLogLevel(let set) = $0 { return set.name == level } else { return false } }, level)
            // Once written (debug is not the default), the line stays and follows the level.
            XCTAssertTrue((h.persistedConfigurations.last ?? "").contains("\nloglevel \(level)\n"), level)
        }
        // At `nothing` no line is logged at all; at `debug` the debug events are logged.
        h.clearRecords()
        h.run(for: 2_000)
        XCTAssertEqual(h.logLines, [])
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "loglevel", "debug"), .ok)
        h.run(for: 2_000)
        XCTAssertTrue(h.logLines.contains { $0.hasPrefix("-cmd-link-reconnection master mymaster 127.0.0.1 6379") }, "\(h.logLines)")
    }

    func testLogLevelNothingIsReadFromTheFile() throws {
        let configuration = try ConfigurationParser.parse(text: "loglevel nothing\n", fileName: "s.conf") { _ in "" }
        XCTAssertEqual(configuration.logLevel, .nothing)
    }

    func testNewSentinelCredentialsDropThePeerLinks() throws {
        let h = try SentinelHarness(config: SentinelConfigCommandTests.config
                                    + "sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))\n")
        h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        let peer = h.addServer(FakeRedis.sentinel(port: 26380, runID: runID("b")))
        h.run(for: 1_500)
        XCTAssertFalse(peer.openConnections.isEmpty)
        let c = h.connectClient()
        h.clearRecords()
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "announce-port", "1", "sentinel-pass", "secret"), .ok)
        XCTAssertTrue(h.effects.contains { if case .closeConnection = $0 { return true } else { return false } })
        XCTAssertEqual(get(h, c, "sentinel-pass"), ["sentinel-pass", "secret"])
    }

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
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "resolve-hostnames", "maybe"), .errorText("ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'resolve-hostnames'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "announce-port", "70000"), .errorText("ERR Invalid value '70000' to SENTINEL CONFIG SET 'announce-port'"))
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "SET", "bogus", "1"), .errorText("ERR Invalid argument 'bogus' to SENTINEL CONFIG SET"))
        XCTAssertEqual(h.send(c, "SENTINEL", "CONFIG", "REWRITE"), .errorText("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported."))
    }
}
