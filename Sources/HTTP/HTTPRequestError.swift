/// Why a request cannot be served. Each is answered with its status and then the connection is
/// closed: after a malformed request the server cannot know where the next one would begin.
public enum HTTPRequestError: Error, Equatable, Sendable {
    /// The request line or a header line breaks the grammar of RFC 9112; holds what was wrong.
    case malformed(String)
    /// No blank line within `HTTPLimits.maximumHeadLength` bytes.
    case headTooLarge
    /// More than `HTTPLimits.maximumHeaderCount` header lines.
    case tooManyHeaders
    /// A request announces a body (`Content-Length` above 0): no endpoint takes one.
    case bodyNotAccepted
    /// A request uses `Transfer-Encoding`, which no endpoint takes (RFC 9112 §6.1: a server
    /// that does not understand a transfer coding answers 501).
    case transferEncodingNotImplemented
    /// A version other than HTTP/1.0 and HTTP/1.1.
    case versionNotSupported

    public var status: HTTPStatus {
        switch self {
        case .malformed: return .badRequest
        case .headTooLarge, .tooManyHeaders: return .requestHeaderFieldsTooLarge
        case .bodyNotAccepted: return .contentTooLarge
        case .transferEncodingNotImplemented: return .notImplemented
        case .versionNotSupported: return .httpVersionNotSupported
        }
    }

    /// What went wrong, for the response body.
    public var reason: String {
        switch self {
        case .malformed(let what): return what
        case .headTooLarge: return "request head too large"
        case .tooManyHeaders: return "too many header fields"
        case .bodyNotAccepted: return "request bodies are not accepted"
        case .transferEncodingNotImplemented: return "transfer codings are not supported"
        case .versionNotSupported: return "only HTTP/1.0 and HTTP/1.1 are supported"
        }
    }

    /// The response sent before the connection is closed.
    public var response: HTTPResponse {
        HTTPResponse(status: status, contentType: HTTPResponse.plainText, body: Array((reason + "\n").utf8))
    }
}
