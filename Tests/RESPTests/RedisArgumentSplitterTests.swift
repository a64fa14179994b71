import RESP
import XCTest

final class RedisArgumentSplitterTests: XCTestCase {
    private func split(_ text: String) -> [String]? { RedisArgumentSplitter.split(text) }

    /// Redis splits a line as a C string (`sdssplitargs`): a NUL byte ends it, in or out of
    /// quotes. Found by the `config` fuzz target: `bind a \0\0 b` read as `a "" "" b`, and the
    /// rewrite (`bind a  b`) then meant something else.
    func testNulEndsTheLine() {
        XCTAssertEqual(split("bind a\u{0}\u{0} b"), ["bind", "a"])
        XCTAssertEqual(split("\u{0}port 1"), [])
        XCTAssertEqual(split("a \"b\u{0}c\""), nil)
        XCTAssertEqual(split("a 'b\u{0}c'"), nil)
        XCTAssertEqual(split("a \"b\"\u{0}junk"), ["a", "b"])
    }

    func testQuotedReadsBack() {
        for text in ["", "a", "a b", "\"", "'", "\\", "\r\n\t", "\u{7}\u{8}", "é", "\u{7F}", "x\"y'z"] {
            XCTAssertEqual(split(RedisArgumentSplitter.quoted(text)), [text], text.debugDescription)
        }
    }

    func testInlineCommandEndsAtNul() throws {
        XCTAssertEqual(try parseRequests([bytes("PING\u{0}junk\r\nECHO a\u{0}\r\n")]), [command("PING"), command("ECHO", "a")])
    }
}
