import XCTest
@testable import SentinelCore

/// Admitting a new client connection (`Commands/ClientAdmission.swift`): protected mode.
final class ClientAdmissionTests: ClientCommandTestCase {
    func testProtectedModeRefusesRemoteClientsWithoutPassword() throws {
        let h = try makeHarness("protected-mode yes")
        let produced = h.feed(.clientConnected(ClientID(77), remoteAddress: "10.1.2.3:4000", localAddress: "10.1.2.4:26379"))
        XCTAssertTrue(produced.contains { if case .sendToClient(let id, let bytes) = $0 { return id == ClientID(77) && String(decoding: bytes, as: UTF8.self).hasPrefix("-DENIED Redis is running in protected mode") } else { return false } })
        XCTAssertTrue(produced.contains { if case .closeClient(let id) = $0 { return id == ClientID(77) } else { return false } })
        let local = h.feed(.clientConnected(ClientID(78), remoteAddress: "127.0.0.1:4000", localAddress: "127.0.0.1:26379"))
        XCTAssertFalse(local.contains { if case .closeClient = $0 { return true } else { return false } })
    }
}
