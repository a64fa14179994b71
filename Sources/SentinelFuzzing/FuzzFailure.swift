/// A property a fuzz target checks did not hold. Thrown by the targets' entry points; the
/// libFuzzer glue turns it into a crash (so the input is saved), the corpus replay test into a
/// test failure naming the input file.
public struct FuzzFailure: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Throws `FuzzFailure(message())` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzFailure) {
    if !condition { throw FuzzFailure(message()) }
}

/// Bytes shown in a failure message: printable ASCII as is, everything else escaped, cut
/// after `limit` bytes.
func describe<Bytes: Collection>(_ bytes: Bytes, limit: Int = 200) -> String where Bytes.Element == UInt8 {
    var text = ""
    for byte in bytes.prefix(limit) {
        switch byte {
        case UInt8(ascii: "\r"): text += "\\r"
        case UInt8(ascii: "\n"): text += "\\n"
        case UInt8(ascii: "\\"): text += "\\\\"
        case 0x20...0x7E: text.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let digits = Array("0123456789abcdef")
            text += "\\x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0xF)])"
        }
    }
    if bytes.count > limit { text += "…(\(bytes.count) bytes)" }
    return text
}
