/// Redis's glob matching (`stringmatchlen` of 7.0.15): `*`, `?`, `[abc]`, `[^a-z]`, `\x`
/// escapes. Used by PSUBSCRIBE, `SENTINEL RESET` and `SENTINEL CONFIG GET`.
///
/// Every token but `*` matches exactly one byte, so only the last `*` ever needs to be
/// revisited: when the rest of the pattern fails, that star absorbs one more byte and the rest
/// is tried again. The work is at most (text length + 1) × (pattern length + 1) token steps,
/// never exponential (CVE-2022-36021: `*a*a*a*a*a*a*b` against a long text stalled the
/// recursive matcher).
///
/// The results are Redis's, quirks included:
/// - an empty text matches only the empty pattern (not even `*`);
/// - a class ends at the first `]` (so `[]` matches nothing and `[^]` any byte); an
///   unterminated class takes the rest of the pattern as its members;
/// - `x-y` in a class is a range whenever at least three bytes remain, so `[a-]` is the range
///   from `a` to `]`; the bounds and the byte compare as C `char`s (signed: bytes ≥ 0x80
///   sort below 0), a reversed range is swapped, and only then, when ignoring case, all three
///   go through glibc's `tolower` (which gives bytes 0x80…0xFE back unsigned and 0xFF as
///   -1, `EOF`);
/// - `\x` escapes `x`; inside a class an escaped byte is compared case-sensitively even when
///   matching ignores case; a `\` ending the pattern is a literal backslash;
/// - ignoring case folds ASCII letters only (C `tolower`).
enum GlobPattern {
    static func matches(_ pattern: String, _ text: String, caseInsensitive: Bool = false) -> Bool {
        var steps = 0
        return matches(pattern: Array(pattern.utf8), text: Array(text.utf8), caseInsensitive: caseInsensitive, steps: &steps)
    }

    /// Matches bytes; `steps` grows by one per token comparison (tests bound the work with it).
    static func matches(pattern: [UInt8], text: [UInt8], caseInsensitive: Bool, steps: inout Int) -> Bool {
        guard !text.isEmpty else { return pattern.isEmpty }
        var patternIndex = 0
        var textIndex = 0
        /// Where the pattern resumes after the last `*`, and where in the text that attempt began.
        var lastStar: (resume: Int, textStart: Int)?
        while true {
            steps += 1
            if textIndex == text.count {
                while patternIndex < pattern.count && pattern[patternIndex] == asterisk { patternIndex += 1 }
                if patternIndex == pattern.count { return true }
            } else if patternIndex < pattern.count {
                if pattern[patternIndex] == asterisk {
                    while patternIndex < pattern.count && pattern[patternIndex] == asterisk { patternIndex += 1 }
                    if patternIndex == pattern.count { return true }
                    lastStar = (patternIndex, textIndex)
                    continue
                }
                if let next = matchToken(pattern, at: patternIndex, text[textIndex], caseInsensitive: caseInsensitive) {
                    patternIndex = next
                    textIndex += 1
                    continue
                }
            }
            // The rest of the pattern failed here: the last star absorbs one more byte. The rest
            // starts with a token that needs a byte, so it cannot match an empty remainder.
            guard let star = lastStar, star.textStart + 1 < text.count else { return false }
            lastStar = (star.resume, star.textStart + 1)
            patternIndex = star.resume
            textIndex = star.textStart + 1
        }
    }

    private static let asterisk = UInt8(ascii: "*")
    private static let backslash = UInt8(ascii: "\\")
    private static let closingBracket = UInt8(ascii: "]")

    /// Matches the one-byte token at `start` (not `*`) against `byte`; returns where the next
    /// token starts, or nil when it does not match.
    static func matchToken(_ pattern: [UInt8], at start: Int, _ byte: UInt8, caseInsensitive: Bool) -> Int? {
        switch pattern[start] {
        case UInt8(ascii: "?"):
            return start + 1
        case UInt8(ascii: "["):
            return matchClass(pattern, openingAt: start, byte, caseInsensitive: caseInsensitive)
        default:
            var literal = pattern[start]
            var next = start + 1
            if literal == backslash && next < pattern.count {
                literal = pattern[next]
                next += 1
            }
            return fold(literal, caseInsensitive) == fold(byte, caseInsensitive) ? next : nil
        }
    }

    /// A `[…]` class opening at `start`.
    private static func matchClass(_ pattern: [UInt8], openingAt start: Int, _ byte: UInt8, caseInsensitive: Bool) -> Int? {
        var index = start + 1
        let negated = index < pattern.count && pattern[index] == UInt8(ascii: "^")
        if negated { index += 1 }
        var matched = false
        while true {
            if index >= pattern.count {
                // Unterminated: the class ends with the pattern.
                index = pattern.count - 1
                break
            }
            let member = pattern[index]
            if member == backslash && pattern.count - index >= 2 {
                index += 1
                if pattern[index] == byte { matched = true }
            } else if member == closingBracket {
                break
            } else if pattern.count - index >= 3 && pattern[index + 1] == UInt8(ascii: "-") {
                var low = Int(Int8(bitPattern: member))
                var high = Int(Int8(bitPattern: pattern[index + 2]))
                if low > high { swap(&low, &high) }
                var value = Int(Int8(bitPattern: byte))
                if caseInsensitive {
                    low = lowercased(low)
                    high = lowercased(high)
                    value = lowercased(value)
                }
                if value >= low && value <= high { matched = true }
                index += 2
            } else if fold(member, caseInsensitive) == fold(byte, caseInsensitive) {
                matched = true
            }
            index += 1
        }
        return matched != negated ? index + 1 : nil
    }

    /// C `tolower` in the C locale when ignoring case: ASCII letters only.
    private static func fold(_ byte: UInt8, _ caseInsensitive: Bool) -> UInt8 {
        caseInsensitive && byte >= 65 && byte <= 90 ? byte + 32 : byte
    }

    /// glibc's `tolower` in the C locale of a (signed) `char` value: ASCII letters are
    /// lowered, -1 is `EOF` and stays, other negative values come back as their unsigned byte.
    private static func lowercased(_ value: Int) -> Int {
        value < -1 ? value + 256 : (value == -1 ? -1 : Int(fold(UInt8(value), true)))
    }
}
