import CSystem
import Glibc
import SentinelCore
import XCTest
@testable import SentinelServer

/// TLS streams in one loop (`StreamConnection` with `TLSSession`): handshakes both ways,
/// writes larger than the socket takes, bytes OpenSSL holds after the socket is empty,
/// refused peers (plain text, untrusted or missing certificates), and contexts made again
/// from changed files (`TLSCertificates`). Every wait is `run(until:)` with a deadline.
final class TLSNetworkTests: XCTestCase {
    private let deadline: Int64 = 10_000

    override func setUp() {
        // A write to a peer that reset the connection must fail with EPIPE, not kill the test.
        SignalSource.ignoreSIGPIPE()
    }

    final class Box {
        var serverConnections: [StreamConnection] = []
        var serverCloseReasons: [StreamCloseReason] = []
        var serverReceived: [UInt8] = []
        var received: [UInt8] = []
        var connected = false
        var clientCloseReason: StreamCloseReason?
        /// Called with each chunk a server connection reads, before it is echoed.
        var onServerData: ((StreamConnection, Int) -> Void)?
    }

    /// A TLS echo server on 127.0.0.1 (ephemeral port) using `context`.
    private func makeEchoServer(loop: EpollLoop, context: @escaping () -> TLSContext) throws -> (Listener, Box) {
        let box = Box()
        let listener = try Listener(loop: loop, bindAddresses: ["127.0.0.1"], port: 0) { [box] socket in
            guard let connection = try? StreamConnection(loop: loop, accepted: socket, tls: context()) else { return }
            connection.onData = { [unowned connection, box] bytes in
                box.serverReceived.append(contentsOf: bytes)
                box.onServerData?(connection, bytes.count)
                connection.write(bytes)
            }
            connection.onClose = { [box] reason in box.serverCloseReasons.append(reason) }
            box.serverConnections.append(connection)
        }
        return (listener, box)
    }

    private func connectClient(loop: EpollLoop, port: Int, box: Box, tls: TLSContext?) -> StreamConnection {
        let client = StreamConnection.connect(loop: loop, host: "127.0.0.1", port: port, timeoutMilliseconds: deadline, tls: tls)
        client.onConnect = { [box] in box.connected = true }
        client.onData = { [box] bytes in box.received.append(contentsOf: bytes) }
        client.onClose = { [box] reason in box.clientCloseReason = reason }
        return client
    }

    func testEchoOverTLSWithWritesLargerThanTheSocketTakes() throws {
        let loop = try EpollLoop()
        let server = try TestCertificates.context()
        let (listener, box) = try makeEchoServer(loop: loop) { server }
        let client = connectClient(loop: loop, port: listener.boundAddresses[0].port, box: box,
                                   tls: try TestCertificates.context())
        client.write(Array("PING\r\n".utf8))   // queued until the handshake is done
        XCTAssertEqual(client.state, .connecting)
        XCTAssertTrue(try loop.run(until: { box.received.count == 6 }, timeoutMilliseconds: deadline))
        XCTAssertTrue(box.connected)
        XCTAssertTrue(client.usesTLS)
        XCTAssertEqual(client.peerCertificateSubject, "/O=swift-sentinel test/CN=Server-only")
        XCTAssertEqual(box.serverConnections[0].peerCertificateSubject, "/O=swift-sentinel test/CN=Client-only")

        let size = 8 * 1024 * 1024
        var payload = [UInt8](repeating: 0, count: size)
        for index in 0..<size { payload[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 13) }
        box.received = []
        client.write(payload)
        XCTAssertGreaterThan(client.pendingOutputBytes, 0, "8 MB should not fit in the socket buffers at once")
        XCTAssertTrue(try loop.run(until: { box.received.count >= size }, timeoutMilliseconds: 60_000))
        XCTAssertTrue(box.received == payload)
        XCTAssertEqual(client.pendingOutputBytes, 0)
        XCTAssertNil(box.clientCloseReason)
        XCTAssertTrue(box.serverCloseReasons.isEmpty)

        // A graceful close reaches the peer as the end of the stream.
        client.closeAfterFlush()
        XCTAssertTrue(try loop.run(until: { !box.serverCloseReasons.isEmpty && box.clientCloseReason != nil },
                                   timeoutMilliseconds: deadline))
        XCTAssertEqual(box.serverCloseReasons, [.peerClosed])
        XCTAssertEqual(box.clientCloseReason, .flushedAndClosed)
    }

    /// A record larger than the read buffer leaves decrypted bytes inside OpenSSL once the
    /// socket is empty; reading resumed later must still deliver them (epoll never will).
    func testBytesOpenSSLHoldsAreReadWithoutTheSocket() throws {
        let loop = try EpollLoop(readBufferSize: 1024)
        let server = try TestCertificates.context()
        let (listener, box) = try makeEchoServer(loop: loop) { server }
        var pausedOnce = false
        box.onServerData = { connection, _ in
            guard !pausedOnce else { return }
            pausedOnce = true
            connection.isReadingPaused = true
            loop.scheduleTimer(afterMilliseconds: 50) { connection.isReadingPaused = false }
        }
        let client = connectClient(loop: loop, port: listener.boundAddresses[0].port, box: box,
                                   tls: try TestCertificates.context())
        XCTAssertTrue(try loop.run(until: { box.connected }, timeoutMilliseconds: deadline))
        let payload = (0..<16_000).map { UInt8(truncatingIfNeeded: $0) }   // one TLS record
        client.write(payload)
        XCTAssertTrue(try loop.run(until: { box.serverReceived.count == payload.count }, timeoutMilliseconds: deadline),
                      "read \(box.serverReceived.count) of \(payload.count) bytes")
        XCTAssertTrue(pausedOnce)
        XCTAssertTrue(box.serverReceived == payload)
        XCTAssertTrue(try loop.run(until: { box.received.count == payload.count }, timeoutMilliseconds: deadline))
    }

    func testPlainTextClientOnTheTLSPortIsRefused() throws {
        let loop = try EpollLoop()
        let server = try TestCertificates.context()
        let (listener, box) = try makeEchoServer(loop: loop) { server }
        let client = connectClient(loop: loop, port: listener.boundAddresses[0].port, box: box, tls: nil)
        client.write(Array("*1\r\n$4\r\nPING\r\n".utf8))
        XCTAssertTrue(try loop.run(until: { !box.serverCloseReasons.isEmpty && box.clientCloseReason != nil },
                                   timeoutMilliseconds: deadline))
        guard case .tlsHandshakeFailed(let reason) = box.serverCloseReasons[0] else {
            return XCTFail("\(box.serverCloseReasons)")
        }
        XCTAssertTrue(reason.contains("wrong version number") || reason.contains("http request") || reason.contains("packet length"), reason)
        XCTAssertTrue(box.serverReceived.isEmpty, "nothing a plain-text client sends is read as a command")
    }

    func testClientCertificateIsRequiredAndVerified() throws {
        let cases: [(TLSConfiguration.ClientAuthentication, String, Bool)] = [
            (.yes, "client", true),
            (.yes, "untrusted", false),   // signed by a CA nobody trusts
            (.optional, "client", true),
            (.optional, "untrusted", false),
            (.no, "untrusted", true),
        ]
        for (mode, certificate, accepted) in cases {
            let loop = try EpollLoop()
            let server = try TestCertificates.context(clientAuthentication: mode)
            let (listener, box) = try makeEchoServer(loop: loop) { server }
            let clientContext = try TestCertificates.context(clientCertificate: certificate)
            let client = connectClient(loop: loop, port: listener.boundAddresses[0].port, box: box, tls: clientContext)
            client.write(Array("hello".utf8))
            let label = "\(mode) with \(certificate)"
            if accepted {
                XCTAssertTrue(try loop.run(until: { box.received.count == 5 }, timeoutMilliseconds: deadline), label)
                XCTAssertTrue(box.serverCloseReasons.isEmpty, label)
            } else {
                XCTAssertTrue(try loop.run(until: { !box.serverCloseReasons.isEmpty && box.clientCloseReason != nil },
                                           timeoutMilliseconds: deadline), label)
                guard case .tlsHandshakeFailed = box.serverCloseReasons[0] else { return XCTFail("\(label): \(box.serverCloseReasons)") }
                XCTAssertTrue(box.serverReceived.isEmpty, label)
            }
        }
    }

    func testLinkVerifiesTheServerAgainstTheCA() throws {
        let loop = try EpollLoop()
        let server = try TestCertificates.context(certificate: "untrusted")
        let (listener, box) = try makeEchoServer(loop: loop) { server }
        let client = connectClient(loop: loop, port: listener.boundAddresses[0].port, box: box, tls: try TestCertificates.context())
        XCTAssertTrue(try loop.run(until: { box.clientCloseReason != nil }, timeoutMilliseconds: deadline))
        XCTAssertEqual(client.state, .closed)
        guard case .tlsHandshakeFailed(let reason) = box.clientCloseReason else { return XCTFail("\(String(describing: box.clientCloseReason))") }
        XCTAssertTrue(reason.contains("certificate verify failed"), reason)
        XCTAssertFalse(box.connected)
    }

    func testContextErrorsAreRedisLines() throws {
        let folder = try TestCertificates.directory()
        var tls = try TestCertificates.configuration()
        func message(_ change: (inout TLSConfiguration) -> Void) -> String? {
            var copy = tls
            change(&copy)
            if case .failure(let error) = TLSContext.make(copy) { return error.message }
            return nil
        }
        XCTAssertNil(message { _ in })
        XCTAssertEqual(message { $0.certificateFile = nil }, "No tls-cert-file configured!")
        XCTAssertEqual(message { $0.keyFile = nil }, "No tls-key-file configured!")
        XCTAssertEqual(message { $0.caCertificateFile = nil },
                       "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!")
        XCTAssertNil(message { $0.caCertificateFile = nil; $0.clientAuthentication = .no })
        XCTAssertEqual(message { $0.caCertificateFile = nil; $0.clientAuthentication = .no; $0.replication = true },
                       "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!")
        XCTAssertEqual(message { $0.protocols = "TLSv1.2  TLSv1.3" },
                       "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.")
        XCTAssertNil(message { $0.protocols = "tlsv1.3" })
        XCTAssertTrue(message { $0.certificateFile = "/nonexistent.crt" }?.hasPrefix("Failed to load certificate: /nonexistent.crt: error:") == true)
        XCTAssertTrue(message { $0.keyFile = "\(folder)/client.key" }?.hasPrefix("Failed to load private key: \(folder)/client.key: error:") == true,
                      "a key that does not match the certificate")
        XCTAssertTrue(message { $0.caCertificateFile = "/nonexistent" }?.hasPrefix("Failed to configure CA certificate(s) file/directory: error:") == true)
        XCTAssertEqual(message { $0.ciphers = "NO-SUCH-CIPHER" }, "Failed to configure ciphers: NO-SUCH-CIPHER")
        XCTAssertEqual(message { $0.cipherSuites = "NO_SUCH_SUITE" }, "Failed to configure ciphersuites: NO_SUCH_SUITE")
        XCTAssertNil(message { $0.dhParametersFile = "\(folder)/redis.dh" })
        XCTAssertEqual(message { $0.dhParametersFile = "/nonexistent.dh" }, "Failed to load /nonexistent.dh: No such file or directory")
        XCTAssertEqual(message { $0.dhParametersFile = "\(folder)/ca.crt" }, "\(folder)/ca.crt: failed to read DH params.")
        XCTAssertTrue(message { $0.clientKeyFile = "\(folder)/server.key" }?.hasPrefix("Failed to load private key: \(folder)/server.key") == true)
        tls.clientCertificateFile = nil
        XCTAssertNil(message { _ in }, "without a client certificate links present the server's")
    }

    func testEncryptedKeysNeedTheirPassword() throws {
        let folder = try TestCertificates.directory()
        let encrypted = "\(folder)/encrypted-\(getpid()).key"
        XCTAssertEqual(system("openssl pkey -in '\(folder)/server.key' -aes256 -passout pass:'pa ss' -out '\(encrypted)' 2>/dev/null"), 0)
        defer { unlink(encrypted) }
        var tls = try TestCertificates.configuration()
        tls.keyFile = encrypted
        if case .success = TLSContext.make(tls) { XCTFail("an encrypted key loaded without its password") }
        tls.keyFilePassword = "wrong"
        if case .success = TLSContext.make(tls) { XCTFail("an encrypted key loaded with a wrong password") }
        tls.keyFilePassword = "pa ss"
        if case .failure(let error) = TLSContext.make(tls) { XCTFail(error.message) }
    }

    /// New connections get the context made from the files as they are now; a connection
    /// already open keeps its own; a context that fails to load leaves the previous one.
    func testCertificatesSwappedOnDiskServeNewConnections() throws {
        let folder = try TestCertificates.directory()
        let directory = try TestDirectory()
        defer { directory.remove() }
        let certificate = directory.path + "/server.crt"
        let key = directory.path + "/server.key"
        func install(_ name: String) {
            XCTAssertEqual(system("cp '\(folder)/\(name).crt' '\(certificate).new' && cp '\(folder)/\(name).key' '\(key).new'"
                + " && mv '\(key).new' '\(key)' && mv '\(certificate).new' '\(certificate)'"), 0)
        }
        install("redis")
        var configuration = try TestCertificates.configuration()
        configuration.certificateFile = certificate
        configuration.keyFile = key
        let certificates = try TLSCertificates(configuration: configuration)
        let loop = try EpollLoop()
        var reloads: [Result<Void, TLSSetupError>] = []
        certificates.watchFiles(on: loop) { reloads.append($0) }
        let (listener, box) = try makeEchoServer(loop: loop) { certificates.context }
        let port = listener.boundAddresses[0].port
        let clientContext = try TestCertificates.context()

        let first = connectClient(loop: loop, port: port, box: box, tls: clientContext)
        XCTAssertTrue(try loop.run(until: { box.connected }, timeoutMilliseconds: deadline))
        XCTAssertEqual(first.peerCertificateSubject, "/O=swift-sentinel test/CN=Generic-cert")

        install("rotated")
        XCTAssertTrue(try loop.run(until: { !reloads.isEmpty }, timeoutMilliseconds: deadline), "the change was noticed")
        if case .failure(let error) = reloads[0] { XCTFail(error.message) }
        let secondBox = Box()
        let second = connectClient(loop: loop, port: port, box: secondBox, tls: clientContext)
        XCTAssertTrue(try loop.run(until: { secondBox.connected }, timeoutMilliseconds: deadline))
        XCTAssertEqual(second.peerCertificateSubject, "/O=swift-sentinel test/CN=Rotated-cert")

        // The first connection still works on the certificate it started with.
        box.received = []
        first.write(Array("still here".utf8))
        XCTAssertTrue(try loop.run(until: { box.received.count == 10 }, timeoutMilliseconds: deadline))
        XCTAssertEqual(first.peerCertificateSubject, "/O=swift-sentinel test/CN=Generic-cert")

        // A broken file is reported and the rotated certificate stays in use.
        let inUse = certificates.context
        XCTAssertEqual(system("echo broken > '\(certificate)'"), 0)
        XCTAssertTrue(try loop.run(until: { reloads.count == 2 }, timeoutMilliseconds: deadline))
        guard case .failure(let error) = reloads[1] else { return XCTFail("a broken certificate loaded") }
        XCTAssertTrue(error.message.hasPrefix("Failed to load certificate: \(certificate)"), error.message)
        XCTAssertTrue(certificates.context === inUse)
        XCTAssertTrue(try loop.run(until: { false }, timeoutMilliseconds: 1_500) == false)
        XCTAssertEqual(reloads.count, 2, "an unchanged broken file is not retried every second")
    }
}
