import RESP

/// A password exactly as it was configured or received: its bytes, never decoded as text.
///
/// Redis compares and sends passwords as byte strings, so two passwords are the same only when
/// their bytes are (as text, Unicode-equivalent spellings would compare equal, and invalid
/// UTF-8 would be replaced so that different byte strings met). It is written back to the
/// configuration file in a form that loads the same bytes again (`configurationArgument`).
public struct Secret: Sendable, Hashable, ExpressibleByStringLiteral {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The UTF-8 bytes of `text`.
    public init(stringLiteral text: String) {
        self.bytes = Array(text.utf8)
    }

    /// The secret as one configuration-file argument: bare when it is printable ASCII that
    /// `RedisArgumentSplitter` reads back as exactly these bytes, else double-quoted with
    /// Redis's escapes (`sdscatrepr`: `\"`, `\\`, `\n`, `\r`, `\t`, `\a`, `\b`, `\xNN` for
    /// every other byte outside 0x20–0x7E).
    public var configurationArgument: String {
        let isPlain = !bytes.isEmpty && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        if isPlain, case .success(let words) = RedisArgumentSplitter.split(bytes), words == [bytes] {
            return String(decoding: bytes, as: UTF8.self)
        }
        return RedisArgumentSplitter.quoted(bytes: bytes)
    }
}
