/// Run ids (§1.4): every Redis server and sentinel names itself with 40 random hex characters
/// (`CONFIG_RUN_ID_SIZE`). A run id from outside — a hello, an INFO reply, a vote request, a
/// `known-sentinel` line — is accepted only in that shape (letters of either case allowed), so
/// that it can be written into a configuration line, a log line or an event as is.
enum RunIdentifier {
    static let length = 40

    /// Whether `bytes` are 40 ASCII letters and digits.
    static func isValid<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        bytes.count == length && bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        }
    }

    /// Whether `text` is a valid run id (see `isValid(_:)` on bytes).
    static func isValid(_ text: String) -> Bool { isValid(text.utf8) }
}
