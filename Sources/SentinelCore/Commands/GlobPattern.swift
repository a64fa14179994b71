/// Redis's glob matching (`stringmatchlen`): `*`, `?`, `[abc]`, `[^a-z]`, `\x` escapes.
/// Used by PSUBSCRIBE, `SENTINEL RESET` and `SENTINEL CONFIG GET`.
enum GlobPattern {
    static func matches(_ pattern: String, _ text: String, caseInsensitive: Bool = false) -> Bool {
        matches(Array(pattern.utf8)[...], Array(text.utf8)[...], caseInsensitive: caseInsensitive, depth: 0)
    }

    private static func fold(_ byte: UInt8, _ caseInsensitive: Bool) -> UInt8 {
        caseInsensitive && byte >= 65 && byte <= 90 ? byte + 32 : byte
    }

    private static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>, caseInsensitive: Bool, depth: Int) -> Bool {
        // Deep recursion on hostile patterns ("***…") is cut off, as Redis does.
        if depth > 1000 { return false }
        var pattern = pattern
        var text = text
        while let head = pattern.first {
            switch head {
            case UInt8(ascii: "*"):
                while pattern.dropFirst().first == UInt8(ascii: "*") { pattern = pattern.dropFirst() }
                let rest = pattern.dropFirst()
                if rest.isEmpty { return true }
                var candidate = text
                while true {
                    if matches(rest, candidate, caseInsensitive: caseInsensitive, depth: depth + 1) { return true }
                    if candidate.isEmpty { return false }
                    candidate = candidate.dropFirst()
                }
            case UInt8(ascii: "?"):
                if text.isEmpty { return false }
                text = text.dropFirst()
                pattern = pattern.dropFirst()
            case UInt8(ascii: "["):
                guard let current = text.first else { return false }
                pattern = pattern.dropFirst()
                let negate = pattern.first == UInt8(ascii: "^")
                if negate { pattern = pattern.dropFirst() }
                var matched = false
                while let byte = pattern.first, byte != UInt8(ascii: "]") {
                    if byte == UInt8(ascii: "\\"), pattern.count >= 2 {
                        pattern = pattern.dropFirst()
                        if fold(pattern.first!, caseInsensitive) == fold(current, caseInsensitive) { matched = true }
                        pattern = pattern.dropFirst()
                    } else if pattern.count >= 3, pattern.dropFirst().first == UInt8(ascii: "-") {
                        var start = fold(byte, caseInsensitive)
                        var end = fold(pattern.dropFirst(2).first!, caseInsensitive)
                        if start > end { swap(&start, &end) }
                        let value = fold(current, caseInsensitive)
                        if value >= start && value <= end { matched = true }
                        pattern = pattern.dropFirst(3)
                    } else {
                        if fold(byte, caseInsensitive) == fold(current, caseInsensitive) { matched = true }
                        pattern = pattern.dropFirst()
                    }
                }
                if negate { matched.toggle() }
                if !matched { return false }
                if !pattern.isEmpty { pattern = pattern.dropFirst() }
                text = text.dropFirst()
            default:
                var literal = head
                if head == UInt8(ascii: "\\"), pattern.count >= 2 {
                    pattern = pattern.dropFirst()
                    literal = pattern.first!
                }
                guard let current = text.first, fold(literal, caseInsensitive) == fold(current, caseInsensitive) else { return false }
                text = text.dropFirst()
                pattern = pattern.dropFirst()
            }
        }
        return text.isEmpty
    }
}
