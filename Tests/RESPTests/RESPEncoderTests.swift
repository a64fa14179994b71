import RESP
import XCTest

final class RESPEncoderTests: XCTestCase {
    private func assertEncoding(_ value: RESPValue, resp2: String, resp3: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(String(decoding: RESPEncoder.encoded(value, as: .resp2), as: UTF8.self), resp2, "RESP2", file: file, line: line)
        XCTAssertEqual(String(decoding: RESPEncoder.encoded(value, as: .resp3), as: UTF8.self), resp3, "RESP3", file: file, line: line)
    }

    func testScalars() {
        assertEncoding(.ok, resp2: "+OK\r\n", resp3: "+OK\r\n")
        assertEncoding(.errorText("ERR no"), resp2: "-ERR no\r\n", resp3: "-ERR no\r\n")
        assertEncoding(.integer(0), resp2: ":0\r\n", resp3: ":0\r\n")
        assertEncoding(.integer(1234567), resp2: ":1234567\r\n", resp3: ":1234567\r\n")
        assertEncoding(.integer(-42), resp2: ":-42\r\n", resp3: ":-42\r\n")
        assertEncoding(.integer(.min), resp2: ":-9223372036854775808\r\n", resp3: ":-9223372036854775808\r\n")
        assertEncoding(.integer(.max), resp2: ":9223372036854775807\r\n", resp3: ":9223372036854775807\r\n")
        assertEncoding(.bulk("foo"), resp2: "$3\r\nfoo\r\n", resp3: "$3\r\nfoo\r\n")
        assertEncoding(.bulk(""), resp2: "$0\r\n\r\n", resp3: "$0\r\n\r\n")
    }

    func testLineRepliesNeverCarryCarriageReturnOrLineFeed() {
        assertEncoding(.errorText("ERR Invalid argument 'a\r\nb' for SENTINEL SET 'x\ny'"),
                       resp2: "-ERR Invalid argument 'a  b' for SENTINEL SET 'x y'\r\n",
                       resp3: "-ERR Invalid argument 'a  b' for SENTINEL SET 'x y'\r\n")
        assertEncoding(.status("OK\r\n+FAKE"), resp2: "+OK  +FAKE\r\n", resp3: "+OK  +FAKE\r\n")
        assertEncoding(.bigNumber(bytes("12\r\n34")), resp2: "$6\r\n12\r\n34\r\n", resp3: "(12  34\r\n")
    }

    func testNulls() {
        assertEncoding(.nullBulkString, resp2: "$-1\r\n", resp3: "_\r\n")
        assertEncoding(.nullArray, resp2: "*-1\r\n", resp3: "_\r\n")
        assertEncoding(.null, resp2: "$-1\r\n", resp3: "_\r\n")
    }

    func testRESP3OnlyScalars() {
        assertEncoding(.boolean(true), resp2: ":1\r\n", resp3: "#t\r\n")
        assertEncoding(.boolean(false), resp2: ":0\r\n", resp3: "#f\r\n")
        assertEncoding(.bigNumber(bytes("3492890328409238509324850943850943825024385")),
                       resp2: "$43\r\n3492890328409238509324850943850943825024385\r\n",
                       resp3: "(3492890328409238509324850943850943825024385\r\n")
        assertEncoding(.verbatim(format: bytes("txt"), text: bytes("Some string")),
                       resp2: "$11\r\nSome string\r\n", resp3: "=15\r\ntxt:Some string\r\n")
        assertEncoding(.verbatim(format: bytes("m"), text: bytes("x")), resp2: "$1\r\nx\r\n", resp3: "=5\r\nm  :x\r\n")
    }

    func testDoublesLikeRedis() {
        assertEncoding(.double(3.14), resp2: "$18\r\n3.1400000000000001\r\n", resp3: ",3.1400000000000001\r\n")
        assertEncoding(.double(1), resp2: "$1\r\n1\r\n", resp3: ",1\r\n")
        assertEncoding(.double(.infinity), resp2: "$3\r\ninf\r\n", resp3: ",inf\r\n")
        assertEncoding(.double(-.infinity), resp2: "$4\r\n-inf\r\n", resp3: ",-inf\r\n")
        assertEncoding(.double(.nan), resp2: "$3\r\nnan\r\n", resp3: ",nan\r\n")
        let expected: [(Double, String)] = [
            (0.1, "0.10000000000000001"), (1e17, "1e+17"), (1.5e-5, "1.5e-05"), (-0.0, "-0"), (0, "0"),
            (123456789012345680.0, "1.2345678901234568e+17"), (.leastNonzeroMagnitude, "4.9406564584124654e-324"),
            (.greatestFiniteMagnitude, "1.7976931348623157e+308"), (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"), (1e16, "10000000000000000"),
            (12345678901234567.0, "12345678901234568"), (2.5, "2.5"), (-1234.5678, "-1234.5678"),
            (1.0 / 3.0, "0.33333333333333331"), (.leastNonzeroMagnitude * 3, "1.4821969375237396e-323"),
            (1e23, "9.9999999999999992e+22"), (100, "100"), (1e21, "1e+21"),
        ]
        for (value, text) in expected {
            XCTAssertEqual(String(decoding: RESPEncoder.encoded(.double(value), as: .resp3), as: UTF8.self), ",\(text)\r\n")
        }
    }

    func testAggregates() {
        assertEncoding(.array([.integer(1), .bulk("a")]), resp2: "*2\r\n:1\r\n$1\r\na\r\n", resp3: "*2\r\n:1\r\n$1\r\na\r\n")
        assertEncoding(.array([]), resp2: "*0\r\n", resp3: "*0\r\n")
        assertEncoding(.map([RESPMapEntry(.bulk("k"), .integer(1)), RESPMapEntry(.bulk("b"), .boolean(true))]),
                       resp2: "*4\r\n$1\r\nk\r\n:1\r\n$1\r\nb\r\n:1\r\n", resp3: "%2\r\n$1\r\nk\r\n:1\r\n$1\r\nb\r\n#t\r\n")
        assertEncoding(.set([.bulk("x")]), resp2: "*1\r\n$1\r\nx\r\n", resp3: "~1\r\n$1\r\nx\r\n")
        assertEncoding(.push([.bulk("message"), .null]), resp2: "*2\r\n$7\r\nmessage\r\n$-1\r\n", resp3: ">2\r\n$7\r\nmessage\r\n_\r\n")
        assertEncoding(.array([.array([.nullArray]), .set([])]), resp2: "*2\r\n*1\r\n*-1\r\n*0\r\n", resp3: "*2\r\n*1\r\n_\r\n~0\r\n")
    }

    func testCommands() {
        var buffer: [UInt8] = bytes("x")
        RESPEncoder.encodeCommand(["SENTINEL", "get-master-addr-by-name", "mymaster"], into: &buffer)
        XCTAssertEqual(buffer, bytes("x*3\r\n$8\r\nSENTINEL\r\n$23\r\nget-master-addr-by-name\r\n$8\r\nmymaster\r\n"))
        buffer = []
        RESPEncoder.encodeCommand([bytes("PING"), [], [0, 13, 10]], into: &buffer)
        XCTAssertEqual(buffer, bytes("*3\r\n$4\r\nPING\r\n$0\r\n\r\n$3\r\n") + [0, 13, 10] + bytes("\r\n"))
        buffer = []
        RESPEncoder.encodeCommand([String](), into: &buffer)
        XCTAssertEqual(buffer, bytes("*0\r\n"))
        RESPEncoder.encodeCommand(["é"], into: &buffer)
        XCTAssertEqual(buffer, bytes("*0\r\n*1\r\n$2\r\né\r\n"))
    }
}
