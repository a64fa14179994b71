/// Writes RESP values and commands as bytes.
///
/// For a RESP2 peer, RESP3-only values take the form Redis 7.0 gives them:
/// a map becomes a flat array of 2N items, a set or push an array, a double the bulk string of
/// its `%.17g` text (`inf`, `-inf`), a boolean the integer 1 or 0, a verbatim string the bulk
/// string of its text, a big number a bulk string, and `null` a null bulk string (`$-1`).
/// For a RESP3 peer the null bulk string and the null array are both written as `_`.
/// Line replies (status, error, big number) never carry a CR or LF: each is written as a space.
public enum RESPEncoder {
    /// Appends `value` as `version` writes it to `buffer`.
    public static func encode(_ value: RESPValue, as version: RESPVersion, into buffer: inout [UInt8]) {
        switch value {
        case .simpleString(let bytes):
            appendLine(UInt8(ascii: "+"), bytes, to: &buffer)
        case .error(let bytes):
            appendLine(UInt8(ascii: "-"), bytes, to: &buffer)
        case .integer(let integer):
            appendHeader(UInt8(ascii: ":"), integer, to: &buffer)
        case .bulkString(let bytes):
            appendBulk(bytes, to: &buffer)
        case .array(let items):
            appendHeader(UInt8(ascii: "*"), Int64(items.count), to: &buffer)
            for item in items { encode(item, as: version, into: &buffer) }
        case .nullBulkString, .null:
            appendNull(version, resp2: "$-1\r\n", to: &buffer)
        case .nullArray:
            appendNull(version, resp2: "*-1\r\n", to: &buffer)
        case .double(let double):
            if version == .resp3 {
                buffer.append(UInt8(ascii: ","))
                PrintfDoubleFormat.append(double, to: &buffer)
                buffer.append(contentsOf: crlf)
            } else {
                var text: [UInt8] = []
                PrintfDoubleFormat.append(double, to: &text)
                appendBulk(text, to: &buffer)
            }
        case .boolean(let flag):
            if version == .resp3 {
                buffer.append(contentsOf: flag ? "#t\r\n".utf8 : "#f\r\n".utf8)
            } else {
                buffer.append(contentsOf: flag ? ":1\r\n".utf8 : ":0\r\n".utf8)
            }
        case .bigNumber(let digits):
            if version == .resp3 {
                appendLine(UInt8(ascii: "("), digits, to: &buffer)
            } else {
                appendBulk(digits, to: &buffer)
            }
        case .verbatim(let format, let text):
            if version == .resp3 {
                // Like Redis, the format is exactly three bytes: cut or padded with spaces.
                appendHeader(UInt8(ascii: "="), Int64(text.count + 4), to: &buffer)
                for index in 0..<3 { buffer.append(index < format.count ? format[index] : UInt8(ascii: " ")) }
                buffer.append(UInt8(ascii: ":"))
                buffer.append(contentsOf: text)
                buffer.append(contentsOf: crlf)
            } else {
                appendBulk(text, to: &buffer)
            }
        case .map(let entries):
            if version == .resp3 {
                appendHeader(UInt8(ascii: "%"), Int64(entries.count), to: &buffer)
            } else {
                appendHeader(UInt8(ascii: "*"), Int64(entries.count) * 2, to: &buffer)
            }
            for entry in entries {
                encode(entry.key, as: version, into: &buffer)
                encode(entry.value, as: version, into: &buffer)
            }
        case .set(let items):
            appendHeader(version == .resp3 ? UInt8(ascii: "~") : UInt8(ascii: "*"), Int64(items.count), to: &buffer)
            for item in items { encode(item, as: version, into: &buffer) }
        case .push(let items):
            appendHeader(version == .resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*"), Int64(items.count), to: &buffer)
            for item in items { encode(item, as: version, into: &buffer) }
        }
    }

    /// `value` as `version` writes it.
    public static func encoded(_ value: RESPValue, as version: RESPVersion) -> [UInt8] {
        var buffer: [UInt8] = []
        encode(value, as: version, into: &buffer)
        return buffer
    }

    /// Appends a command, a multibulk of bulk strings, as every client sends it.
    public static func encodeCommand(_ arguments: [[UInt8]], into buffer: inout [UInt8]) {
        appendHeader(UInt8(ascii: "*"), Int64(arguments.count), to: &buffer)
        for argument in arguments { appendBulk(argument, to: &buffer) }
    }

    /// Appends a command given as text, each argument as its UTF-8 bytes.
    public static func encodeCommand(_ arguments: [String], into buffer: inout [UInt8]) {
        appendHeader(UInt8(ascii: "*"), Int64(arguments.count), to: &buffer)
        for argument in arguments {
            appendHeader(UInt8(ascii: "$"), Int64(argument.utf8.count), to: &buffer)
            buffer.append(contentsOf: argument.utf8)
            buffer.append(contentsOf: crlf)
        }
    }

    // MARK: Streaming: write a reply piece by piece, without building a `RESPValue` tree.

    /// Appends an array header `*N`.
    public static func appendArrayHeader(_ count: Int, into buffer: inout [UInt8]) {
        appendHeader(UInt8(ascii: "*"), Int64(count), to: &buffer)
    }

    /// Appends a map header: `%N` in RESP3, `*2N` (a flat array of keys and values) in RESP2.
    public static func appendMapHeader(_ count: Int, as version: RESPVersion, into buffer: inout [UInt8]) {
        if version == .resp3 {
            appendHeader(UInt8(ascii: "%"), Int64(count), to: &buffer)
        } else {
            appendHeader(UInt8(ascii: "*"), Int64(count * 2), to: &buffer)
        }
    }

    /// Appends a bulk string holding `text`'s UTF-8 bytes.
    public static func appendBulk(_ text: String, into buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            appendHeader(UInt8(ascii: "$"), Int64(bytes.count), to: &buffer)
            buffer.append(contentsOf: bytes)
        }
        buffer.append(contentsOf: crlf)
    }

    /// Appends a bulk string holding a static text (field names).
    public static func appendBulk(_ text: StaticString, into buffer: inout [UInt8]) {
        text.withUTF8Buffer { bytes in
            appendHeader(UInt8(ascii: "$"), Int64(bytes.count), to: &buffer)
            buffer.append(contentsOf: bytes)
        }
        buffer.append(contentsOf: crlf)
    }

    /// Appends a bulk string holding the decimal text of `number` (Redis's `addReplyBulkLongLong`).
    public static func appendBulk(_ number: Int64, into buffer: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { digits in
            var magnitude = number.magnitude
            var start = 21
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            appendHeader(UInt8(ascii: "$"), Int64(21 - start), to: &buffer)
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<21]))
        }
        buffer.append(contentsOf: crlf)
    }

    private static let crlf: [UInt8] = [UInt8(ascii: "\r"), UInt8(ascii: "\n")]

    /// Appends a line reply (status, error, big number). A CR or LF inside it would end the
    /// line early and leave the rest to be read as the next reply, so, as Redis does for every
    /// formatted error and status (`addReplyErrorFormat`, `addReplyStatusFormat`), each becomes
    /// a space: a client's argument echoed in an error can never desync its connection.
    private static func appendLine(_ typeByte: UInt8, _ bytes: [UInt8], to buffer: inout [UInt8]) {
        buffer.append(typeByte)
        let start = buffer.count
        buffer.append(contentsOf: bytes)
        for index in start..<buffer.count where buffer[index] == UInt8(ascii: "\r") || buffer[index] == UInt8(ascii: "\n") {
            buffer[index] = UInt8(ascii: " ")
        }
        buffer.append(contentsOf: crlf)
    }

    /// Appends a bulk string holding `bytes`.
    public static func appendBulk(bytes: [UInt8], into buffer: inout [UInt8]) {
        appendBulk(bytes, to: &buffer)
    }

    private static func appendBulk(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        appendHeader(UInt8(ascii: "$"), Int64(bytes.count), to: &buffer)
        buffer.append(contentsOf: bytes)
        buffer.append(contentsOf: crlf)
    }

    private static func appendNull(_ version: RESPVersion, resp2: StaticString, to buffer: inout [UInt8]) {
        if version == .resp3 {
            buffer.append(contentsOf: "_\r\n".utf8)
        } else {
            resp2.withUTF8Buffer { buffer.append(contentsOf: $0) }
        }
    }

    /// Appends `typeByte`, the decimal text of `number` and CRLF, without making a `String`.
    private static func appendHeader(_ typeByte: UInt8, _ number: Int64, to buffer: inout [UInt8]) {
        buffer.append(typeByte)
        if number < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        if magnitude < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude))
        } else {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
                var start = 20
                while magnitude > 0 {
                    start -= 1
                    digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
            }
        }
        buffer.append(contentsOf: crlf)
    }
}
