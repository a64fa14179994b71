import RESP
import XCTest

final class RESPRoundTripTests: XCTestCase {
    private let sample: RESPValue = .array([
        .ok, .errorText("ERR x"), .integer(-9), .bulk("bulk\r\n"), .nullBulkString, .nullArray, .null,
        .double(2.5), .boolean(true), .bigNumber(bytes("123456789012345678901234567890")),
        .verbatim(format: bytes("txt"), text: bytes("hello")),
        .map([RESPMapEntry(.bulk("k"), .array([.integer(1)]))]), .set([.bulk("s")]), .push([.bulk("p")]),
        .array([]),
    ])

    func testRESP3RoundTripKeepsEveryValue() throws {
        let decoded = try parseReplies([RESPEncoder.encoded(sample, as: .resp3)])
        // RESP3 has one null: the null bulk string and null array come back as `.null`.
        guard case .array(var items) = sample else { return XCTFail() }
        items[4] = .null
        items[5] = .null
        XCTAssertEqual(decoded, [.array(items)])
    }

    func testRESP2RoundTripGivesTheFallbacks() throws {
        let decoded = try parseReplies([RESPEncoder.encoded(sample, as: .resp2)])
        let expected: RESPValue = .array([
            .ok, .errorText("ERR x"), .integer(-9), .bulk("bulk\r\n"), .nullBulkString, .nullArray, .nullBulkString,
            .bulk("2.5"), .integer(1), .bulk("123456789012345678901234567890"), .bulk("hello"),
            .array([.bulk("k"), .array([.integer(1)])]), .array([.bulk("s")]), .array([.bulk("p")]), .array([]),
        ])
        XCTAssertEqual(decoded, [expected])
    }

    func testCommandsRoundTripThroughTheRequestParser() throws {
        let commands = [command("SENTINEL", "masters"), [[0, 255, 13, 10], []], command("PING")]
        var buffer: [UInt8] = []
        for arguments in commands { RESPEncoder.encodeCommand(arguments, into: &buffer) }
        for chunks in chunkings(of: buffer) {
            XCTAssertEqual(try parseRequests(chunks), commands)
        }
        // A command read by the reply parser is an array of bulk strings.
        XCTAssertEqual(try parseReplies([buffer]).first, .array([.bulk("SENTINEL"), .bulk("masters")]))
    }

    func testDoublesRoundTripExactly() throws {
        for value in [0.1, 1.0 / 3.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -123.456e-200, 1e17] {
            XCTAssertEqual(try parseReplies([RESPEncoder.encoded(.double(value), as: .resp3)]), [.double(value)])
        }
    }
}
