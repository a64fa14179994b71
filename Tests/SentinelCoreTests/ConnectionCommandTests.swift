import RESP
import XCTest
@testable import SentinelCore

/// `CLIENT` (`Commands/ConnectionCommands.swift`): names, ids and kills with Redis's replies.
final class ConnectionCommandTests: ClientCommandTestCase {
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
        let produced = h.feed(.clientCommand(c, ["CLIENT", "KILL", "ID", RequestArgument(Array(String(victim.rawValue).utf8))]))
        XCTAssertTrue(produced.contains { if case .closeClient(let id) = $0 { return id == victim } else { return false } })
        XCTAssertTrue(produced.contains { if case .sendToClient(let id, let bytes) = $0 { return id == c && bytes == Array(":1\r\n".utf8) } else { return false } })
        XCTAssertEqual(h.send(c, "CLIENT", "KILL", "10.0.0.99:1"), error("ERR No such client"))
        XCTAssertEqual(h.send(c, "CLIENT", "KILL", "ID", "0"), error("ERR client-id should be greater than 0"))
        // Old form by address.
        let target = h.connectClient()
        XCTAssertEqual(h.send(c, "CLIENT", "KILL", "10.0.0.\(target.rawValue):5000\(target.rawValue)"), .ok)
    }
}
