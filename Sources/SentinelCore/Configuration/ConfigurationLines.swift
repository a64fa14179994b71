/// How Redis cuts a configuration file into lines, shared by the parser and the renderer.
///
/// The file is handled as bytes, as Redis does: in a Swift `String`, "\r\n" is one character,
/// so splitting text on "\n" would leave a file with CRLF line endings in one piece; bytes that
/// are not UTF-8 (a password in Latin-1, say) also stay exactly as written.
enum ConfigurationLines {
    /// `bytes` split at every LF byte (Redis's `sdssplitlen`): a final newline yields a last
    /// empty line, and an empty file yields one empty line.
    static func split(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    }

    /// `line` without leading and trailing spaces, tabs, CR and LF (Redis's `sdstrim`), so a
    /// CRLF line ending loses its CR.
    static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isTrimmed: (UInt8) -> Bool = {
            $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n")
        }
        guard let start = line.firstIndex(where: { !isTrimmed($0) }),
              let end = line.lastIndex(where: { !isTrimmed($0) }) else { return [] }
        return line[start...end]
    }
}
