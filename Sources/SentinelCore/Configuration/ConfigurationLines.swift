/// How Redis cuts a configuration file into lines, shared by the parser and the renderer.
enum ConfigurationLines {
    /// `text` split on every `\n` (Redis's `sdssplitlen`): a final newline yields a last empty
    /// line, and empty text yields one empty line.
    static func split(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// `line` without leading and trailing spaces, tabs, CR and LF (Redis's `sdstrim`).
    static func trimmed(_ line: Substring) -> String {
        let isTrimmed: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let start = line.firstIndex(where: { !isTrimmed($0) }),
              let end = line.lastIndex(where: { !isTrimmed($0) }) else { return "" }
        return String(line[start...end])
    }
}
