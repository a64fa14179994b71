import RESP
import XCTest

final class RESPRequestParserTests: XCTestCase {
    private let cases: [(input: String, commands: [[[UInt8]]])] = [
        ("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", [command("SET", "key", "value")]),
        ("PING\r\n", [command("PING")]),
        ("PING\n", [command("PING")]),
        ("set a \"b c\" 'd\\'e'\r\n", [command("set", "a", "b c", "d'e")]),
        ("*0\r\n*-1\r\n\r\n\n   \r\nPING\n", [command("PING")]),
        ("*1\r\n$0\r\n\r\n", [[[]]]),
        ("*2\r\n$4\r\na\r\nb\r\n$1\r\n*\r\n", [[bytes("a\r\nb"), bytes("*")]]),
        ("*1\r\n$4\r\nPING\r\nECHO \"x\\x41\\n\"\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n",
         [command("PING"), command("ECHO", "xA\n"), command("ECHO", "hi")]),
    ]

    func testEverySplitPointGivesTheSameCommands() throws {
        for (input, expected) in cases {
            for chunks in chunkings(of: bytes(input)) {
                XCTAssertEqual(try parseRequests(chunks), expected, "input \(input.debugDescription) in \(chunks.count) pieces")
            }
        }
    }

    func testIncompleteCommandWaitsForMoreBytes() throws {
        var parser = RESPRequestParser()
        parser.append(bytes("*2\r\n$3\r\nGET\r\n$1\r\n"))
        XCTAssertNil(try parser.next())
        XCTAssertEqual(parser.bufferedByteCount, 0)
        parser.append(bytes("k"))
        XCTAssertNil(try parser.next())
        XCTAssertEqual(parser.bufferedByteCount, 1)
        parser.append(bytes("\r\nPI"))
        XCTAssertEqual(try parser.next()?.map(\.bytes), command("GET", "k"))
        XCTAssertNil(try parser.next())
        XCTAssertEqual(parser.bufferedByteCount, 2)
    }

    /// The parser fills one argument array again for each command; a command the caller keeps
    /// is its own value all the same, and its views outlive the bytes appended after it.
    func testACommandKeptByTheCallerIsNotChangedByTheNext() throws {
        var parser = RESPRequestParser()
        parser.append(bytes("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nc\r\n"))
        let first = try XCTUnwrap(try parser.next())
        let second = try XCTUnwrap(try parser.next())
        XCTAssertNil(try parser.next())
        parser.append(bytes("*1\r\n$4\r\nPING\r\n"))
        let third = try XCTUnwrap(try parser.next())
        XCTAssertEqual(first.map(\.bytes), command("GET", "a"))
        XCTAssertEqual(second.map(\.bytes), command("SET", "b", "c"))
        XCTAssertEqual(third.map(\.bytes), command("PING"))
    }

    func testPipelineOfManyCommandsInOneBuffer() throws {
        var input: [UInt8] = []
        var expected: [[[UInt8]]] = []
        for index in 0..<2000 {
            let arguments = command("SET", "key:\(index)", String(repeating: "v", count: index % 50))
            expected.append(arguments)
            if index % 3 == 0 {
                input += bytes("SET key:\(index) \"\(String(repeating: "v", count: index % 50))\"\r\n")
            } else {
                RESPEncoder.encodeCommand(arguments, into: &input)
            }
        }
        XCTAssertEqual(try parseRequests([input]), expected)
        // The same stream in uneven pieces.
        var chunks: [[UInt8]] = []
        var offset = 0
        var size = 1
        while offset < input.count {
            let end = min(input.count, offset + size)
            chunks.append(Array(input[offset..<end]))
            offset = end
            size = size % 97 + 7
        }
        XCTAssertEqual(try parseRequests(chunks), expected)
    }

    func testInlineQuotingFollowsRedis() throws {
        XCTAssertEqual(try parseRequests([bytes("SET k \"a\\tb\\\\\"  'x y'\r\n")]), [command("SET", "k", "a\tb\\", "x y")])
        XCTAssertEqual(requestError(bytes("SET k \"abc\r\n")), .unbalancedQuotes)
        XCTAssertEqual(requestError(bytes("SET k 'abc'def\r\n")), .unbalancedQuotes)
        XCTAssertEqual(RESPProtocolError.unbalancedQuotes.message, "ERR Protocol error: unbalanced quotes in request")
    }

    func testRedisSkipsTheBytesAfterBulkDataUnchecked() throws {
        XCTAssertEqual(try parseRequests([bytes("*1\r\n$1\r\naXYPING\r\n")]), [command("a"), command("PING")])
    }

    func testInlineLengthLimit() throws {
        let limit = RESPLimits.redisDefaults.maxInlineLength
        XCTAssertEqual(limit, 65536)
        let longest = [UInt8](repeating: UInt8(ascii: "a"), count: limit)
        XCTAssertEqual(try parseRequests([longest, bytes("\n")]), [[longest]])
        XCTAssertEqual(requestError(longest + bytes("a")), .tooBigInlineRequest)
        XCTAssertEqual(requestError(longest + bytes("\r\n")), .tooBigInlineRequest)
        XCTAssertEqual(RESPProtocolError.tooBigInlineRequest.message, "ERR Protocol error: too big inline request")
    }

    func testCountLineLengthLimits() {
        let digits = [UInt8](repeating: UInt8(ascii: "1"), count: 65536)
        XCTAssertEqual(requestError(bytes("*") + digits), .tooBigMultibulkCountString)
        XCTAssertNil(requestError(bytes("*") + digits.dropLast()))
        XCTAssertEqual(requestError(bytes("*1\r\n$") + digits), .tooBigBulkCountString)
        XCTAssertEqual(RESPProtocolError.tooBigMultibulkCountString.message, "ERR Protocol error: too big mbulk count string")
        XCTAssertEqual(RESPProtocolError.tooBigBulkCountString.message, "ERR Protocol error: too big bulk count string")
    }

    func testMultibulkLength() {
        for bad in ["*x\r\n", "*\r\n", "*01\r\n", "*+1\r\n", "* 1\r\n", "*1 \r\n", "*2147483648\r\n", "*99999999999999999999\r\n"] {
            XCTAssertEqual(requestError(bytes(bad)), .invalidMultibulkLength, bad.debugDescription)
        }
        XCTAssertNil(requestError(bytes("*2147483647\r\n")))
        XCTAssertNil(requestError(bytes("*-5\r\n")))
        let small = RESPLimits(maxMultibulkLength: 3, maxBulkLength: 10, maxInlineLength: 16)
        XCTAssertNil(requestError(bytes("*3\r\n"), limits: small))
        XCTAssertEqual(requestError(bytes("*4\r\n"), limits: small), .invalidMultibulkLength)
        XCTAssertEqual(RESPProtocolError.invalidMultibulkLength.message, "ERR Protocol error: invalid multibulk length")
    }

    func testBulkLength() {
        for bad in ["$-1\r\n", "$x\r\n", "$\r\n", "$03\r\n", "$536870913\r\n"] {
            XCTAssertEqual(requestError(bytes("*1\r\n" + bad)), .invalidBulkLength, bad.debugDescription)
        }
        XCTAssertNil(requestError(bytes("*1\r\n$536870912\r\n")))
        let small = RESPLimits(maxMultibulkLength: 3, maxBulkLength: 10, maxInlineLength: 16)
        XCTAssertEqual(requestError(bytes("*1\r\n$11\r\n"), limits: small), .invalidBulkLength)
        XCTAssertEqual(RESPProtocolError.invalidBulkLength.message, "ERR Protocol error: invalid bulk length")
    }

    func testExpectedDollar() {
        XCTAssertEqual(requestError(bytes("*1\r\nX3\r\n")), .expectedDollar(got: UInt8(ascii: "X")))
        XCTAssertEqual(RESPProtocolError.expectedDollar(got: UInt8(ascii: "X")).message, "ERR Protocol error: expected '$', got 'X'")
        XCTAssertEqual(requestError(bytes("*1\r\n\r\n")), .expectedDollar(got: UInt8(ascii: "\r")))
        // Redis turns CR and LF in error texts into spaces.
        XCTAssertEqual(RESPProtocolError.expectedDollar(got: UInt8(ascii: "\r")).message, "ERR Protocol error: expected '$', got ' '")
        XCTAssertEqual(RESPProtocolError.expectedDollar(got: 0xFF).messageBytes, bytes("ERR Protocol error: expected '$', got '") + [0xFF, UInt8(ascii: "'")])
    }

    func testUnauthenticatedLimits() {
        XCTAssertNil(requestError(bytes("*10\r\n"), authenticated: false))
        XCTAssertEqual(requestError(bytes("*11\r\n"), authenticated: false), .unauthenticatedMultibulkLength)
        XCTAssertNil(requestError(bytes("*11\r\n"), authenticated: true))
        XCTAssertNil(requestError(bytes("*1\r\n$16384\r\n"), authenticated: false))
        XCTAssertEqual(requestError(bytes("*1\r\n$16385\r\n"), authenticated: false), .unauthenticatedBulkLength)
        XCTAssertEqual(RESPProtocolError.unauthenticatedMultibulkLength.message, "ERR Protocol error: unauthenticated multibulk length")
        XCTAssertEqual(RESPProtocolError.unauthenticatedBulkLength.message, "ERR Protocol error: unauthenticated bulk length")
        XCTAssertEqual(RESPProtocolError.invalidBulkLength.reply, .errorText("ERR Protocol error: invalid bulk length"))
    }

    func testParserIsFinalAfterAnError() {
        var parser = RESPRequestParser()
        parser.append(bytes("PING\r\n*x\r\nPING\r\n"))
        XCTAssertEqual(try parser.next()?.map(\.bytes), command("PING"))
        XCTAssertThrowsError(try parser.next()) { XCTAssertEqual($0 as? RESPProtocolError, .invalidMultibulkLength) }
        parser.append(bytes("PING\r\n"))
        XCTAssertEqual(parser.bufferedByteCount, 0)
        XCTAssertThrowsError(try parser.next()) { XCTAssertEqual($0 as? RESPProtocolError, .invalidMultibulkLength) }
    }

    func testLargeBulkArrivingInSmallPieces() throws {
        let size = 8 * 1024 * 1024
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var input: [UInt8] = []
        RESPEncoder.encodeCommand([bytes("SET"), bytes("big"), payload], into: &input)
        input += bytes("PING\r\n")
        var parser = RESPRequestParser()
        var commands: [[[UInt8]]] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + 100)
            input[offset..<end].withUnsafeBytes { parser.append($0) }
            while let next = try parser.next() { commands.append(next.map(\.bytes)) }
            offset = end
        }
        XCTAssertEqual(commands.count, 2)
        XCTAssertEqual(commands.first?.count, 3)
        XCTAssertTrue(commands.first?[2] == payload)
        XCTAssertEqual(commands.last, command("PING"))
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    func testLongInlineLineArrivingByteByByte() throws {
        let line = [UInt8](repeating: UInt8(ascii: "a"), count: 60000) + bytes("\r\n")
        XCTAssertEqual(try parseRequests(line.map { [$0] }), [[Array(line.dropLast(2))]])
    }
}
