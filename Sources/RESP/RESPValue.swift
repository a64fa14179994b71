/// One value of the Redis serialization protocol, RESP2 or RESP3.
///
/// Strings stay bytes (`[UInt8]`): a value becomes `String` only where it is used as text.
/// RESP3-only kinds (`map`, `set`, `push`, `double`, `boolean`, `verbatim`, `null`) are encoded
/// in their RESP2 fallback form when the peer speaks RESP2 (see `RESPEncoder`).
public enum RESPValue: Sendable, Hashable {
    /// `+OK\r\n`
    case simpleString([UInt8])
    /// `-ERR message\r\n`; the bytes hold the whole line without the leading `-`.
    case error([UInt8])
    /// `:42\r\n`
    case integer(Int64)
    /// `$3\r\nfoo\r\n`
    case bulkString([UInt8])
    /// `*2\r\n…`
    case array([RESPValue])
    /// RESP2 `$-1\r\n`, RESP3 `_\r\n`.
    case nullBulkString
    /// RESP2 `*-1\r\n`, RESP3 `_\r\n`.
    case nullArray
    /// RESP3 `_\r\n` received from a RESP3 peer.
    case null
    /// RESP3 `,3.14\r\n`; a bulk string in RESP2.
    case double(Double)
    /// RESP3 `#t\r\n`; the integer 1 or 0 in RESP2.
    case boolean(Bool)
    /// RESP3 `(12345678901234567890\r\n`; a bulk string in RESP2.
    case bigNumber([UInt8])
    /// RESP3 `=15\r\ntxt:Some string\r\n`; a bulk string in RESP2.
    case verbatim(format: [UInt8], text: [UInt8])
    /// RESP3 `%N` map, kept as ordered key/value pairs; a flat array of 2N items in RESP2.
    case map([RESPMapEntry])
    /// RESP3 `~N` set; an array in RESP2.
    case set([RESPValue])
    /// RESP3 `>N` out-of-band push (pub/sub messages); an array in RESP2.
    case push([RESPValue])
}

/// One key/value pair of a RESP3 map, in the order it is sent.
public struct RESPMapEntry: Sendable, Hashable {
    public var key: RESPValue
    public var value: RESPValue

    public init(_ key: RESPValue, _ value: RESPValue) {
        self.key = key
        self.value = value
    }
}

extension RESPValue {
    /// A bulk string from text.
    @inlinable
    public static func bulk(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }

    /// A simple status reply from text, e.g. `.status("OK")`.
    @inlinable
    public static func status(_ text: String) -> RESPValue { .simpleString(Array(text.utf8)) }

    /// An error reply from its full text, e.g. `.errorText("ERR No such master with that name")`.
    @inlinable
    public static func errorText(_ text: String) -> RESPValue { .error(Array(text.utf8)) }

    /// `+OK`
    public static let ok: RESPValue = .simpleString(Array("OK".utf8))

    /// The value's bytes when it is a string-like value (simple, bulk, verbatim, error).
    public var bytes: [UInt8]? {
        switch self {
        case .simpleString(let bytes), .bulkString(let bytes), .error(let bytes), .bigNumber(let bytes):
            return bytes
        case .verbatim(_, let text):
            return text
        default:
            return nil
        }
    }

    /// The value as text when it is string-like.
    public var text: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    /// The value as an integer when it is an integer or a string holding one.
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        default: return bytes.flatMap { Int64(String(decoding: $0, as: UTF8.self)) }
        }
    }

    /// The elements of an aggregate (array, set, push); a map yields its keys and values flattened.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let items), .set(let items), .push(let items): return items
        case .map(let entries): return entries.flatMap { [$0.key, $0.value] }
        default: return nil
        }
    }

    /// Whether this is an error reply.
    public var isError: Bool {
        if case .error = self { return true }
        return false
    }
}
