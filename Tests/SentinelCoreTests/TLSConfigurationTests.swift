import RESP
import XCTest
@testable import SentinelCore

/// The `tls-*` directives (`Configuration/TLSConfiguration.swift`): Redis 7.0's validation and
/// error texts, defaults, `CONFIG REWRITE`'s treatment, and the ports a hello and INFO name
/// (sentinel.c's `sentinelSendHello`, server.c's `tcp_port`).
final class TLSConfigurationTests: MonitoringTestCase {
    func parse(_ text: String) throws -> SentinelConfiguration {
        try ConfigurationParser.parse(text: text, fileName: "sentinel.conf") { _ in "" }
    }

    func assertError(_ text: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try parse(text)
            XCTFail("no error for \(text)", file: file, line: line)
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.message, message, file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    func testEveryDirectiveIsApplied() throws {
        let c = try parse("""
        port 0
        tls-port 26380
        tls-cert-file /certs/server.crt
        tls-key-file /certs/server.key
        tls-key-file-pass "s3cret"
        tls-client-cert-file /certs/client.crt
        tls-client-key-file /certs/client.key
        tls-client-key-file-pass "x\\x00y"
        tls-dh-params-file /certs/redis.dh
        tls-ca-cert-file /certs/ca.crt
        tls-ca-cert-dir /certs/ca
        tls-auth-clients OPTIONAL
        tls-protocols "TLSv1.2 TLSv1.3"
        tls-ciphers DEFAULT:!MEDIUM
        tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256
        tls-prefer-server-ciphers yes
        tls-session-caching no
        tls-session-cache-size 100
        tls-session-cache-timeout 60
        tls-replication yes
        tls-cluster yes
        """)
        var expected = TLSConfiguration()
        expected.port = 26380
        expected.certificateFile = "/certs/server.crt"
        expected.keyFile = "/certs/server.key"
        expected.keyFilePassword = "s3cret"
        expected.clientCertificateFile = "/certs/client.crt"
        expected.clientKeyFile = "/certs/client.key"
        expected.clientKeyFilePassword = Secret([0x78, 0x00, 0x79])
        expected.dhParametersFile = "/certs/redis.dh"
        expected.caCertificateFile = "/certs/ca.crt"
        expected.caCertificateDirectory = "/certs/ca"
        expected.clientAuthentication = .optional
        expected.protocols = "TLSv1.2 TLSv1.3"
        expected.ciphers = "DEFAULT:!MEDIUM"
        expected.cipherSuites = "TLS_CHACHA20_POLY1305_SHA256"
        expected.preferServerCiphers = true
        expected.sessionCaching = false
        expected.sessionCacheSize = 100
        expected.sessionCacheTimeout = 60
        expected.replication = true
        expected.cluster = true
        XCTAssertEqual(c.tls, expected)
        XCTAssertEqual(c.port, 0)
        XCTAssertTrue(c.tls.isEnabled)
        XCTAssertTrue(c.ignoredDirectives.isEmpty, "\(c.ignoredDirectives)")
    }

    func testDefaultsAndEmptyStringsUnset() throws {
        let defaults = try parse("")
        XCTAssertEqual(defaults.tls, TLSConfiguration())
        XCTAssertFalse(defaults.tls.isEnabled)
        XCTAssertEqual(defaults.tls.clientAuthentication, .yes)
        XCTAssertEqual(defaults.tls.sessionCacheSize, 20480)
        XCTAssertEqual(defaults.tls.sessionCacheTimeout, 300)
        XCTAssertTrue(defaults.tls.sessionCaching)
        let c = try parse("tls-cert-file a\ntls-cert-file \"\"\ntls-key-file-pass p\ntls-key-file-pass \"\"\ntls-ciphers \"\"")
        XCTAssertNil(c.tls.certificateFile)
        XCTAssertNil(c.tls.keyFilePassword)
        XCTAssertNil(c.tls.ciphers)
    }

    func testRedisValidationTexts() {
        assertError("tls-port 65536", "argument must be between 0 and 65535 inclusive")
        assertError("tls-port -1", "argument must be between 0 and 65535 inclusive")
        assertError("tls-port abc", "argument couldn't be parsed into an integer")
        assertError("tls-session-cache-size 2147483648", "argument must be between 0 and 2147483647 inclusive")
        assertError("tls-session-cache-timeout -5", "argument must be between 0 and 2147483647 inclusive")
        assertError("tls-replication maybe", "argument must be 'yes' or 'no'")
        assertError("tls-cluster 1", "argument must be 'yes' or 'no'")
        assertError("tls-session-caching on", "argument must be 'yes' or 'no'")
        assertError("tls-prefer-server-ciphers x", "argument must be 'yes' or 'no'")
        assertError("tls-auth-clients required", "argument(s) must be one of the following: no, yes, optional")
        assertError("tls-cert-file a b", "wrong number of arguments")
        assertError("tls-protocols TLSv1.2 TLSv1.3", "wrong number of arguments")
    }

    func testEnabledByPortReplicationOrCluster() throws {
        XCTAssertTrue(try parse("tls-port 1").tls.isEnabled)
        XCTAssertTrue(try parse("tls-replication yes").tls.isEnabled)
        XCTAssertTrue(try parse("tls-cluster yes").tls.isEnabled)
        XCTAssertFalse(try parse("tls-cert-file a\ntls-auth-clients no").tls.isEnabled)
    }

    /// As `CONFIG REWRITE` does it: values at their defaults stay where they are written but
    /// are not added, others are forced; set strings and passwords are quoted; unset ones
    /// disappear. (Checked against redis-sentinel 7.0.15's rewrite of the same file.)
    func testRewriteLikeRedis() throws {
        let original = """
        port 26379
        tls-port 26380
        tls-cert-file /certs/server.crt
        tls-session-caching yes
        tls-key-file-pass ""
        tls-auth-clients optional
        tls-protocols "TLSv1.2 TLSv1.3"

        """
        var configuration = try parse(original)
        configuration.tls.keyFile = "/certs/server.key"
        configuration.tls.clientKeyFilePassword = Secret([0x61, 0x0A, 0x62])
        configuration.tls.replication = true
        let output = ConfigurationRenderer.render(configuration, over: original)
        XCTAssertTrue(output.hasPrefix("""
        port 26379
        tls-port 26380
        tls-cert-file "/certs/server.crt"
        tls-session-caching yes

        tls-auth-clients optional
        tls-protocols "TLSv1.2 TLSv1.3"

        # Generated by CONFIG REWRITE
        """), output)
        let generated = output.components(separatedBy: "# Generated by CONFIG REWRITE\n")[1].split(separator: "\n")
        XCTAssertTrue(generated.contains("tls-replication yes"), output)
        XCTAssertTrue(generated.contains("tls-key-file \"/certs/server.key\""), output)
        XCTAssertTrue(generated.contains("tls-client-key-file-pass \"a\\nb\""), output)
        XCTAssertFalse(output.contains("tls-session-cache-size"), output)
        XCTAssertFalse(output.contains("tls-cluster"), output)
        // The rewrite loads back to the same values.
        XCTAssertEqual(try parse(output).tls, configuration.tls)
    }

    func testHelloAnnouncesTLSPortOnlyWithTLSReplication() throws {
        var c = try parse("port 26379\ntls-port 26380")
        XCTAssertEqual(c.helloPort(listeningPort: 26379), 26379)
        c.tls.replication = true
        XCTAssertEqual(c.helloPort(listeningPort: 26379), 26380)
        c.announcePort = 5000
        XCTAssertEqual(c.helloPort(listeningPort: 26379), 5000)
        var tlsOnly = try parse("port 0\ntls-port 26380\ntls-replication yes")
        XCTAssertEqual(tlsOnly.helloPort(listeningPort: 0), 26380)
        tlsOnly.tls.replication = false
        XCTAssertEqual(tlsOnly.helloPort(listeningPort: 0), 0, "Redis announces port 0 then")
    }

    func testInfoReportsTLSPortWhenPortIsZero() throws {
        XCTAssertEqual(try parse("port 0\ntls-port 26380").reportedPort(listeningPort: 0), 26380)
        XCTAssertEqual(try parse("port 26379\ntls-port 26380").reportedPort(listeningPort: 26379), 26379)
    }

    func testPublishedHelloCarriesTLSPort() throws {
        let (h, master) = try makeHarness("tls-port 26390\ntls-replication yes")
        h.run(for: 2_500)
        let hellos = master.received.filter { $0.arguments.first == "PUBLISH" }.map(\.arguments)
        XCTAssertEqual(hellos.first, ["PUBLISH", "__sentinel__:hello",
                                      "127.0.0.1,26390,\(MonitoringTestCase.myID),0,mymaster,127.0.0.1,6379,0"])
    }
}
