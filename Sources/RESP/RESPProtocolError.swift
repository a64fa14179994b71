/// A violation of the Redis serialization protocol by the peer.
///
/// The request cases are the client protocol errors Redis 7.0 raises while reading a command
/// (`processInlineBuffer` and `processMultibulkBuffer` in `networking.c`). Redis answers each
/// with an error reply and then closes the connection; `message` is that reply's text.
/// `invalidReply` is raised only by `RESPReplyParser`, for a server that sent something that
/// is not a valid reply.
public enum RESPProtocolError: Error, Equatable, Sendable {
    /// More than `maxInlineLength` bytes arrived without the `\n` that ends an inline command.
    case tooBigInlineRequest
    /// An inline command has a quote that is not closed, or a closing quote not followed by space.
    case unbalancedQuotes
    /// More than `maxInlineLength` bytes arrived without the `\r` that ends a `*<count>` line.
    case tooBigMultibulkCountString
    /// The `*<count>` line does not hold a valid integer, or the count exceeds `maxMultibulkLength`.
    case invalidMultibulkLength
    /// An unauthenticated client sent a `*<count>` larger than 10.
    case unauthenticatedMultibulkLength
    /// More than `maxInlineLength` bytes arrived without the `\r` that ends a `$<length>` line.
    case tooBigBulkCountString
    /// An element of a multibulk command did not start with `$`; holds the byte that was found.
    case expectedDollar(got: UInt8)
    /// The `$<length>` line does not hold a valid length, or it is negative or above `maxBulkLength`.
    case invalidBulkLength
    /// An unauthenticated client sent a `$<length>` larger than 16384.
    case unauthenticatedBulkLength
    /// A reply from a server is malformed or exceeds a limit; holds what was wrong.
    case invalidReply(String)

    /// The error reply Redis sends for this error, without the leading `-` and trailing CRLF,
    /// e.g. `ERR Protocol error: invalid multibulk length`.
    ///
    /// Bytes that are not UTF-8 (possible only in `expectedDollar`) read as U+FFFD; use
    /// `messageBytes` for the exact bytes.
    public var message: String { String(decoding: messageBytes, as: UTF8.self) }

    /// The exact bytes of `message` as Redis puts them on the wire between `-` and CRLF.
    public var messageBytes: [UInt8] {
        switch self {
        case .expectedDollar(let got):
            // Redis formats the byte with `%c` and then turns CR and LF into spaces.
            let shown = (got == UInt8(ascii: "\r") || got == UInt8(ascii: "\n")) ? UInt8(ascii: " ") : got
            return Array("ERR Protocol error: expected '$', got '".utf8) + [shown, UInt8(ascii: "'")]
        default:
            return Array(fixedText.utf8)
        }
    }

    private var fixedText: String {
        switch self {
        case .tooBigInlineRequest: return "ERR Protocol error: too big inline request"
        case .unbalancedQuotes: return "ERR Protocol error: unbalanced quotes in request"
        case .tooBigMultibulkCountString: return "ERR Protocol error: too big mbulk count string"
        case .invalidMultibulkLength: return "ERR Protocol error: invalid multibulk length"
        case .unauthenticatedMultibulkLength: return "ERR Protocol error: unauthenticated multibulk length"
        case .tooBigBulkCountString: return "ERR Protocol error: too big bulk count string"
        case .expectedDollar: return ""
        case .invalidBulkLength: return "ERR Protocol error: invalid bulk length"
        case .unauthenticatedBulkLength: return "ERR Protocol error: unauthenticated bulk length"
        case .invalidReply(let reason): return "ERR Protocol error: invalid reply: \(reason)"
        }
    }

    /// The reply Redis sends before closing the connection: `.error(messageBytes)`.
    public var reply: RESPValue { .error(messageBytes) }
}
