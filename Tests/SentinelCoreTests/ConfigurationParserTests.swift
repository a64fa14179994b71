import XCTest
@testable import SentinelCore

final class ConfigurationParserTests: XCTestCase {
    let myID = String(repeating: "a", count: 40)

    func parse(_ text: String, includes: [String: String] = [:]) throws -> SentinelConfiguration {
        try ConfigurationParser.parse(text: text, fileName: "sentinel.conf") { path in
            guard let text = includes[path] else { throw MissingFile() }
            return text
        }
    }

    struct MissingFile: Error, CustomStringConvertible { var description: String { "No such file or directory" } }

    func assertError(_ text: String, line: Int, message: String, in fileName: String = "sentinel.conf",
                     includes: [String: String] = [:], file: StaticString = #filePath, sourceLine: UInt = #line) {
        do {
            _ = try parse(text, includes: includes)
            XCTFail("no error", file: file, line: sourceLine)
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.lineNumber, line, "line", file: file, line: sourceLine)
            XCTAssertEqual(error.message, message, file: file, line: sourceLine)
            XCTAssertEqual(error.fileName, fileName, file: file, line: sourceLine)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: sourceLine)
        }
    }

    /// A file with CRLF line endings reads like one with LF endings (Redis splits at LF and
    /// trims the CR). As a Swift String "\r\n" is one character, so splitting text at "\n"
    /// left such a file one line: a leading comment made it a comment, with no masters, no
    /// password and the default bind. Included files are read the same way.
    func testCRLFLineEndings() throws {
        let text = "# managed by hand on Windows\r\nport 26380\r\nbind 127.0.0.1 ::1\r\nrequirepass \"pa ss\"\r\n"
            + "include extra.conf\r\nsentinel monitor m 10.0.0.1 6379 2\r\nsentinel auth-pass m pw\r\n"
        let c = try parse(text, includes: ["extra.conf": "# more\r\nsentinel monitor n 10.0.0.2 6380 1\r\n"])
        XCTAssertEqual(c.port, 26380)
        XCTAssertEqual(c.bindAddresses, ["127.0.0.1", "::1"])
        XCTAssertEqual(c.requirePass, "pa ss")
        XCTAssertEqual(c.masters.map(\.name), ["n", "m"])
        XCTAssertEqual(c.master(named: "m")?.authPass, "pw")
        // A CR inside a line is no line ending (it separates words, as a space does), and a
        // CR before LF is trimmed, not kept.
        assertError("port 1\r\nsentinel monitor m 10.0.0.1 6379 2 \r3\r\n", line: 2, message: "Unrecognized sentinel configuration statement.")
        XCTAssertEqual(try parse("sentinel monitor m 10.0.0.1 6379 2\r\r\n").masters.first?.quorum, 2)
    }

    func testGenericDirectives() throws {
        let c = try parse("""
        port 26380
        bind 127.0.0.1 ::1
        bind-source-addr 10.0.0.9
        protected-mode yes
        daemonize YES
        pidfile /run/s.pid
        logfile "/var/log/s.log"
        loglevel warning
        syslog-enabled yes
        syslog-ident sentinel
        syslog-facility LOCAL3
        dir /tmp
        requirepass secret
        user alice on >pw ~* +@all
        aclfile /etc/users.acl
        enable-debug-command local
        enable-protected-configs yes
        hz 20
        maxclients 100
        rename-command CONFIG ""
        """)
        XCTAssertEqual(c.port, 26380)
        XCTAssertEqual(c.bindAddresses, ["127.0.0.1", "::1"])
        XCTAssertEqual(c.bindSourceAddress, "10.0.0.9")
        XCTAssertTrue(c.protectedMode)
        XCTAssertTrue(c.daemonize)
        XCTAssertEqual(c.pidFile, "/run/s.pid")
        XCTAssertEqual(c.logFile, "/var/log/s.log")
        XCTAssertEqual(c.logLevel, .warning)
        XCTAssertTrue(c.syslogEnabled)
        XCTAssertEqual(c.syslogIdent, "sentinel")
        XCTAssertEqual(c.syslogFacility, "local3")
        XCTAssertEqual(c.directory, "/tmp")
        XCTAssertEqual(c.requirePass, "secret")
        // The password is kept as its SHA-256 only, as Redis keeps and rewrites it.
        XCTAssertEqual(c.aclUsers, [["alice", "on", "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4", "~*", "+@all"]])
        XCTAssertEqual(c.aclFile, "/etc/users.acl")
        XCTAssertEqual(c.enableDebugCommand, "local")
        XCTAssertEqual(c.enableProtectedConfigs, "yes")
        XCTAssertEqual(c.maxClients, 100)
        XCTAssertEqual(c.ignoredDirectives, [
            IgnoredDirective(name: "hz", arguments: ["20"]),
            IgnoredDirective(name: "rename-command", arguments: ["CONFIG", ""]),
        ])
    }

    func testDefaultsAndSingleQuotedBindList() throws {
        let c = try parse("# nothing\n\n   \nbind \"127.0.0.1 ::1\"\n")
        XCTAssertEqual(c.port, 26379)
        XCTAssertFalse(c.protectedMode)
        XCTAssertEqual(c.bindAddresses, ["127.0.0.1", "::1"])
        XCTAssertNil(c.myID)
    }

    func testEverySentinelDirective() throws {
        let c = try parse("""
        sentinel myid \(myID)
        sentinel current-epoch 7
        sentinel announce-ip 1.2.3.4
        sentinel announce-port 1234
        sentinel resolve-hostnames yes
        sentinel announce-hostnames no
        sentinel deny-scripts-reconfig no
        sentinel sentinel-user su
        sentinel sentinel-pass "s p"
        SENTINEL MONITOR mymaster 127.0.0.1 6379 2
        sentinel down-after-milliseconds mymaster 3000
        sentinel failover-timeout mymaster 20000
        sentinel parallel-syncs mymaster 3
        sentinel notification-script mymaster /n.sh
        sentinel client-reconfig-script mymaster /r.sh
        sentinel auth-pass mymaster pw
        sentinel auth-user mymaster au
        sentinel master-reboot-down-after-period mymaster 5000
        sentinel config-epoch mymaster 3
        sentinel leader-epoch mymaster 4
        sentinel known-replica mymaster 127.0.0.1 6380
        sentinel known-slave mymaster 127.0.0.1 6381
        sentinel known-sentinel mymaster 127.0.0.1 26380 \(String(repeating: "b", count: 40))
        sentinel known-sentinel mymaster 127.0.0.1 26381
        sentinel rename-command mymaster CONFIG GUESS
        """)
        XCTAssertEqual(c.myID, myID)
        XCTAssertEqual(c.currentEpoch, 7)
        XCTAssertEqual(c.announceIP, "1.2.3.4")
        XCTAssertEqual(c.announcePort, 1234)
        XCTAssertTrue(c.resolveHostnames)
        XCTAssertFalse(c.announceHostnames)
        XCTAssertFalse(c.denyScriptsReconfig)
        XCTAssertEqual(c.sentinelUser, "su")
        XCTAssertEqual(c.sentinelPass, "s p")
        let m = try XCTUnwrap(c.master(named: "mymaster"))
        XCTAssertEqual(m.host, "127.0.0.1")
        XCTAssertEqual(m.port, 6379)
        XCTAssertEqual(m.quorum, 2)
        XCTAssertEqual(m.downAfterMilliseconds, 3000)
        XCTAssertEqual(m.failoverTimeout, 20000)
        XCTAssertEqual(m.parallelSyncs, 3)
        XCTAssertEqual(m.notificationScript, "/n.sh")
        XCTAssertEqual(m.clientReconfigScript, "/r.sh")
        XCTAssertEqual(m.authPass, "pw")
        XCTAssertEqual(m.authUser, "au")
        XCTAssertEqual(m.masterRebootDownAfterPeriod, 5000)
        XCTAssertEqual(m.configEpoch, 3)
        XCTAssertEqual(m.leaderEpoch, 4)
        XCTAssertEqual(m.knownReplicas, [HostPort(host: "127.0.0.1", port: 6380), HostPort(host: "127.0.0.1", port: 6381)])
        XCTAssertEqual(m.knownSentinels, [KnownSentinel(address: HostPort(host: "127.0.0.1", port: 26380),
                                                        runID: String(repeating: "b", count: 40))])
        XCTAssertEqual(m.renamedCommands, [RenamedCommand(command: "CONFIG", renamed: "GUESS")])
        XCTAssertEqual(c.scriptReferences.map(\.path), ["/n.sh", "/r.sh"])
        XCTAssertEqual(c.scriptReferences[0].source.lineNumber, 14)
        XCTAssertEqual(c.scriptReferences[1].missingScriptError.message,
                       "Client reconfiguration script seems non existing or non executable.")
    }

    func testThreePassOrder() throws {
        // Per-master options before their monitor line, resolve-hostnames after it.
        let c = try parse("""
        sentinel down-after-milliseconds m 1000
        sentinel known-replica m db2.example 6380
        sentinel monitor m db1.example 6379 1
        sentinel resolve-hostnames yes
        sentinel config-epoch m 9
        sentinel current-epoch 2
        """)
        XCTAssertEqual(c.masters.first?.downAfterMilliseconds, 1000)
        XCTAssertEqual(c.masters.first?.host, "db1.example")
        XCTAssertEqual(c.masters.first?.knownReplicas, [HostPort(host: "db2.example", port: 6380)])
        XCTAssertEqual(c.currentEpoch, 9, "config-epoch raises the current epoch; current-epoch only raises")
    }

    func testIPLiteralsAreCanonical() throws {
        let c = try parse("sentinel monitor a 127.1 1 1\nsentinel monitor b ::FFFF:10.0.0.1 1 1\nsentinel monitor c 0:0:0:0:0:0:0:1 1 1\n")
        XCTAssertEqual(c.masters.map(\.host), ["127.0.0.1", "::ffff:10.0.0.1", "::1"])
        XCTAssertNil(IPAddressLiteral.canonical("db.example"))
        XCTAssertEqual(IPAddressLiteral.canonical("0x7f.1"), "127.0.0.1")
        XCTAssertNil(IPAddressLiteral.canonical("1.2.3.4."))
        XCTAssertNil(IPAddressLiteral.canonical("1.2.3.4.5"))
        XCTAssertNil(IPAddressLiteral.canonical("1:2:3:4:5:6:7:8:9"))
        XCTAssertNil(IPAddressLiteral.canonical("1::2::3"))
        XCTAssertEqual(IPAddressLiteral.canonical("2001:DB8:0:0:1:0:0:1"), "2001:db8::1:0:0:1")
        XCTAssertEqual(IPAddressLiteral.canonical("fe80::1%eth0"), "fe80::1")
    }

    func testInclude() throws {
        let c = try parse("port 1\ninclude extra.conf\nsentinel monitor m 10.0.0.1 6379 2\n",
                          includes: ["extra.conf": "port 2\nsentinel down-after-milliseconds m 5000\n"])
        XCTAssertEqual(c.port, 2)
        XCTAssertEqual(c.masters.first?.downAfterMilliseconds, 5000)
        assertError("port 1\ninclude extra.conf\n", line: 2, message: "Bad directive or wrong number of arguments",
                    in: "extra.conf", includes: ["extra.conf": "\nbogus 1\n"])
        assertError("include missing.conf", line: 1,
                    message: "Fatal error, can't open config file 'missing.conf': No such file or directory")
    }

    func testQuoting() throws {
        let c = try parse(#"""
        sentinel monitor m 10.0.0.1 6379 2
        sentinel auth-pass m "a b\"c\x41"
        sentinel auth-user m 'it\'s'
        logfile ""
        """#)
        XCTAssertEqual(c.masters.first?.authPass, "a b\"cA")
        XCTAssertEqual(c.masters.first?.authUser, "it's")
        XCTAssertEqual(c.logFile, "")
    }

    func testErrors() {
        let monitor = "sentinel monitor m 10.0.0.1 6379 2\n"
        assertError("\n\nfoo bar", line: 3, message: "Bad directive or wrong number of arguments")
        assertError("include", line: 1, message: "Bad directive or wrong number of arguments")
        assertError("port 1 2", line: 1, message: "wrong number of arguments")
        assertError("port x", line: 1, message: "argument couldn't be parsed into an integer")
        assertError("port 65536", line: 1, message: "argument must be between 0 and 65535 inclusive")
        assertError("daemonize maybe", line: 1, message: "argument must be 'yes' or 'no'")
        assertError("loglevel loud", line: 1,
                    message: "argument(s) must be one of the following: debug, verbose, notice, warning, nothing")
        assertError("bind " + Array(repeating: "1.1.1.1", count: 17).joined(separator: " "), line: 1,
                    message: "Too many bind addresses specified.")
        assertError("port \"1", line: 1, message: "Unbalanced quotes in configuration line")
        assertError("my.module", line: 1, message: "Module config specified without value")
        assertError("sentinel foo", line: 1, message: "Unrecognized sentinel configuration statement.")
        assertError("sentinel monitor m 10.0.0.1 6379", line: 1, message: "Unrecognized sentinel configuration statement.")
        assertError("sentinel monitor m 10.0.0.1 6379 0", line: 1, message: "Quorum must be 1 or greater.")
        assertError("sentinel monitor m 10.0.0.1 70000 1", line: 1, message: "Invalid port number.")
        assertError("sentinel monitor m db.example 6379 1", line: 1, message: "Can't resolve instance hostname.")
        assertError(monitor + monitor, line: 2, message: "Duplicate master name.")
        assertError("sentinel down-after-milliseconds x 1\n" + monitor, line: 1, message: "No such master with specified name.")
        assertError(monitor + "sentinel down-after-milliseconds m 0", line: 2, message: "negative or zero time parameter.")
        assertError(monitor + "sentinel failover-timeout m -5", line: 2, message: "negative or zero time parameter.")
        assertError(monitor + "sentinel master-reboot-down-after-period m -1", line: 2, message: "negative time parameter.")
        assertError(monitor + "sentinel known-replica m 10.0.0.2 1\nsentinel known-slave m 10.0.0.2 1", line: 3,
                    message: "Duplicate hostname and port for replica.")
        let runID = String(repeating: "c", count: 40)
        assertError(monitor + "sentinel known-sentinel m 10.0.0.2 1 \(runID)\nsentinel known-sentinel m 10.0.0.3 1 \(runID)",
                    line: 3, message: "Duplicate runid for sentinel.")
        assertError(monitor + "sentinel rename-command m a b\nsentinel rename-command m A c", line: 3,
                    message: "Same command renamed multiple times with rename-command.")
        assertError("sentinel myid abc", line: 1, message: "Malformed Sentinel id in myid option.")
        assertError("sentinel resolve-hostnames maybe", line: 1,
                    message: "Please specify yes or no for the resolve-hostnames option.")
        assertError("sentinel announce-hostnames 1", line: 1,
                    message: "Please specify yes or no for the announce-hostnames option.")
        assertError("sentinel deny-scripts-reconfig 1", line: 1,
                    message: "Please specify yes or no for the deny-scripts-reconfig options.")
        // Generic errors come first: sentinel lines are applied after the whole file.
        assertError("sentinel foo\nport x", line: 2, message: "argument couldn't be parsed into an integer")
        // Pass order decides which sentinel error is reported.
        assertError("sentinel foo\nsentinel myid x", line: 2, message: "Malformed Sentinel id in myid option.")
    }

    func testErrorDescription() {
        let error = ConfigurationError(fileName: "s.conf", lineNumber: 3, lineText: "sentinel foo",
                                       message: "Unrecognized sentinel configuration statement.")
        XCTAssertEqual(error.description, "s.conf:3: Unrecognized sentinel configuration statement. ('sentinel foo')")
    }

    func testIgnoredFormsAndEmptyValues() throws {
        let c = try parse("sentinel\nsentinel announce-ip \"\"\nsentinel sentinel-pass \"\"\nlist-max-ziplist-entries 5\nslaveof 1.2.3.4 5\n")
        XCTAssertNil(c.announceIP)
        XCTAssertNil(c.sentinelPass)
        XCTAssertEqual(c.ignoredDirectives, [IgnoredDirective(name: "slaveof", arguments: ["1.2.3.4", "5"])])
    }
}
