import RESP

/// What the `tls-*` directives say: Redis 7.0's TLS options as a sentinel honours them.
///
/// The core only keeps and rewrites them, and reads two of them: `port` and `replication`
/// decide the port a hello announces. Everything else is the shell's (the listener on
/// `tls-port`, TLS on the links, the certificates).
public struct TLSConfiguration: Sendable, Equatable {
    /// `tls-auth-clients`: whether a client connecting to `tls-port` must present a
    /// certificate the CA signed.
    public enum ClientAuthentication: String, Sendable, Equatable, CaseIterable {
        case no, yes, optional
    }

    /// `tls-port` (0 = no TLS listener).
    public var port: Int = 0
    /// `tls-cert-file`: the certificate (chain) presented to clients, and to instances and
    /// peers when no client certificate is configured.
    public var certificateFile: String?
    /// `tls-key-file`.
    public var keyFile: String?
    /// `tls-key-file-pass`: decrypts `tls-key-file`.
    public var keyFilePassword: Secret?
    /// `tls-client-cert-file`: the certificate presented on outgoing links.
    public var clientCertificateFile: String?
    /// `tls-client-key-file`.
    public var clientKeyFile: String?
    /// `tls-client-key-file-pass`.
    public var clientKeyFilePassword: Secret?
    /// `tls-dh-params-file` (absent: OpenSSL chooses).
    public var dhParametersFile: String?
    /// `tls-ca-cert-file`: the CAs peers' certificates are verified against.
    public var caCertificateFile: String?
    /// `tls-ca-cert-dir`.
    public var caCertificateDirectory: String?
    /// `tls-auth-clients` (default yes).
    public var clientAuthentication: ClientAuthentication = .yes
    /// `tls-protocols`, as written (absent: TLSv1.2 and TLSv1.3).
    public var protocols: String?
    /// `tls-ciphers` (TLSv1.2 and below).
    public var ciphers: String?
    /// `tls-ciphersuites` (TLSv1.3).
    public var cipherSuites: String?
    /// `tls-prefer-server-ciphers` (default no).
    public var preferServerCiphers = false
    /// `tls-session-caching` (default yes).
    public var sessionCaching = true
    /// `tls-session-cache-size` (default 20480).
    public var sessionCacheSize = TLSConfiguration.defaultSessionCacheSize
    /// `tls-session-cache-timeout` in seconds (default 300).
    public var sessionCacheTimeout = TLSConfiguration.defaultSessionCacheTimeout
    /// `tls-replication`: links to masters, replicas and peers use TLS.
    public var replication = false
    /// `tls-cluster`: accepted and kept (a sentinel has no cluster bus); like `tls-replication`,
    /// it makes the CA mandatory.
    public var cluster = false

    public static let defaultSessionCacheSize = 20 * 1024
    public static let defaultSessionCacheTimeout = 300

    public init() {}

    /// Whether TLS must be set up at start-up: Redis configures OpenSSL when `tls-port`,
    /// `tls-replication` or `tls-cluster` is set.
    public var isEnabled: Bool { port != 0 || replication || cluster }

    /// Every `tls-*` directive of Redis 7.0 (`config.c`), passwords included.
    static let directiveNames: Set<String> = [
        "tls-port", "tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-client-cert-file", "tls-client-key-file",
        "tls-client-key-file-pass", "tls-dh-params-file", "tls-ca-cert-file", "tls-ca-cert-dir", "tls-auth-clients",
        "tls-protocols", "tls-ciphers", "tls-ciphersuites", "tls-prefer-server-ciphers", "tls-session-caching",
        "tls-session-cache-size", "tls-session-cache-timeout", "tls-replication", "tls-cluster",
    ]

    /// The `tls-*` directives whose values are passwords, kept as the bytes written (see
    /// `setPassword(named:to:)`).
    static let passwordNames: Set<String> = ["tls-key-file-pass", "tls-client-key-file-pass"]

    /// Sets `tls-key-file-pass` or `tls-client-key-file-pass` to `bytes` (empty unsets it).
    mutating func setPassword(named name: String, to bytes: [UInt8]) {
        let password = bytes.isEmpty ? nil : Secret(bytes)
        if name == "tls-key-file-pass" { keyFilePassword = password } else { clientKeyFilePassword = password }
    }

    /// Applies one other `tls-*` directive with `config.c`'s validation and messages; returns
    /// Redis's error message, if any. The files are only read when the shell sets TLS up, as
    /// Redis reads them in `tlsConfigure` after the whole file is loaded.
    mutating func apply(name: String, value: String) -> String? {
        /// `EMPTY_STRING_IS_NULL`: an empty string unsets the option.
        let text: String? = value.isEmpty ? nil : value
        func integer(in range: ClosedRange<Int64>, _ store: (inout TLSConfiguration, Int) -> Void) -> String? {
            guard let number = RedisNumberParsing.string2ll(value) else { return "argument couldn't be parsed into an integer" }
            guard range.contains(number) else {
                return "argument must be between \(range.lowerBound) and \(range.upperBound) inclusive"
            }
            store(&self, Int(number))
            return nil
        }
        func flag(_ store: (inout TLSConfiguration, Bool) -> Void) -> String? {
            guard let flag = RedisNumberParsing.yesNo(value) else { return GenericDirectiveApplier.yesNoError }
            store(&self, flag)
            return nil
        }
        switch name {
        case "tls-port": return integer(in: 0...65535) { $0.port = $1 }
        case "tls-session-cache-size": return integer(in: 0...Int64(Int32.max)) { $0.sessionCacheSize = $1 }
        case "tls-session-cache-timeout": return integer(in: 0...Int64(Int32.max)) { $0.sessionCacheTimeout = $1 }
        case "tls-cluster": return flag { $0.cluster = $1 }
        case "tls-replication": return flag { $0.replication = $1 }
        case "tls-prefer-server-ciphers": return flag { $0.preferServerCiphers = $1 }
        case "tls-session-caching": return flag { $0.sessionCaching = $1 }
        case "tls-auth-clients":
            guard let mode = ClientAuthentication(rawValue: value.lowercased()) else {
                return GenericDirectiveApplier.enumError(ClientAuthentication.allCases.map(\.rawValue))
            }
            clientAuthentication = mode
        case "tls-cert-file": certificateFile = text
        case "tls-key-file": keyFile = text
        case "tls-client-cert-file": clientCertificateFile = text
        case "tls-client-key-file": clientKeyFile = text
        case "tls-dh-params-file": dhParametersFile = text
        case "tls-ca-cert-file": caCertificateFile = text
        case "tls-ca-cert-dir": caCertificateDirectory = text
        case "tls-protocols": protocols = text
        case "tls-ciphers": ciphers = text
        case "tls-ciphersuites": cipherSuites = text
        default: preconditionFailure("\(name) is not a tls-* directive of Redis 7.0")
        }
        return nil
    }
}

extension SentinelConfiguration {
    /// The port a hello announces when `sentinel announce-port` is not set: `tls-port` when
    /// links use TLS (`tls-replication yes` and `tls-port` set), else `port` (sentinel.c's
    /// `sentinelSendHello`).
    public func helloPort(listeningPort: Int) -> Int {
        if announcePort != 0 { return announcePort }
        if tls.replication && tls.port != 0 { return tls.port }
        return listeningPort
    }

    /// The port `INFO` reports as `tcp_port` and the start-up line names: `port`, or
    /// `tls-port` when `port` is 0.
    public func reportedPort(listeningPort: Int) -> Int {
        listeningPort != 0 ? listeningPort : tls.port
    }
}

extension ConfigurationRenderer {
    /// The `tls-*` options as `CONFIG REWRITE` writes them: numbers, yes/no and
    /// `tls-auth-clients` forced when not at their defaults, strings forced when set (quoted),
    /// and lines of unset strings dropped.
    static func writeTLSOptions(_ tls: TLSConfiguration, into state: inout ConfigurationRewriteState) {
        func number(_ option: String, _ value: Int, default defaultValue: Int) {
            state.rewrite(option, line: "\(option) \(value)", force: value != defaultValue)
        }
        func password(_ option: String, _ value: Secret?) {
            guard let value else {
                state.markProcessed(option)
                return
            }
            state.rewrite(option, line: option + " " + RedisArgumentSplitter.quoted(bytes: value.bytes), force: true)
        }
        number("tls-port", tls.port, default: 0)
        number("tls-session-cache-size", tls.sessionCacheSize, default: TLSConfiguration.defaultSessionCacheSize)
        number("tls-session-cache-timeout", tls.sessionCacheTimeout, default: TLSConfiguration.defaultSessionCacheTimeout)
        yesNo("tls-cluster", tls.cluster, default: false, into: &state)
        yesNo("tls-replication", tls.replication, default: false, into: &state)
        state.rewrite("tls-auth-clients", line: "tls-auth-clients \(tls.clientAuthentication.rawValue)",
                      force: tls.clientAuthentication != .yes)
        yesNo("tls-prefer-server-ciphers", tls.preferServerCiphers, default: false, into: &state)
        yesNo("tls-session-caching", tls.sessionCaching, default: true, into: &state)
        string("tls-cert-file", tls.certificateFile, default: nil, into: &state)
        string("tls-key-file", tls.keyFile, default: nil, into: &state)
        password("tls-key-file-pass", tls.keyFilePassword)
        string("tls-client-cert-file", tls.clientCertificateFile, default: nil, into: &state)
        string("tls-client-key-file", tls.clientKeyFile, default: nil, into: &state)
        password("tls-client-key-file-pass", tls.clientKeyFilePassword)
        string("tls-dh-params-file", tls.dhParametersFile, default: nil, into: &state)
        string("tls-ca-cert-file", tls.caCertificateFile, default: nil, into: &state)
        string("tls-ca-cert-dir", tls.caCertificateDirectory, default: nil, into: &state)
        string("tls-protocols", tls.protocols, default: nil, into: &state)
        string("tls-ciphers", tls.ciphers, default: nil, into: &state)
        string("tls-ciphersuites", tls.cipherSuites, default: nil, into: &state)
    }
}
