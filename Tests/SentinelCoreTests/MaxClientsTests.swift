import RESP
import XCTest
@testable import SentinelCore

/// `maxclients`: the directive, the limit in effect under an open-files limit, the refusal and
/// its counters (Redis 7.0.15's texts, checked against redis-sentinel).
final class MaxClientsTests: XCTestCase {
    static let base = """
    port 26379
    sentinel myid 0123456789abcdef0123456789abcdef01234567

    """

    private func parse(_ text: String) throws -> SentinelConfiguration {
        try ConfigurationParser.parse(text: text, fileName: "sentinel.conf") { _ in "" }
    }

    private func parseError(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    private func makeSentinel(_ extra: String, openFilesLimit: Int?) throws -> Sentinel {
        let text = Self.base + extra
        return Sentinel(configuration: try parse(text), configurationText: text,
                        environment: SentinelEnvironment(listeningPort: 26379, openFilesLimit: openFilesLimit),
                        randomSeed: 1, now: Timestamp(monotonic: 1000, wallClock: 1_700_000_000_000))
    }

    private func connect(_ sentinel: inout Sentinel, _ id: UInt64) -> [SentinelEffect] {
        var effects = Turn()
        sentinel.handle(.clientConnected(ClientID(id), remoteAddress: "127.0.0.1:\(40000 + id)", localAddress: "127.0.0.1:26379"),
                        at: Timestamp(monotonic: 2000, wallClock: 1_700_000_001_000), into: &effects)
        return effects.effects
    }

    private func isRefusal(_ effects: [SentinelEffect], _ id: UInt64) -> Bool {
        guard effects.count == 2, case .sendToClient(let target, let bytes) = effects[0], case .closeClient(let closed) = effects[1] else {
            return false
        }
        return target == ClientID(id) && closed == ClientID(id) && bytes == Array("-ERR max number of clients reached\r\n".utf8)
    }

    private func infoField(_ sentinel: Sentinel, _ section: String, _ field: String) -> String? {
        sentinel.infoText(sections: [section], at: Timestamp(monotonic: 3000, wallClock: 1_700_000_002_000))
            .split(separator: "\r\n").first { $0.hasPrefix(field + ":") }.map { String($0.dropFirst(field.count + 1)) }
    }

    // MARK: The directive

    func testDirectiveValuesAndRedisErrors() throws {
        XCTAssertEqual(try parse(Self.base).maxClients, 10000)
        XCTAssertEqual(try parse(Self.base + "maxclients 1").maxClients, 1)
        XCTAssertEqual(try parse(Self.base + "MAXCLIENTS 4294967295").maxClients, 4_294_967_295)
        for bad in ["0", "-1", "4294967296", "-9223372036854775808"] {
            XCTAssertEqual(parseError(Self.base + "maxclients \(bad)")?.contains("argument must be between 1 and 4294967295 inclusive"), true, bad)
        }
        for bad in ["abc", "0100", "+5", "5 ", "99999999999999999999999"] {
            XCTAssertEqual(parseError(Self.base + "maxclients \"\(bad)\"")?.contains("argument couldn't be parsed into an integer"), true, bad)
        }
    }

    func testRewriteKeepsTheConfiguredValue() throws {
        let text = Self.base + "maxclients 100\n"
        let rendered = ConfigurationRenderer.render(try parse(text), over: text)
        XCTAssertTrue(rendered.hasPrefix(Self.base + "maxclients 100\n"), rendered)
        // At the default: kept in place when written, not added otherwise (Redis's rewrite).
        let atDefault = Self.base + "maxclients 10000\n"
        XCTAssertTrue(ConfigurationRenderer.render(try parse(atDefault), over: atDefault).contains("maxclients 10000\n"))
        XCTAssertFalse(ConfigurationRenderer.render(try parse(Self.base), over: Self.base).contains("maxclients"))
        // Set on the command line (appended to the file's text), it is added to the file.
        var configuration = try parse(Self.base + "maxclients 7\n")
        XCTAssertTrue(ConfigurationRenderer.render(configuration, over: Self.base).contains("\nmaxclients 7\n"))
        // A duplicate keeps the last value, written in place of the first.
        let twice = Self.base + "maxclients 5\nmaxclients 6\n"
        configuration = try parse(twice)
        XCTAssertEqual(configuration.maxClients, 6)
        let lines = ConfigurationRenderer.render(configuration, over: twice).split(separator: "\n").filter { $0.hasPrefix("maxclients") }
        XCTAssertEqual(lines, ["maxclients 6"])
    }

    // MARK: Admission

    func testClientsBeyondMaxclientsAreRefusedAndCounted() throws {
        var sentinel = try makeSentinel("maxclients 2\n", openFilesLimit: nil)
        XCTAssertFalse(isRefusal(connect(&sentinel, 1), 1))
        XCTAssertFalse(isRefusal(connect(&sentinel, 2), 2))
        XCTAssertTrue(isRefusal(connect(&sentinel, 3), 3))
        XCTAssertTrue(isRefusal(connect(&sentinel, 4), 4))
        XCTAssertEqual(infoField(sentinel, "clients", "connected_clients"), "2")
        XCTAssertEqual(infoField(sentinel, "clients", "maxclients"), "2")
        XCTAssertEqual(infoField(sentinel, "stats", "rejected_connections"), "2")
        XCTAssertEqual(infoField(sentinel, "stats", "total_connections_received"), "2")
        // The refused connections' departures change nothing; a real departure makes room.
        var effects = Turn()
        let time = Timestamp(monotonic: 2500, wallClock: 1_700_000_001_500)
        sentinel.handle(.clientDisconnected(ClientID(3)), at: time, into: &effects)
        XCTAssertTrue(isRefusal(connect(&sentinel, 5), 5))
        sentinel.handle(.clientDisconnected(ClientID(1)), at: time, into: &effects)
        XCTAssertFalse(isRefusal(connect(&sentinel, 6), 6))
        XCTAssertEqual(infoField(sentinel, "clients", "connected_clients"), "2")
    }

    func testConnectionsTurnedAwayByTheShellAreCounted() throws {
        var sentinel = try makeSentinel("", openFilesLimit: nil)
        var effects = Turn()
        sentinel.handle(.clientRefused, at: Timestamp(monotonic: 2000, wallClock: 1_700_000_001_000), into: &effects)
        sentinel.handle(.clientRefused, at: Timestamp(monotonic: 2000, wallClock: 1_700_000_001_000), into: &effects)
        XCTAssertTrue(effects.effects.isEmpty)
        XCTAssertEqual(infoField(sentinel, "stats", "rejected_connections"), "2")
    }

    // MARK: Open-files limit

    func testOpenFilesLimitLowersMaxclientsAsRedisDoes() throws {
        XCTAssertEqual(infoField(try makeSentinel("", openFilesLimit: 100), "clients", "maxclients"), "68")
        XCTAssertEqual(infoField(try makeSentinel("", openFilesLimit: 1_048_576), "clients", "maxclients"), "10000")
        XCTAssertEqual(infoField(try makeSentinel("maxclients 50\n", openFilesLimit: 100), "clients", "maxclients"), "50")
        XCTAssertEqual(infoField(try makeSentinel("", openFilesLimit: nil), "clients", "maxclients"), "10000")
        var sentinel = try makeSentinel("", openFilesLimit: 35)
        for id in 1...3 { XCTAssertFalse(isRefusal(connect(&sentinel, UInt64(id)), UInt64(id))) }
        XCTAssertTrue(isRefusal(connect(&sentinel, 4), 4))
    }

    /// Clients may not take the descriptors that the links to monitored instances hold: with
    /// two masters (a command and a pub/sub connection each) and room for 10 connections, 6
    /// clients fit, not 10.
    func testOutgoingLinksLeaveLessRoomForClients() throws {
        var sentinel = try makeSentinel("""
        sentinel monitor a 10.0.0.1 6379 1
        sentinel monitor b 10.0.0.2 6379 1

        """, openFilesLimit: 32 + 10)
        var effects = Turn()
        sentinel.start(into: &effects)
        sentinel.handle(.tick, at: Timestamp(monotonic: 1100, wallClock: 1_700_000_000_100), into: &effects)
        let connections = effects.effects.filter { if case .connect = $0 { return true } else { return false } }
        XCTAssertEqual(connections.count, 4)
        XCTAssertEqual(infoField(sentinel, "clients", "maxclients"), "10")
        for id in 1...6 { XCTAssertFalse(isRefusal(connect(&sentinel, UInt64(id)), UInt64(id)), "client \(id)") }
        XCTAssertTrue(isRefusal(connect(&sentinel, 7), 7))
    }
}
