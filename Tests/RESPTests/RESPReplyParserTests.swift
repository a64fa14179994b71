import RESP
import XCTest

final class RESPReplyParserTests: XCTestCase {
    private let cases: [(input: String, reply: RESPValue)] = [
        ("+OK\r\n", .ok),
        ("-ERR unknown command\r\n", .errorText("ERR unknown command")),
        (":-42\r\n", .integer(-42)),
        (":0\r\n", .integer(0)),
        ("$3\r\nfoo\r\n", .bulk("foo")),
        ("$0\r\n\r\n", .bulk("")),
        ("$4\r\na\r\nb\r\n", .bulk("a\r\nb")),
        ("$-1\r\n", .nullBulkString),
        ("*-1\r\n", .nullArray),
        ("*0\r\n", .array([])),
        ("_\r\n", .null),
        (",3.14\r\n", .double(3.14)),
        (",inf\r\n", .double(.infinity)),
        (",-inf\r\n", .double(-.infinity)),
        (",1e+17\r\n", .double(1e17)),
        ("#t\r\n", .boolean(true)),
        ("#f\r\n", .boolean(false)),
        ("(3492890328409238509324850943850943825024385\r\n", .bigNumber(bytes("3492890328409238509324850943850943825024385"))),
        ("(-12\r\n", .bigNumber(bytes("-12"))),
        ("=15\r\ntxt:Some string\r\n", .verbatim(format: bytes("txt"), text: bytes("Some string"))),
        ("!21\r\nSYNTAX invalid syntax\r\n", .errorText("SYNTAX invalid syntax")),
        ("%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", .map([RESPMapEntry(.status("a"), .integer(1)), RESPMapEntry(.status("b"), .integer(2))])),
        ("%0\r\n", .map([])),
        ("~2\r\n$1\r\nx\r\n:1\r\n", .set([.bulk("x"), .integer(1)])),
        (">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", .push([.bulk("message"), .bulk("ch"), .bulk("hi")])),
        ("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n:5\r\n", .integer(5)),
        ("*2\r\n|1\r\n+ttl\r\n:3\r\n:1\r\n:2\r\n", .array([.integer(1), .integer(2)])),
        ("|0\r\n+OK\r\n", .ok),
        ("*3\r\n*2\r\n:1\r\n*0\r\n%1\r\n+k\r\n*1\r\n$1\r\nx\r\n*-1\r\n",
         .array([.array([.integer(1), .array([])]), .map([RESPMapEntry(.status("k"), .array([.bulk("x")]))]), .nullArray])),
    ]

    func testEveryTypeAtEverySplitPoint() throws {
        for (input, expected) in cases {
            for chunks in chunkings(of: bytes(input)) {
                XCTAssertEqual(try parseReplies(chunks), [expected], "input \(input.debugDescription) in \(chunks.count) pieces")
            }
        }
    }

    func testNaN() throws {
        let replies = try parseReplies([bytes(",nan\r\n")])
        guard case .double(let value) = replies.first else { return XCTFail("\(replies)") }
        XCTAssertTrue(value.isNaN)
    }

    func testManyRepliesInOneBuffer() throws {
        let input = cases.map(\.input).joined()
        XCTAssertEqual(try parseReplies([bytes(input)]), cases.map(\.reply))
        XCTAssertEqual(try parseReplies(bytes(input).map { [$0] }), cases.map(\.reply))
    }

    func testIncompleteReplyWaits() throws {
        var parser = RESPReplyParser()
        parser.append(bytes("*2\r\n$3\r\nfoo\r\n"))
        XCTAssertNil(try parser.next())
        XCTAssertEqual(parser.bufferedByteCount, 0)
        parser.append(bytes(":7\r"))
        XCTAssertNil(try parser.next())
        parser.append(bytes("\n+"))
        XCTAssertEqual(try parser.next(), .array([.bulk("foo"), .integer(7)]))
        XCTAssertNil(try parser.next())
        XCTAssertEqual(parser.bufferedByteCount, 1)
    }

    func testMalformedReplies() {
        for bad in ["?x\r\n", " OK\r\n", ":abc\r\n", ":\r\n", ":1.5\r\n", "$3\r\nfooXY", "$x\r\n", "$-2\r\n", "*-2\r\n", "%-1\r\n",
                    "#x\r\n", "#\r\n", "_x\r\n", ",abc\r\n", "(12a\r\n", "(\r\n", "=3\r\ntxt\r\n", "+OK\rX", "$?\r\n", "*?\r\n"] {
            guard case .invalidReply = replyError(bytes(bad)) else {
                XCTFail("accepted \(bad.debugDescription)")
                continue
            }
        }
    }

    func testLimits() {
        let small = RESPLimits(maxMultibulkLength: 3, maxBulkLength: 10, maxInlineLength: 16, maxNestingDepth: 4)
        XCTAssertNil(replyError(bytes("*3\r\n"), limits: small))
        XCTAssertNotNil(replyError(bytes("*4\r\n"), limits: small))
        XCTAssertNotNil(replyError(bytes("%4\r\n"), limits: small))
        XCTAssertNil(replyError(bytes("$10\r\n"), limits: small))
        XCTAssertNotNil(replyError(bytes("$11\r\n"), limits: small))
        XCTAssertNil(replyError(bytes("+0123456789"), limits: small))
        XCTAssertNotNil(replyError(bytes("+0123456789X"), limits: small))
        XCTAssertNil(replyError(bytes(String(repeating: "*1\r\n", count: 4)), limits: small))
        XCTAssertNotNil(replyError(bytes(String(repeating: "*1\r\n", count: 5)), limits: small))
        XCTAssertEqual(RESPLimits.redisDefaults.maxNestingDepth, 64)
        let deepest = String(repeating: "*1\r\n", count: 64) + ":1\r\n"
        var expected = RESPValue.integer(1)
        for _ in 0..<64 { expected = .array([expected]) }
        XCTAssertEqual(try parseReplies([bytes(deepest)]), [expected])
        XCTAssertNotNil(replyError(bytes("*1\r\n" + deepest)))
    }

    func testErrorIsFinal() {
        var parser = RESPReplyParser()
        parser.append(bytes("+OK\r\n?\r\n+OK\r\n"))
        XCTAssertEqual(try parser.next(), .ok)
        XCTAssertThrowsError(try parser.next())
        XCTAssertThrowsError(try parser.next())
        XCTAssertEqual(replyError(bytes("?")), .invalidReply("unexpected type byte '?'"))
        XCTAssertEqual(RESPProtocolError.invalidReply("x").message, "ERR Protocol error: invalid reply: x")
    }

    func testLargeBulkReplyInSmallPieces() throws {
        let payload = (0..<(4 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let input = RESPEncoder.encoded(.array([.bulkString(payload), .integer(1)]), as: .resp2)
        var parser = RESPReplyParser()
        var replies: [RESPValue] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + 64)
            input[offset..<end].withUnsafeBytes { parser.append($0) }
            while let next = try parser.next() { replies.append(next) }
            offset = end
        }
        XCTAssertTrue(replies == [.array([.bulkString(payload), .integer(1)])])
    }
}
