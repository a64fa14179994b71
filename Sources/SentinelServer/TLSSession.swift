import COpenSSL
import CSystem
import Glibc

/// What one read, write or handshake step on a stream did.
enum TransportOutcome: Equatable {
    /// This many bytes were read or written (never 0); a finished handshake reports 0.
    case transferred(Int)
    /// Nothing more until the socket is ready for this: readable, or writable — with TLS a
    /// read may need the socket writable (and a write readable) first.
    case wouldBlock(IOEvents)
    /// The peer closed the stream (EOF, or TLS's close_notify).
    case endOfStream
    /// The stream failed; the text says why (`strerror`, or OpenSSL's error).
    case failed(String)
}

/// Plain socket reads and writes, as `TransportOutcome`s.
enum PlainSocket {
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> TransportOutcome {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 { return .transferred(count) }
            if count == 0 { return .endOfStream }
            let code = csystem_errno()
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock(.readable) }
            return .failed(SystemError.describe(code))
        }
    }

    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> TransportOutcome {
        while true {
            let written = send(fd, bytes.baseAddress, bytes.count, csystem_msg_nosignal())
            if written > 0 { return .transferred(written) }
            let code = csystem_errno()
            if written < 0 && code == EINTR { continue }
            if written < 0 && (code == EAGAIN || code == EWOULDBLOCK) { return .wouldBlock(.writable) }
            return .failed(SystemError.describe(written == 0 ? EPIPE : code))
        }
    }
}

/// One connection's TLS over a non-blocking socket (an `SSL *` on the descriptor).
///
/// Every call is non-blocking and says what it needs next (`TransportOutcome.wouldBlock`):
/// OpenSSL may need to read to go on writing (a key update) or to write to go on reading, so
/// the caller waits for whatever the last call asked for, not for what it was doing. Bytes
/// OpenSSL has already decrypted are not visible to epoll: `hasBufferedInput` says when
/// some are left after a read, and the caller reads again without waiting for the socket.
final class TLSSession {
    /// Which side of the handshake this end plays.
    enum Role { case server, client }

    private let ssl: OpaquePointer

    /// A session on `fd` from `context`, or nil when OpenSSL cannot make one. An accepted
    /// connection verifies the client's certificate as `tls-auth-clients` says; a link
    /// verifies the server's against the CA (the context's default).
    init?(context: TLSContext, fd: Int32, role: Role) {
        OpenSSLLibrary.initializeOnce()
        ERR_clear_error()
        guard let ssl = SSL_new(role == .server ? context.server : context.outgoing) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            return nil
        }
        switch role {
        case .server:
            let mode: Int32
            switch context.clientAuthentication {
            case .no: mode = 0
            case .optional: mode = 1
            case .yes: mode = 2
            }
            copenssl_set_client_verification(ssl, mode)
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
        }
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
    }

    /// One step of the handshake: `.transferred(0)` once it is done.
    func handshake() -> TransportOutcome {
        ERR_clear_error()
        errno = 0
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .transferred(0) }
        return outcome(of: result, during: "handshake")
    }

    /// Reads decrypted bytes into `buffer`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportOutcome {
        ERR_clear_error()
        errno = 0
        let count = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if count > 0 { return .transferred(Int(count)) }
        return outcome(of: count, during: "read")
    }

    /// Encrypts and writes part or all of `bytes` (partial writes are on). After a
    /// `.wouldBlock`, the next write must start with the same bytes (it may be longer, and
    /// they may have moved: `SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`).
    func write(_ bytes: UnsafeRawBufferPointer) -> TransportOutcome {
        ERR_clear_error()
        errno = 0
        let written = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        if written > 0 { return .transferred(Int(written)) }
        return outcome(of: written, during: "write")
    }

    /// The subject of the certificate the peer presented (`/O=…/CN=…`), if any.
    var peerCertificateSubject: String? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard X509_NAME_oneline(X509_get_subject_name(certificate), &buffer, Int32(buffer.count)) != nil else { return nil }
        return cString(buffer)
    }

    /// Whether OpenSSL holds bytes not yet read, decrypted or read ahead (`SSL_has_pending`).
    var hasBufferedInput: Bool { SSL_has_pending(ssl) == 1 }

    /// Sends close_notify if the socket takes it at once (a close never waits for the peer).
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// What a failed `SSL_*` call means, with OpenSSL's reason for the log.
    private func outcome(of result: Int32, during step: String) -> TransportOutcome {
        let errorNumber = errno
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ:
            return .wouldBlock(.readable)
        case SSL_ERROR_WANT_WRITE:
            return .wouldBlock(.writable)
        case SSL_ERROR_ZERO_RETURN:
            return .endOfStream
        case SSL_ERROR_SYSCALL:
            let queued = OpenSSLLibrary.takeError()
            if !queued.isEmpty { return .failed(queued) }
            // No OpenSSL error and no errno: the peer closed the socket without close_notify.
            if errorNumber == 0 || result == 0 { return step == "handshake" ? .failed("Connection closed by peer") : .endOfStream }
            return .failed(SystemError.describe(errorNumber))
        default:
            var reason = OpenSSLLibrary.takeError()
            if reason.isEmpty { reason = "TLS \(step) failed (SSL error \(code))" }
            let verification = SSL_get_verify_result(ssl)
            if verification != Int(X509_V_OK), let text = X509_verify_cert_error_string(verification) {
                reason += " (\(String(cString: text)))"
            }
            return .failed(reason)
        }
    }
}
