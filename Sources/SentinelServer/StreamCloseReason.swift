/// Why a `StreamConnection` closed (reported through `onClose`).
public enum StreamCloseReason: Equatable, CustomStringConvertible, Sendable {
    /// The peer closed its side (read returned 0).
    case peerClosed
    /// A read or write failed; the text is `strerror` (e.g. "Connection reset by peer").
    case error(String)
    /// An outgoing connection could not be established; the text is `strerror`
    /// (e.g. "Connection refused") or "Invalid IP address <host>".
    case connectFailed(String)
    /// An outgoing connection did not complete within its timeout.
    case connectTimedOut
    /// More than the output buffer limit was pending (the limit in bytes).
    case outputBufferLimitReached(Int)
    /// `closeAfterFlush()` completed: everything queued was written, then the socket closed.
    case flushedAndClosed
    /// The TLS handshake failed (a plain-text peer on a TLS port, a certificate refused, …);
    /// the text is OpenSSL's reason.
    case tlsHandshakeFailed(String)

    public var description: String {
        switch self {
        case .peerClosed: return "Connection closed by peer"
        case .error(let text): return text
        case .connectFailed(let text): return text
        case .connectTimedOut: return "Connection timed out"
        case .outputBufferLimitReached(let limit): return "Output buffer limit of \(limit) bytes reached"
        case .flushedAndClosed: return "Closed after flushing output"
        case .tlsHandshakeFailed(let text): return "TLS handshake failed: \(text)"
        }
    }
}
