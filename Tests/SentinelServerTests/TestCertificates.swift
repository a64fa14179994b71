import Glibc
import SentinelCore
import XCTest
@testable import SentinelServer

/// A throw-away certificate set made by `Scripts/generate-test-certificates.sh` (a CA, server,
/// client, generic and rotated certificates, an untrusted CA's certificate, DH parameters),
/// made once per test process.
enum TestCertificates {
    private static let made: Result<String, XCTSkip> = {
        let directory: TestDirectory
        do { directory = try TestDirectory() } catch { return .failure(XCTSkip("no temporary directory")) }
        // #filePath is <root>/Tests/SentinelServerTests/TestCertificates.swift.
        let root = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        let script = root + "/Scripts/generate-test-certificates.sh"
        guard system("'\(script)' '\(directory.path)' >/dev/null 2>&1") == 0 else {
            return .failure(XCTSkip("generate-test-certificates.sh failed (is openssl installed?)"))
        }
        return .success(directory.path)
    }()

    /// The folder holding the certificates.
    static func directory() throws -> String {
        try made.get()
    }

    /// `tls-*` settings: `certificate` as the server's, `clientCertificate` presented on
    /// links, the test CA trusted.
    static func configuration(certificate: String = "server", clientCertificate: String? = "client",
                              clientAuthentication: TLSConfiguration.ClientAuthentication = .yes) throws -> TLSConfiguration {
        let folder = try directory()
        var tls = TLSConfiguration()
        tls.port = 1
        tls.certificateFile = "\(folder)/\(certificate).crt"
        tls.keyFile = "\(folder)/\(certificate).key"
        if let clientCertificate {
            tls.clientCertificateFile = "\(folder)/\(clientCertificate).crt"
            tls.clientKeyFile = "\(folder)/\(clientCertificate).key"
        }
        tls.caCertificateFile = "\(folder)/ca.crt"
        tls.clientAuthentication = clientAuthentication
        return tls
    }

    static func context(certificate: String = "server", clientCertificate: String? = "client",
                        clientAuthentication: TLSConfiguration.ClientAuthentication = .yes) throws -> TLSContext {
        try TLSContext.make(configuration(certificate: certificate, clientCertificate: clientCertificate,
                                          clientAuthentication: clientAuthentication)).get()
    }
}
