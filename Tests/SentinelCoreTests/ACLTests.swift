import RESP
import XCTest
@testable import SentinelCore

/// ACL users (SENTINEL-PROTOCOL.md §14): hashed passwords, byte-exact secrets, and users that
/// survive a restart. Reply texts are redis-sentinel 7.0.15's.
final class ACLTests: ClientCommandTestCase {
    static func hash(_ text: String) -> String { SHA256.hexDigest(Array(text.utf8)) }

    /// Sends `arguments` as raw bytes; returns the replies to `client`.
    func send(_ h: SentinelHarness, _ client: ClientID, _ arguments: [[UInt8]]) -> [RESPValue] {
        var parser = RESPReplyParser()
        for effect in h.feed(.clientCommand(client, arguments.map(RequestArgument.init))) {
            if case .sendToClient(let target, let bytes) = effect, target == client { parser.append(bytes) }
        }
        var replies: [RESPValue] = []
        while let value = try? parser.next() { replies.append(value) }
        return replies
    }

    // MARK: Hashed passwords

    func testHashedPasswordRulesAddAndRemoveLikeRedis() throws {
        let h = try SentinelHarness(config: Self.config)
        let admin = h.connectClient()
        let hash = Self.hash("pw")
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "alice", "on", "#" + hash, "+@all"), .ok)
        let client = h.connectClient()
        XCTAssertEqual(h.send(client, "AUTH", "alice", "pw"), .ok)
        XCTAssertEqual(h.send(client, "ACL", "WHOAMI"), .bulk("alice"))

        // The hash is what every view shows; no password is ever shown.
        XCTAssertEqual(h.send(admin, "ACL", "LIST"), .array([
            .bulk("user alice on #\(hash) resetchannels +@all"),
            .bulk("user default on nopass ~* &* +@all"),
        ]))
        let fields = h.send(admin, "ACL", "GETUSER", "alice").elements ?? []
        XCTAssertEqual(fields.first?.text, "flags")
        XCTAssertEqual(fields[3], .array([.bulk(hash)]))

        // `>password` is stored as its hash too; `<password` and `!hash` remove it.
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "alice", ">other"), .ok)
        XCTAssertEqual(h.send(admin, "ACL", "LIST").elements?.first, .bulk("user alice on #\(hash) #\(Self.hash("other")) resetchannels +@all"))
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "alice", "!" + hash, "<other"), .ok)
        XCTAssertEqual(h.send(h.connectClient(), "AUTH", "alice", "pw"), .errorText("WRONGPASS invalid username-password pair or user is disabled."))
        XCTAssertEqual(h.send(h.connectClient(), "AUTH", "alice", "other"), .errorText("WRONGPASS invalid username-password pair or user is disabled."))
    }

    func testMalformedHashesAndMissingPasswordsAreRefusedWithoutChangingTheUser() throws {
        let h = try SentinelHarness(config: Self.config)
        let admin = h.connectClient()
        let badHash = "ERR Error in ACL SETUSER modifier '%@': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
        for rule in ["#abc", "#" + String(repeating: "A", count: 64), "!" + String(repeating: "g", count: 64), "#" + String(repeating: "a", count: 65)] {
            XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "bob", "on", ">pw", rule),
                           .errorText(badHash.replacingOccurrences(of: "%@", with: rule)), rule)
        }
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "bob", "!" + String(repeating: "b", count: 64)),
                       .errorText("ERR Error in ACL SETUSER modifier '!\(String(repeating: "b", count: 64))': The password you are trying to remove from the user does not exist"))
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "bob", "<nothere"),
                       .errorText("ERR Error in ACL SETUSER modifier '<nothere': The password you are trying to remove from the user does not exist"))
        // None of the refused commands created or changed the user.
        XCTAssertEqual(h.send(admin, "ACL", "GETUSER", "bob"), .nullBulkString)
    }

    func testRulesAreCheckedAgainstTheSentinelCommandTable() throws {
        let h = try SentinelHarness(config: Self.config)
        let admin = h.connectClient()
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "u", "+get"),
                       .errorText("ERR Error in ACL SETUSER modifier '+get': Unknown command or category name in ACL"))
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "u", "bogus"),
                       .errorText("ERR Error in ACL SETUSER modifier 'bogus': Syntax error"))
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "a b"), .errorText("ERR Usernames can't contain spaces or null characters"))
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "u", "(~k"),
                       .errorText("ERR Unmatched parenthesis in acl selector starting at '(~k'."))
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "u", "on", ">p", "-@all", "+@connection", "+client|setname", "(~k", "+ping)"), .ok)
        // `+client|setname` changes nothing after `+@connection` and is not shown, as in Redis.
        XCTAssertEqual(h.send(admin, "ACL", "LIST").elements?.last,
                       .bulk("user u on #\(Self.hash("p")) resetchannels -@all +@connection (~k resetchannels -@all +ping)"))
        let client = h.connectClient()
        XCTAssertEqual(h.send(client, "AUTH", "u", "p"), .ok)
        XCTAssertEqual(h.send(client, "PING"), .status("PONG"))
        XCTAssertEqual(h.send(client, "SENTINEL", "MASTERS"),
                       .errorText("NOPERM this user has no permissions to run the 'sentinel|masters' command"))
    }

    /// Channel rights decide SUBSCRIBE, PSUBSCRIBE and PUBLISH, as in redis-sentinel 7.0.15:
    /// a user with `+@all` but no `&` pattern may not subscribe to events.
    func testChannelPermissions() throws {
        let h = try SentinelHarness(config: Self.config)
        let admin = h.connectClient()
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "alice", "on", ">x", "+@all"), .ok)
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "bob", "on", ">x", "+@all", "&+sw*"), .ok)
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "carol", "on", ">x", "-@all", "(+publish &h*)"), .ok)
        let denied = RESPValue.errorText("NOPERM this user has no permissions to access one of the channels used as arguments")
        let alice = h.connectClient()
        XCTAssertEqual(h.send(alice, "AUTH", "alice", "x"), .ok)
        XCTAssertEqual(h.send(alice, "SUBSCRIBE", "+switch-master"), denied)
        XCTAssertEqual(h.send(alice, "PUBLISH", "__sentinel__:hello", "x"), denied)
        let bob = h.connectClient()
        XCTAssertEqual(h.send(bob, "AUTH", "bob", "x"), .ok)
        XCTAssertEqual(h.send(bob, "SUBSCRIBE", "+switch-master", "+sdown"), denied)
        XCTAssertEqual(h.send(bob, "PSUBSCRIBE", "+sw"), denied, "a pattern must be one of the user's, literally")
        XCTAssertEqual(h.send(bob, "SUBSCRIBE", "+switch-master"), .array([.bulk("subscribe"), .bulk("+switch-master"), .integer(1)]))
        let carol = h.connectClient()
        XCTAssertEqual(h.send(carol, "AUTH", "carol", "x"), .ok)
        XCTAssertEqual(h.send(carol, "PUBLISH", "zz", "1"), denied)
        XCTAssertEqual(h.send(carol, "PING"), .errorText("NOPERM this user has no permissions to run the 'ping' command"))
        XCTAssertEqual(h.send(carol, "AUTH", "carol", "x"), .ok, "AUTH is allowed to every user")

        XCTAssertEqual(h.send(admin, "ACL", "DRYRUN", "bob", "SUBSCRIBE", "+sw", "zz", "+swx"),
                       .bulk("This user has no permissions to access the 'zz' channel"))
        XCTAssertEqual(h.send(admin, "ACL", "DRYRUN", "carol", "SENTINEL", "MASTERS"),
                       .bulk("This user has no permissions to run the 'sentinel|masters' command"))
        XCTAssertEqual(h.send(admin, "ACL", "DRYRUN", "carol", "PUBLISH", "hh", "1"), .ok)
        XCTAssertEqual(h.send(admin, "ACL", "DRYRUN", "carol", "SENTINEL", "bogus"), .errorText("ERR Command 'SENTINEL' not found"))
        XCTAssertEqual(h.send(admin, "ACL", "DRYRUN", "carol", "ROLE", "x"), .errorText("ERR wrong number of arguments for 'role' command"))
        XCTAssertEqual(h.send(admin, "ACL", "DRYRUN", "nobody", "PING"), .errorText("ERR User 'nobody' not found"))
    }

    /// Narrowing a user's channels closes its connections subscribed to what it may no longer
    /// read (as redis-sentinel 7.0.15 does); connections still within their rights stay.
    func testRevokedChannelsCloseSubscribers() throws {
        let h = try SentinelHarness(config: Self.config)
        let admin = h.connectClient()
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "bob", "on", ">x", "+@all", "&+s*"), .ok)
        let switches = h.connectClient()
        XCTAssertEqual(h.send(switches, "AUTH", "bob", "x"), .ok)
        h.send(switches, "SUBSCRIBE", "+switch-master")
        let sdowns = h.connectClient()
        XCTAssertEqual(h.send(sdowns, "AUTH", "bob", "x"), .ok)
        h.send(sdowns, "PSUBSCRIBE", "+s*")
        let effects = h.feed(.clientCommand(admin, ["ACL", "SETUSER", "bob", "resetchannels", "&+switch-master"].map { RequestArgument(Array($0.utf8)) }))
        let closed = effects.compactMap { if case .closeClient(let id) = $0 { id } else { nil } }
        XCTAssertEqual(closed, [sdowns], "only the pattern subscriber lost its rights")
    }

    // MARK: Byte-exact secrets

    /// Passwords are bytes: Unicode-equivalent spellings, and different invalid UTF-8 bytes
    /// (which both decode to U+FFFD as text), do not match each other.
    func testPasswordsAreComparedAsBytes() throws {
        let composed = "\u{E9}"          // é as one code point
        let decomposed = "e\u{301}"      // e + combining acute: equal to `composed` as a Swift String
        XCTAssertEqual(composed, decomposed)
        let h = try SentinelHarness(config: Self.config + "\nrequirepass \"p\\xffw\"\nuser alice on >\(composed) +@all")
        let client = h.connectClient()
        XCTAssertEqual(send(h, client, [Array("AUTH".utf8), [0x70, 0xFE, 0x77]]),
                       [.errorText("WRONGPASS invalid username-password pair or user is disabled.")])
        XCTAssertEqual(send(h, client, [Array("AUTH".utf8), Array("p\u{FFFD}w".utf8)]),
                       [.errorText("WRONGPASS invalid username-password pair or user is disabled.")])
        XCTAssertEqual(send(h, client, [Array("AUTH".utf8), Array("alice".utf8), Array(decomposed.utf8)]),
                       [.errorText("WRONGPASS invalid username-password pair or user is disabled.")])
        XCTAssertEqual(send(h, client, [Array("AUTH".utf8), Array("alice".utf8), Array(composed.utf8)]), [.ok])
        XCTAssertEqual(send(h, client, [Array("AUTH".utf8), [0x70, 0xFF, 0x77]]), [.ok])
        XCTAssertEqual(send(h, client, [Array("HELLO".utf8), Array("3".utf8), Array("AUTH".utf8), Array("default".utf8), [0x70, 0xFF, 0x77]]).first?.isError, false)
    }

    /// `auth-pass`, `sentinel-pass` and `requirepass` go to instances as the configured bytes
    /// and are rewritten so that they load back as the same bytes.
    func testSecretsAreSentAndRewrittenByteForByte() throws {
        let config = Self.config + """

        requirepass "r\\xe9\\r\\n"
        sentinel auth-pass mymaster "a\\x01\\xfe b"
        sentinel sentinel-pass "s\\xc3\\xa9\\xff"
        sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))
        """
        let h = try SentinelHarness(config: config)
        h.addServer(FakeRedis(port: 6379))
        h.addServer(FakeRedis.sentinel(port: 26380, runID: runID("b")))
        h.tick()
        var sent: [(port: Int, bytes: [UInt8])] = []
        var ports: [ConnectionID: Int] = [:]
        for effect in h.effects {
            if case .connect(let connection, _, let port, _) = effect { ports[connection] = port }
            if case .sendOnConnection(let connection, let bytes) = effect, let port = ports[connection] { sent.append((port, bytes)) }
        }
        func authSent(to port: Int, _ password: [UInt8]) -> Bool {
            var expected: [UInt8] = []
            RESPEncoder.encodeCommand([Array("AUTH".utf8), password], into: &expected)
            return sent.contains { $0.port == port && $0.bytes.starts(with: expected) }
        }
        XCTAssertTrue(authSent(to: 6379, [0x61, 0x01, 0xFE, 0x20, 0x62]), "auth-pass to the master")
        XCTAssertTrue(authSent(to: 26380, [0x73, 0xC3, 0xA9, 0xFF]), "sentinel-pass to the peer")

        let text = h.sentinel.configurationFileToWrite()
        let lines = ConfigurationLines.split(text).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertTrue(lines.contains("requirepass \"r\\xe9\\r\\n\""), "\(lines)")
        XCTAssertTrue(lines.contains("sentinel auth-pass mymaster \"a\\x01\\xfe b\""), "\(lines)")
        XCTAssertTrue(lines.contains("sentinel sentinel-pass \"s\\xc3\\xa9\\xff\""), "\(lines)")
        let reloaded = try ConfigurationParser.parse(bytes: text, fileName: "sentinel.conf") { _ in [] }
        XCTAssertEqual(reloaded.requirePass, Secret([0x72, 0xE9, 0x0D, 0x0A]))
        XCTAssertEqual(reloaded.masters.first?.authPass, Secret([0x61, 0x01, 0xFE, 0x20, 0x62]))
        XCTAssertEqual(reloaded.sentinelPass, Secret([0x73, 0xC3, 0xA9, 0xFF]))
    }

    /// SENTINEL SET auth-pass and SENTINEL CONFIG SET sentinel-pass keep the bytes sent.
    func testSecretsSetAtRuntimeKeepTheirBytes() throws {
        let h = try SentinelHarness(config: Self.config)
        let client = h.connectClient()
        XCTAssertEqual(send(h, client, [Array("SENTINEL".utf8), Array("SET".utf8), Array("mymaster".utf8), Array("auth-pass".utf8), [0xFF, 0x00, 0x41]]), [.ok])
        XCTAssertEqual(send(h, client, [Array("SENTINEL".utf8), Array("CONFIG".utf8), Array("SET".utf8), Array("sentinel-pass".utf8), [0xFE, 0x0A]]), [.ok])
        XCTAssertEqual(send(h, client, [Array("SENTINEL".utf8), Array("CONFIG".utf8), Array("GET".utf8), Array("sentinel-pass".utf8)]),
                       [.array([.bulk("sentinel-pass"), .bulkString([0xFE, 0x0A])])])
        let reloaded = try ConfigurationParser.parse(bytes: h.sentinel.configurationFileToWrite(), fileName: "sentinel.conf") { _ in [] }
        XCTAssertEqual(reloaded.masters.first?.authPass, Secret([0xFF, 0x00, 0x41]))
        XCTAssertEqual(reloaded.sentinelPass, Secret([0xFE, 0x0A]))
    }

    // MARK: Persistence

    /// Without an aclfile, ACL SETUSER and DELUSER rewrite the configuration and reply only
    /// once it is written; the deleted user's connections close after the reply.
    func testUserChangesAreWrittenBeforeTheReply() throws {
        let configuration = try ConfigurationParser.parse(text: Self.config + "\nuser bob on >bpw +@all", fileName: "sentinel.conf") { _ in "" }
        var sentinel = Sentinel(configuration: configuration, configurationText: Self.config + "\nuser bob on >bpw +@all",
                                environment: SentinelEnvironment(listeningPort: 26379), randomSeed: 1,
                                now: Timestamp(monotonic: 1_000_000, wallClock: 1_700_000_000_000))
        let time = Timestamp(monotonic: 1_000_100, wallClock: 1_700_000_000_100)
        var effects = Turn()
        let admin = ClientID(1)
        let bob = ClientID(2)
        for client in [admin, bob] {
            sentinel.handle(.clientConnected(client, remoteAddress: "127.0.0.1:5000\(client)", localAddress: "127.0.0.1:26379"), at: time, into: &effects)
        }
        sentinel.handle(.clientCommand(bob, ["AUTH", "bob", "bpw"]), at: time, into: &effects)

        effects = Turn()
        sentinel.handle(.clientCommand(admin, ["ACL", "SETUSER", "alice", "on", ">apw", "+@all"].map { RequestArgument(Array($0.utf8)) }), at: time, into: &effects)
        guard case .persistConfiguration(let setTicket) = effects.effects.last else { return XCTFail("no write asked for: \(effects.effects)") }
        XCTAssertFalse(effects.effects.contains { if case .sendToClient(admin, _) = $0 { true } else { false } }, "replied before the write")
        let written = sentinel.configurationTextToWrite()
        XCTAssertTrue(written.contains("user alice on #\(Self.hash("apw")) resetchannels +@all\n"), written)
        XCTAssertFalse(written.contains("apw "), "a password in clear: \(written)")
        effects = Turn()
        sentinel.handle(.configurationPersisted(ticket: setTicket, error: nil), at: time, into: &effects)
        XCTAssertTrue(effects.effects.contains { if case .sendToClient(admin, let bytes) = $0 { bytes == Array("+OK\r\n".utf8) } else { false } })

        effects = Turn()
        sentinel.handle(.clientCommand(admin, ["ACL", "DELUSER", "bob"].map { RequestArgument(Array($0.utf8)) }), at: time, into: &effects)
        guard case .persistConfiguration(let deleteTicket) = effects.effects.last else { return XCTFail("no write asked for: \(effects.effects)") }
        XCTAssertFalse(effects.effects.contains { if case .closeClient = $0 { true } else { false } })
        XCTAssertFalse(sentinel.configurationTextToWrite().contains("user bob"))
        effects = Turn()
        sentinel.handle(.configurationPersisted(ticket: deleteTicket, error: nil), at: time, into: &effects)
        XCTAssertEqual(effects.effects.count, 3, "\(effects.effects)")
        guard effects.effects.count == 3, case .sendToClient(admin, let reply) = effects.effects[1], case .closeClient(bob) = effects.effects[2] else {
            return XCTFail("expected the reply, then bob's connection closed: \(effects.effects)")
        }
        XCTAssertEqual(reply, Array(":1\r\n".utf8))
    }

    /// The rewritten users load back as the same users: a revoked user stays revoked.
    func testRewrittenUsersLoadBack() throws {
        let h = try SentinelHarness(config: Self.config + "\nrequirepass rp\nuser bob on >bpw +@all")
        let admin = h.connectClient()
        XCTAssertEqual(h.send(admin, "AUTH", "rp"), .ok)
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "alice", "on", ">apw", "~*", "&*", "+@all", "-sentinel|reset"), .ok)
        XCTAssertEqual(h.send(admin, "ACL", "DELUSER", "bob"), .integer(1))
        let text = h.persistedConfigurations.last ?? ""
        // `requirepass` alone restores the default user: no `user default` line.
        XCTAssertFalse(text.contains("user default"), text)
        let reloaded = try SentinelHarness(config: text)
        let client = reloaded.connectClient()
        XCTAssertEqual(reloaded.send(client, "AUTH", "bob", "bpw"), .errorText("WRONGPASS invalid username-password pair or user is disabled."))
        XCTAssertEqual(reloaded.send(client, "AUTH", "alice", "apw"), .ok)
        XCTAssertEqual(reloaded.send(client, "SENTINEL", "RESET", "*"),
                       .errorText("NOPERM this user has no permissions to run the 'sentinel|reset' command"))
        XCTAssertEqual(reloaded.send(reloaded.connectClient(), "AUTH", "rp"), .ok)

        // A changed default user is written, and wins over requirepass on reload, as in Redis.
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "default", "resetpass", ">newpass"), .ok)
        let changed = try SentinelHarness(config: h.persistedConfigurations.last ?? "")
        XCTAssertEqual(changed.send(changed.connectClient(), "AUTH", "newpass"), .ok)
        XCTAssertEqual(changed.send(changed.connectClient(), "AUTH", "rp"), .errorText("WRONGPASS invalid username-password pair or user is disabled."))

        // So does a default user without a password, though its line is the one every rewrite
        // writes for the implicit default user when there is no requirepass.
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "default", "nopass"), .ok)
        let open = try XCTUnwrap(h.persistedConfigurations.last)
        XCTAssertTrue(open.contains("\nuser default on nopass ~* &* +@all\n"), open)
        let restarted = try SentinelHarness(config: open)
        XCTAssertEqual(restarted.send(restarted.connectClient(), "PING"), .simpleString(Array("PONG".utf8)))
        XCTAssertEqual(String(decoding: restarted.sentinel.configurationFileToWrite(), as: UTF8.self), open)
    }

    /// Bad `user` lines stop the load, naming the rule at fault.
    func testBadUserLinesAreConfigurationErrors() {
        let cases = [
            ("user alice on bogus", "Error in user declaration 'bogus': Syntax error"),
            ("user alice on #abc", "Error in user declaration '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"),
            ("user alice on +get", "Error in user declaration '+get': Unknown command or category name in ACL"),
            ("user alice on <nope", "Error in user declaration '<nope': The password you are trying to remove from the user does not exist"),
            ("user alice on\nuser alice off", "Error in user declaration 'alice': Duplicate user found. A user can only be defined once in config files"),
        ]
        for (lines, message) in cases {
            XCTAssertThrowsError(try ConfigurationParser.parse(text: "port 26379\n" + lines, fileName: "s.conf") { _ in "" }, lines) { error in
                XCTAssertEqual((error as? ConfigurationError)?.message, message)
            }
        }
    }

    // MARK: ACL file

    /// With an aclfile, changes wait for ACL SAVE (as in Redis); ACL LOAD replaces the users
    /// whole, or not at all when a line is wrong.
    func testACLFileSaveAndLoad() throws {
        let h = try SentinelHarness(config: Self.config + "\naclfile /etc/users.acl")
        let admin = h.connectClient()
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "alice", "on", ">apw", "+@all"), .ok)
        XCTAssertFalse(h.effects.contains { if case .persistConfiguration = $0 { true } else { false } })

        // The file is written first; the reply follows the write.
        let saved = h.feed(.clientCommand(admin, ["ACL", "SAVE"]))
        guard saved.count == 2, case .writeACLFile(let path, let contents, _) = saved[0],
              case .sendToClient(admin, let reply) = saved[1] else { return XCTFail("\(saved)") }
        XCTAssertEqual(path, "/etc/users.acl")
        XCTAssertEqual(String(decoding: contents, as: UTF8.self),
                       "user alice on #\(Self.hash("apw")) resetchannels +@all\nuser default on nopass ~* &* +@all\n")
        XCTAssertEqual(reply, Array("+OK\r\n".utf8))

        let bad = h.feed(.clientCommand(admin, ["ACL", "LOAD"]))
        guard case .readACLFile(_, let badTicket) = bad.last else { return XCTFail("\(bad)") }
        let badFile = Array("user carol on >c\nuser dave on bogus\nfoo\n".utf8)
        XCTAssertEqual(sendInput(h, .aclFileRead(ticket: badTicket, contents: badFile, error: nil), to: admin), [
            .errorText("ERR /etc/users.acl:2: Syntax error. /etc/users.acl:3 should start with user keyword followed by the username. WARNING: ACL errors detected, no change to the previously active ACL rules was performed"),
        ])
        XCTAssertEqual(h.send(admin, "ACL", "USERS"), .array([.bulk("alice"), .bulk("default")]))

        let good = h.feed(.clientCommand(admin, ["ACL", "LOAD"]))
        guard case .readACLFile(_, let goodTicket) = good.last else { return XCTFail("\(good)") }
        XCTAssertEqual(sendInput(h, .aclFileRead(ticket: goodTicket, contents: Array("user carol on >c +@all\n".utf8), error: nil), to: admin), [.ok])
        XCTAssertEqual(h.send(admin, "ACL", "USERS"), .array([.bulk("carol"), .bulk("default")]))
        XCTAssertEqual(h.send(h.connectClient(), "AUTH", "carol", "c"), .ok)
    }

    private func sendInput(_ h: SentinelHarness, _ input: SentinelInput, to client: ClientID) -> [RESPValue] {
        var parser = RESPReplyParser()
        for effect in h.feed(input) {
            if case .sendToClient(let target, let bytes) = effect, target == client { parser.append(bytes) }
        }
        var replies: [RESPValue] = []
        while let value = try? parser.next() { replies.append(value) }
        return replies
    }

    // MARK: Authentication and command rights

    func testConnectionsKeepTheDefaultUsersAuthentication() throws {
        let h = try makeHarness()
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "ACL", "SETUSER", "testuser", ">secret", "+@all", "on"), .ok)
        XCTAssertEqual(h.send(c, "ACL", "SETUSER", "default", "off"), .ok)
        // Authenticated as default when it connected: still allowed, as in Redis.
        XCTAssertEqual(h.send(c, "ACL", "WHOAMI"), .bulk("default"))
        // A new connection must authenticate.
        let other = h.connectClient()
        XCTAssertEqual(h.send(other, "PING"), error("NOAUTH Authentication required."))
        XCTAssertEqual(h.send(other, "AUTH", "testuser", "secret"), .ok)
        // Deleting the user answers first, then closes its connections (the caller's too).
        let produced = h.feed(.clientCommand(other, ["ACL", "DELUSER", "testuser"]))
        let replyIndex = produced.firstIndex { if case .sendToClient(let id, let bytes) = $0 { return id == other && bytes == Array(":1\r\n".utf8) } else { return false } }
        let closeIndex = produced.firstIndex { if case .closeClient(let id) = $0 { return id == other } else { return false } }
        XCTAssertNotNil(replyIndex)
        XCTAssertNotNil(closeIndex)
        XCTAssertLessThan(replyIndex ?? 0, closeIndex ?? 0)
    }

    func testAclCommandRights() throws {
        let h = try makeHarness()
        let admin = h.connectClient()
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "app", "on", ">pw", "+sentinel|get-master-addr-by-name", "+ping", "+auth"), .ok)
        let c = h.connectClient()
        XCTAssertEqual(h.send(c, "AUTH", "app", "pw"), .ok)
        XCTAssertEqual(h.send(c, "PING"), .status("PONG"))
        XCTAssertEqual(h.send(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster").elements?.count, 2)
        XCTAssertEqual(h.send(c, "SENTINEL", "MASTERS"), error("NOPERM this user has no permissions to run the 'sentinel|masters' command"))
        XCTAssertEqual(h.send(c, "INFO"), error("NOPERM this user has no permissions to run the 'info' command"))
        XCTAssertEqual(h.send(admin, "ACL", "SETUSER", "app", "+@all", "-info"), .ok)
        XCTAssertNotNil(h.send(c, "SENTINEL", "MASTERS").elements)
        XCTAssertEqual(h.send(c, "INFO"), error("NOPERM this user has no permissions to run the 'info' command"))
    }
}
