import RESP
import XCTest
@testable import SentinelCore

/// Configuration writes are asked for with a ticket and rendered when the shell writes: one
/// text, taken once, holds every change requested before it.
final class ConfigurationPersistenceTests: XCTestCase {
    static let config = """
    port 26379
    sentinel myid 0000000000000000000000000000000000000001
    sentinel monitor m1 127.0.0.1 6379 2
    sentinel monitor m2 127.0.0.1 6479 2

    """

    static let candidate = "00000000000000000000000000000000000000b2"

    func makeSentinel() throws -> Sentinel {
        let configuration = try ConfigurationParser.parse(text: Self.config, fileName: "sentinel.conf") { _ in "" }
        return Sentinel(configuration: configuration, configurationText: Self.config, environment: SentinelEnvironment(listeningPort: 26379),
                        randomSeed: 1, now: Timestamp(monotonic: 1_000_000, wallClock: 1_700_000_000_000))
    }

    /// Two votes, each its own input: two tickets, one rendering with both votes.
    func testVotesOfSeparateInputsAreWrittenByOneRendering() throws {
        var sentinel = try makeSentinel()
        let time = Timestamp(monotonic: 1_000_100, wallClock: 1_700_000_000_100)
        var effects = Turn()
        sentinel.handle(.clientConnected(ClientID(1), remoteAddress: "127.0.0.1:50000", localAddress: "127.0.0.1:26379"), at: time, into: &effects)
        for (port, epoch) in [(6379, 7), (6479, 8)] {
            let command = ["SENTINEL", "is-master-down-by-addr", "127.0.0.1", String(port), String(epoch), Self.candidate]
            sentinel.handle(.clientCommand(ClientID(1), command.map { RequestArgument(Array($0.utf8)) }), at: time, into: &effects)
        }
        let tickets = effects.effects.compactMap { effect -> UInt64? in
            if case .persistConfiguration(let ticket) = effect { return ticket } else { return nil }
        }
        XCTAssertEqual(tickets.count, 4, "each vote and each new epoch asks for a write")
        XCTAssertEqual(Set(tickets).count, tickets.count)

        let text = sentinel.configurationTextToWrite()
        XCTAssertTrue(text.contains("sentinel leader-epoch m1 7"), text)
        XCTAssertTrue(text.contains("sentinel leader-epoch m2 8"), text)
        XCTAssertTrue(text.contains("sentinel current-epoch 8"), text)
        // The text becomes the base of the next rewrite: taken again, nothing is lost.
        let again = sentinel.configurationTextToWrite()
        XCTAssertTrue(again.contains("sentinel leader-epoch m1 7") && again.contains("sentinel leader-epoch m2 8"), again)

        // Each ticket is answered; a failed write is logged once per ticket, nothing is lost.
        var answered = Turn()
        for ticket in tickets {
            sentinel.handle(.configurationPersisted(ticket: ticket, error: "disk full"), at: time, into: &answered)
        }
        let warnings = answered.effects.compactMap { effect -> String? in
            if case .log(_, let text) = effect, text.contains("not able to save") { return text } else { return nil }
        }
        XCTAssertEqual(warnings.count, tickets.count)
    }

    func testFailedConfigurationWriteIsReported() throws {
        let h = try SentinelHarness(config: ClientCommandTestCase.config)
        let c = h.connectClient()
        h.persistError = "Permission denied"
        XCTAssertEqual(h.send(c, "SENTINEL", "FLUSHCONFIG"), .errorText("ERR Failed to save config file. Check server logs."))
        XCTAssertTrue(h.logLines.contains("WARNING: Sentinel was not able to save the new configuration on disk!!!: Permission denied"))
        h.persistError = nil
        XCTAssertEqual(h.send(c, "SENTINEL", "FLUSHCONFIG"), .ok)
    }
}
