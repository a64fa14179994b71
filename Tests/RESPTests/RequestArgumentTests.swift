import RESP
import XCTest

/// `RequestArgument`: the arguments of a parsed command share the parser's buffer, index from
/// zero, compare and hash by their bytes, and keep their bytes when the parser reads on.
final class RequestArgumentTests: XCTestCase {
    func testArgumentsIndexFromZeroAndCompareByBytes() throws {
        var parser = RESPRequestParser()
        parser.append(Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n".utf8))
        let command = try XCTUnwrap(try parser.next())
        XCTAssertEqual(command.map(\.count), [3, 1, 5])
        XCTAssertEqual(command[2].startIndex, 0)
        XCTAssertEqual(command[2][0], UInt8(ascii: "v"))
        XCTAssertEqual(command[2][4], UInt8(ascii: "e"))
        XCTAssertEqual(command[2].bytes, Array("value".utf8))
        XCTAssertEqual(command[0], "SET")
        XCTAssertEqual(Set(command + ["SET"]).count, 3, "equal bytes hash alike wherever they are stored")
        XCTAssertEqual(String(decoding: command[1], as: UTF8.self), "k")
        XCTAssertEqual(Array(command[2].prefix(2)), Array("va".utf8))
    }

    func testArgumentsKeepTheirBytesWhileTheParserReadsOn() throws {
        var parser = RESPRequestParser()
        parser.append(Array("*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n*1\r\n$4\r\nPI".utf8))
        let first = try XCTUnwrap(try parser.next())
        XCTAssertNil(try parser.next())
        // More bytes arrive while the first command's arguments are still held: the buffer
        // is changed (its consumed bytes dropped, new ones appended), the arguments are not.
        for _ in 0..<64 { parser.append(Array("NG\r\n*1\r\n$4\r\nPI".utf8)) }
        XCTAssertEqual(first, ["ECHO", "abc"])
        XCTAssertEqual(try parser.next(), ["PING"])
    }

    func testALargeBulkIsHandedOverWhole() throws {
        let payload = (0..<(64 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var input: [UInt8] = []
        RESPEncoder.encodeCommand([Array("SET".utf8), payload], into: &input)
        var parser = RESPRequestParser()
        var commands: [[RequestArgument]] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + 1000)
            parser.append(input[offset..<end])
            while let command = try parser.next() { commands.append(command) }
            offset = end
        }
        XCTAssertEqual(commands.count, 1)
        XCTAssertEqual(commands.first?.last?.bytes, payload)
    }
}
