import RESP
import XCTest
@testable import SentinelCore

/// The bounds of replies from monitored instances and peers
/// (`Monitoring/InstanceReplyLimits.swift`, SENTINEL-PROTOCOL.md §1.3).
final class InstanceReplyLimitsTests: XCTestCase {
    func testRepliesFromInstancesAreBoundedToWhatTheSentinelsCommandsGet() throws {
        func parse(_ text: String) throws -> RESPValue? {
            var parser = RESPReplyParser(limits: .instanceReplies)
            parser.append(Array(text.utf8))
            return try parser.next()
        }
        XCTAssertEqual(try parse("*3\r\n:1\r\n$1\r\n*\r\n:0\r\n"), .array([.integer(1), .bulk("*"), .integer(0)]))
        XCTAssertEqual(try parse("*2\r\n+OK\r\n*1\r\n:1\r\n"), .array([.ok, .array([.integer(1)])]))
        XCTAssertThrowsError(try parse("*1025\r\n"))
        XCTAssertThrowsError(try parse("*2147483647\r\n"))
        XCTAssertThrowsError(try parse("*1\r\n*1\r\n*1\r\n:1\r\n"))
        XCTAssertThrowsError(try parse("$\(64 * 1024 * 1024 + 1)\r\n"))
    }
}
