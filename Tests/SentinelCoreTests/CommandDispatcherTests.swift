import RESP
import XCTest
@testable import SentinelCore

/// Running a client command (`Commands/CommandDispatcher.swift`, SENTINEL-PROTOCOL.md §10.1):
/// lookup, arity and authentication checks with Redis's error texts, PING, ROLE and AUTH.
final class CommandDispatcherTests: ClientCommandTestCase {
    func testPingAndPingMessage() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "PING"), .status("PONG"))
        XCTAssertEqual(h.send(c, "ping", "hello"), .bulk("hello"))
        XCTAssertEqual(h.send(c, "PING", "a", "b"), error("ERR wrong number of arguments for 'ping' command"))
    }

    func testPingWhileSubscribedInRESP2() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        h.send(c, "SUBSCRIBE", "+sdown")
        XCTAssertEqual(h.send(c, "PING"), .array([.bulk("pong"), .bulk("")]))
        XCTAssertEqual(h.send(c, "ROLE"), error("ERR Can't execute 'role': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"))
    }

    func testRole() throws {
        let h = try makeHarness("sentinel monitor other 127.0.0.1 7000 1")
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "ROLE"), .array([.bulk("sentinel"), .array([.bulk("mymaster"), .bulk("other")])]))
    }

    // MARK: Errors

    func testUnknownCommandText() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "foo", "a"), error("ERR unknown command 'foo', with args beginning with: 'a' "))
        XCTAssertEqual(h.send(c, "GET", "k", "v"), error("ERR unknown command 'GET', with args beginning with: 'k' 'v' "))
        XCTAssertEqual(h.send(c, "QUIT"), error("ERR unknown command 'QUIT', with args beginning with: "))
        XCTAssertEqual(h.send(c, "CONFIG", "GET", "x"), error("ERR unknown command 'CONFIG', with args beginning with: 'GET' 'x' "))
    }

    func testWrongArity() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "MASTER"), error("ERR wrong number of arguments for 'sentinel|master' command"))
        XCTAssertEqual(h.send(c, "SENTINEL", "get-master-addr-by-name", "a", "b"), error("ERR wrong number of arguments for 'sentinel|get-master-addr-by-name' command"))
        XCTAssertEqual(h.send(c, "SENTINEL"), error("ERR wrong number of arguments for 'sentinel' command"))
        XCTAssertEqual(h.send(c, "ROLE", "x"), error("ERR wrong number of arguments for 'role' command"))
    }

    func testUnknownSubcommand() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "SENTINEL", "x"), error("ERR unknown subcommand 'x'. Try SENTINEL HELP."))
        XCTAssertEqual(h.send(c, "sentinel", "Bogus", "1"), error("ERR unknown subcommand 'Bogus'. Try SENTINEL HELP."))
    }

    // MARK: AUTH

    func testRequirepassNoauthAndAuth() throws {
        let h = try makeHarness("requirepass s3cret")
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "PING"), error("NOAUTH Authentication required."))
        XCTAssertEqual(h.send(c, "SENTINEL", "MASTERS"), error("NOAUTH Authentication required."))
        XCTAssertEqual(h.send(c, "AUTH", "wrong"), error("WRONGPASS invalid username-password pair or user is disabled."))
        XCTAssertEqual(h.send(c, "AUTH", "s3cret"), .ok)
        XCTAssertEqual(h.send(c, "PING"), .status("PONG"))
        let other = h.connectClient()
        XCTAssertEqual(h.send(other, "AUTH", "default", "s3cret"), .ok)
    }

    func testAuthWithoutPasswordConfigured() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "AUTH", "x"), error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"))
    }
}
