import RESP
import XCTest
@testable import SentinelCore

/// Client arguments that end up in reply texts: a CR or LF in them must never split a reply
/// (the client would read the rest as the answer to its next command).
final class HostileArgumentTests: XCTestCase {
    static let config = """
    port 26379
    sentinel myid 0123456789abcdef0123456789abcdef01234567
    sentinel monitor mymaster 127.0.0.1 6379 2
    """

    /// Every command whose error reply quotes one of its arguments, with that argument made
    /// of `a`, CR, LF and `b`; each must get exactly one error, the CR and LF shown as spaces
    /// (redis-sentinel 7.0.15 answers these same texts).
    func testErrorsQuotingAnArgumentStayOneLine() throws {
        let h = try SentinelHarness(config: Self.config)
        let client = h.connectClient()
        let hostile = "a\r\nb"
        let cases: [([String], String)] = [
            (["SENTINEL", "SET", "mymaster", hostile, "1"], "ERR Unknown option or number of arguments for SENTINEL SET 'a  b'"),
            (["SENTINEL", "SET", "mymaster", "quorum", hostile], "ERR Invalid argument 'a  b' for SENTINEL SET 'quorum'"),
            (["SENTINEL", "DEBUG", hostile, "1"], "ERR Unknown option or number of arguments for SENTINEL DEBUG 'a  b'"),
            (["SENTINEL", "DEBUG", "ping-period", hostile], "ERR Invalid argument 'a  b' for SENTINEL DEBUG 'ping-period'"),
            (["SENTINEL", "CONFIG", "SET", hostile, "x"], "ERR Invalid argument 'a  b' to SENTINEL CONFIG SET"),
            (["SENTINEL", hostile], "ERR unknown subcommand 'a  b'. Try SENTINEL HELP."),
            (["CLIENT", "SETINFO", hostile, "x"], "ERR Unrecognized option 'a  b'"),
            (["CLIENT", "KILL", "USER", hostile], "ERR No such user 'a  b'"),
            (["CLIENT", "LIST", "TYPE", hostile], "ERR Unknown client type 'a  b'"),
            (["CLIENT", "KILL", "TYPE", hostile], "ERR Unknown client type 'a  b'"),
            (["ACL", "DRYRUN", hostile, "ping"], "ERR User 'a  b' not found"),
            (["HELLO", "3", hostile], "ERR Syntax error in HELLO option 'a  b'"),
            (["ACL", "SETUSER", "u", hostile], "ERR Error in ACL SETUSER modifier 'a  b': Syntax error"),
            (["ACL", "SETUSER", "u", "(" + hostile], "ERR Unmatched parenthesis in acl selector starting at '(a  b'."),
            (["FOO", hostile], "ERR unknown command 'FOO', with args beginning with: 'a  b' "),
        ]
        for (command, expected) in cases {
            let replies = h.sendAll(client, command)
            XCTAssertEqual(replies, [.errorText(expected)], "\(command)")
        }
        // The connection is still in step: the next command gets its own answer.
        XCTAssertEqual(h.send(client, "PING"), .status("PONG"))
    }
}
