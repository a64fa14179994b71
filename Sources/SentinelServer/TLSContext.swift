import COpenSSL
import SentinelCore

/// Why TLS could not be set up: Redis's log line for the first problem found.
public struct TLSSetupError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    /// The line Redis logs after the reason when TLS cannot be set up at start-up.
    public static let startupFailure = "Failed to configure TLS. Check logs for more info."
}

/// The OpenSSL contexts made from the `tls-*` directives, as Redis's `tlsConfigure` makes
/// them: one for the TLS port (and for outgoing links when no client certificate is
/// configured), and one for outgoing links when `tls-client-cert-file` and
/// `tls-client-key-file` are both set. Every file is read when the context is made; a
/// connection keeps the context it started with, so a new one (a reload) only affects new
/// connections.
public final class TLSContext {
    /// The server side (`SSL_CTX *`).
    let server: OpaquePointer
    /// The client side, when a client certificate is configured (`SSL_CTX *`).
    let client: OpaquePointer?
    /// `tls-auth-clients`, applied to each accepted connection.
    let clientAuthentication: TLSConfiguration.ClientAuthentication

    private init(server: OpaquePointer, client: OpaquePointer?, clientAuthentication: TLSConfiguration.ClientAuthentication) {
        self.server = server
        self.client = client
        self.clientAuthentication = clientAuthentication
    }

    deinit {
        SSL_CTX_free(server)
        if let client { SSL_CTX_free(client) }
    }

    /// The context outgoing links start from.
    var outgoing: OpaquePointer { client ?? server }

    /// Makes the contexts, checking what `tlsConfigure` checks in the same order and failing
    /// with its log line: a certificate and a key are required; a CA (file or directory) is
    /// required when clients must authenticate or links use TLS; `tls-protocols` must name
    /// only TLSv1, TLSv1.1, TLSv1.2 and TLSv1.3; then each file and cipher list must load.
    public static func make(_ configuration: TLSConfiguration) -> Result<TLSContext, TLSSetupError> {
        OpenSSLLibrary.initializeOnce()
        guard let certificateFile = configuration.certificateFile else { return .failure(TLSSetupError(message: "No tls-cert-file configured!")) }
        guard let keyFile = configuration.keyFile else { return .failure(TLSSetupError(message: "No tls-key-file configured!")) }
        if configuration.clientAuthentication != .no || configuration.cluster || configuration.replication,
           configuration.caCertificateFile == nil, configuration.caCertificateDirectory == nil {
            return .failure(TLSSetupError(message: "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!"))
        }
        guard let protocols = protocolBits(configuration.protocols) else {
            return .failure(TLSSetupError(message: "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."))
        }
        let server: OpaquePointer
        switch makeBase(configuration, protocols: protocols, certificateFile: certificateFile, keyFile: keyFile,
                        password: configuration.keyFilePassword) {
        case .success(let context): server = context
        case .failure(let error): return .failure(error)
        }
        copenssl_context_set_session_cache(server, configuration.sessionCaching ? 1 : 0,
                                           configuration.sessionCacheSize, configuration.sessionCacheTimeout)
        copenssl_context_set_server_options(server, configuration.preferServerCiphers ? 1 : 0)
        var errorText = [CChar](repeating: 0, count: 512)
        let dhLoaded = withOptionalCString(configuration.dhParametersFile) { path in
            copenssl_context_set_dh_parameters(server, path, &errorText, errorText.count)
        }
        guard dhLoaded == 1 else {
            SSL_CTX_free(server)
            return .failure(TLSSetupError(message: cString(errorText)))
        }
        var client: OpaquePointer?
        if let clientCertificate = configuration.clientCertificateFile, let clientKey = configuration.clientKeyFile {
            switch makeBase(configuration, protocols: protocols, certificateFile: clientCertificate, keyFile: clientKey,
                            password: configuration.clientKeyFilePassword) {
            case .success(let context): client = context
            case .failure(let error):
                SSL_CTX_free(server)
                return .failure(error)
            }
        }
        return .success(TLSContext(server: server, client: client, clientAuthentication: configuration.clientAuthentication))
    }

    /// The protocol bits of `tls-protocols` (absent: TLSv1.2 and TLSv1.3), or nil when a word
    /// is not a protocol. Words are separated by single spaces, as Redis splits them.
    static func protocolBits(_ text: String?) -> Int32? {
        guard let text else { return COPENSSL_PROTOCOL_TLSV1_2 | COPENSSL_PROTOCOL_TLSV1_3 }
        var bits: Int32 = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            switch word.lowercased() {
            case "tlsv1": bits |= COPENSSL_PROTOCOL_TLSV1
            case "tlsv1.1": bits |= COPENSSL_PROTOCOL_TLSV1_1
            case "tlsv1.2": bits |= COPENSSL_PROTOCOL_TLSV1_2
            case "tlsv1.3": bits |= COPENSSL_PROTOCOL_TLSV1_3
            default: return nil
            }
        }
        return bits
    }

    /// Redis's `createSSLContext`: the base settings, a certificate chain and its key, the
    /// CAs, and the cipher lists.
    private static func makeBase(_ configuration: TLSConfiguration, protocols: Int32, certificateFile: String, keyFile: String,
                                 password: Secret?) -> Result<OpaquePointer, TLSSetupError> {
        ERR_clear_error()
        guard let context = copenssl_context_new(protocols) else {
            return .failure(TLSSetupError(message: "Failed to create an OpenSSL context: \(OpenSSLLibrary.takeError())"))
        }
        func fail(_ message: String) -> Result<OpaquePointer, TLSSetupError> {
            SSL_CTX_free(context)
            return .failure(TLSSetupError(message: message))
        }
        if SSL_CTX_use_certificate_chain_file(context, certificateFile) <= 0 {
            return fail("Failed to load certificate: \(certificateFile): \(OpenSSLLibrary.takeError())")
        }
        // The password as a C string: like Redis, it ends at its first NUL byte.
        let passwordBytes = password.map { Array($0.bytes.prefix { $0 != 0 }) + [0] }
        let keyLoaded = passwordBytes.withOptionalBytes { bytes in
            copenssl_context_use_private_key_file(context, keyFile, bytes)
        }
        if keyLoaded != 1 {
            return fail("Failed to load private key: \(keyFile): \(OpenSSLLibrary.takeError())")
        }
        if configuration.caCertificateFile != nil || configuration.caCertificateDirectory != nil {
            let loaded = withOptionalCString(configuration.caCertificateFile) { file in
                withOptionalCString(configuration.caCertificateDirectory) { directory in
                    SSL_CTX_load_verify_locations(context, file, directory)
                }
            }
            if loaded <= 0 {
                return fail("Failed to configure CA certificate(s) file/directory: \(OpenSSLLibrary.takeError())")
            }
        }
        if let ciphers = configuration.ciphers, SSL_CTX_set_cipher_list(context, ciphers) == 0 {
            return fail("Failed to configure ciphers: \(ciphers)")
        }
        if let suites = configuration.cipherSuites, SSL_CTX_set_ciphersuites(context, suites) == 0 {
            return fail("Failed to configure ciphersuites: \(suites)")
        }
        return .success(context)
    }
}

/// Process-wide OpenSSL state: initialization and the (thread-local) error queue.
enum OpenSSLLibrary {
    private static let initialized: Bool = {
        copenssl_initialize()
        return true
    }()

    /// Loads OpenSSL's configuration once, before the first context is made.
    static func initializeOnce() {
        _ = initialized
    }

    /// The oldest queued error as OpenSSL's text ("error:0A000086:SSL routines::certificate
    /// verify failed"), clearing the queue; empty when there is none.
    static func takeError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = copenssl_take_error(&buffer, buffer.count)
        return cString(buffer)
    }
}

/// The text of a NUL-terminated buffer a C function filled.
func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Calls `body` with `text` as a C string, or with NULL when it is nil.
func withOptionalCString<Result>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}

extension Optional where Wrapped == [UInt8] {
    /// Calls `body` with the bytes as a C string (they must end in NUL), or with NULL.
    func withOptionalBytes<Result>(_ body: (UnsafePointer<CChar>?) -> Result) -> Result {
        guard let bytes = self else { return body(nil) }
        return bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress) }
        }
    }
}
