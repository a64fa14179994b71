/// Splits one line into arguments with Redis's quoting rules (`sdssplitargs`), as used by
/// inline commands (`redis-cli`-less telnet sessions) and by every `sentinel.conf` line.
///
/// - Words are separated by spaces, tabs, CR, LF, vertical tab or form feed.
/// - `"double quotes"` understand `\n \r \t \b \a \\ \"` and `\xHH`; any other `\c` is `c`.
/// - `'single quotes'` understand only `\'`.
/// - A closing quote must be followed by white space or the end of the line.
/// - A NUL byte ends the line, in quotes or not: Redis splits the line as a C string.
public enum RedisArgumentSplitter {
    /// Why a line could not be split.
    public enum Failure: Error, Equatable, Sendable {
        /// A quote was not closed, or a closing quote was followed by something other than space.
        case unbalancedQuotes
    }

    /// The arguments of `line`, or `.unbalancedQuotes`.
    public static func split<Bytes: Collection>(_ line: Bytes) -> Result<[[UInt8]], Failure> where Bytes.Element == UInt8 {
        var bytes = Array(line)
        if let nul = bytes.firstIndex(of: 0) { bytes.removeSubrange(nul...) }
        var arguments: [[UInt8]] = []
        var index = 0
        let end = bytes.count
        while true {
            while index < end && isSpace(bytes[index]) { index += 1 }
            if index >= end { return .success(arguments) }
            var current: [UInt8] = []
            var inDoubleQuotes = false
            var inSingleQuotes = false
            var done = false
            while !done {
                if inDoubleQuotes {
                    guard index < end else { return .failure(.unbalancedQuotes) }
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\\"), index + 3 < end, bytes[index + 1] == UInt8(ascii: "x"),
                       let high = hexValue(bytes[index + 2]), let low = hexValue(bytes[index + 3]) {
                        current.append(high << 4 | low)
                        index += 3
                    } else if byte == UInt8(ascii: "\\"), index + 1 < end {
                        index += 1
                        current.append(unescaped(bytes[index]))
                    } else if byte == UInt8(ascii: "\"") {
                        // The closing quote must be followed by a space or nothing at all.
                        if index + 1 < end && !isSpace(bytes[index + 1]) { return .failure(.unbalancedQuotes) }
                        done = true
                    } else {
                        current.append(byte)
                    }
                } else if inSingleQuotes {
                    guard index < end else { return .failure(.unbalancedQuotes) }
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\\"), index + 1 < end, bytes[index + 1] == UInt8(ascii: "'") {
                        index += 1
                        current.append(UInt8(ascii: "'"))
                    } else if byte == UInt8(ascii: "'") {
                        if index + 1 < end && !isSpace(bytes[index + 1]) { return .failure(.unbalancedQuotes) }
                        done = true
                    } else {
                        current.append(byte)
                    }
                } else {
                    if index >= end {
                        done = true
                        break
                    }
                    let byte = bytes[index]
                    switch byte {
                    case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                        done = true
                    case UInt8(ascii: "\""):
                        inDoubleQuotes = true
                    case UInt8(ascii: "'"):
                        inSingleQuotes = true
                    default:
                        current.append(byte)
                    }
                }
                if index < end { index += 1 }
            }
            arguments.append(current)
        }
    }

    /// `split` on text, returning strings; `nil` when quotes are unbalanced.
    public static func split(_ line: String) -> [String]? {
        switch split(Array(line.utf8)) {
        case .success(let arguments): return arguments.map { String(decoding: $0, as: UTF8.self) }
        case .failure: return nil
        }
    }

    /// Renders `text`'s UTF-8 bytes in double quotes with escapes (`quoted(bytes:)`).
    public static func quoted(_ text: String) -> String {
        quoted(bytes: Array(text.utf8))
    }

    /// Renders `bytes` in double quotes with Redis's escapes (`sdscatrepr`), so that `split`
    /// reads them back as exactly these bytes: `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b`, and
    /// `\xNN` for any other byte outside 0x20–0x7E. The result is ASCII.
    public static func quoted(bytes: [UInt8]) -> String {
        var output = "\""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): output += "\\\\"
            case UInt8(ascii: "\""): output += "\\\""
            case UInt8(ascii: "\n"): output += "\\n"
            case UInt8(ascii: "\r"): output += "\\r"
            case UInt8(ascii: "\t"): output += "\\t"
            case 7: output += "\\a"
            case 8: output += "\\b"
            case 0x20...0x7E: output.unicodeScalars.append(UnicodeScalar(byte))
            default:
                let hex = Array("0123456789abcdef".utf8)
                output += "\\x"
                output.unicodeScalars.append(UnicodeScalar(hex[Int(byte >> 4)]))
                output.unicodeScalars.append(UnicodeScalar(hex[Int(byte & 0xF)]))
            }
        }
        return output + "\""
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func unescaped(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): return UInt8(ascii: "\n")
        case UInt8(ascii: "r"): return UInt8(ascii: "\r")
        case UInt8(ascii: "t"): return UInt8(ascii: "\t")
        case UInt8(ascii: "b"): return 8
        case UInt8(ascii: "a"): return 7
        default: return byte
        }
    }
}
