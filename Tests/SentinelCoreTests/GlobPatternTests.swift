import XCTest
@testable import SentinelCore

final class GlobPatternTests: XCTestCase {
    /// `(pattern, text, ignoring case, matches)`: the results of Redis 7.0.15's
    /// `stringmatchlen` for each case (computed by compiling it; `%XX` stands for the byte 0xXX).
    static let redisResults: [(String, String, Bool, Bool)] = [
        ("", "", false, true),
        ("", "a", false, false),
        ("*", "", false, false),
        ("?", "", false, false),
        ("*", "a", false, true),
        ("**", "abc", false, true),
        ("a*", "a", false, true),
        ("a**", "a", false, true),
        ("a*?", "a", false, false),
        ("*a", "a", false, true),
        ("*a", "ba", false, true),
        ("*a", "ab", false, false),
        ("a*b*c", "aXbYc", false, true),
        ("a*b*c", "abcbc", false, true),
        ("a*b*c", "acb", false, false),
        ("*?*?", "ab", false, true),
        ("*?*?", "a", false, false),
        ("h?llo", "hello", false, true),
        ("h?llo", "hllo", false, false),
        ("h*llo", "hllo", false, true),
        ("h[ae]llo", "hallo", false, true),
        ("h[ae]llo", "hillo", false, false),
        ("h[^e]llo", "hallo", false, true),
        ("h[^e]llo", "hello", false, false),
        ("h[a-b]llo", "hbllo", false, true),
        ("h[a-b]llo", "hcllo", false, false),
        ("[b-a]", "a", false, true),
        ("[z-a]", "m", false, true),
        ("[]", "]", false, false),
        ("[]", "a", false, false),
        ("[]]", "]", false, false),
        ("[]a]", "a", false, false),
        ("[]a]", "]a]", false, false),
        ("[^]", "x", false, true),
        ("[^]", "", false, false),
        ("[^]]", "]", false, false),
        ("[a-]", "-", false, false),
        ("[a-]", "b", false, false),
        ("[a-]", "_", false, true),
        ("[a-]", "]", false, true),
        ("[a-]x", "_x", false, false),
        ("[a-]]", "^", false, true),
        ("[a-]]", "^]", false, false),
        ("[-a]", "-", false, true),
        ("[-a]", "a", false, true),
        ("[a-b-c]", "-", false, true),
        ("[a-b-c]", "c", false, true),
        ("[", "[", false, false),
        ("[", "a", false, false),
        ("[a", "a", false, true),
        ("[ab", "b", false, true),
        ("[ab", "c", false, false),
        ("[^", "x", false, true),
        ("[^a", "a", false, false),
        ("[^a", "b", false, true),
        ("a[", "a", false, false),
        ("a[", "ab", false, false),
        ("[a-z", "q", false, true),
        ("*[", "ab", false, false),
        ("*[ab", "xb", false, true),
        ("\\", "\\", false, true),
        ("\\", "a", false, false),
        ("a\\", "a\\", false, true),
        ("\\*", "*", false, true),
        ("\\*", "a", false, false),
        ("\\?", "?", false, true),
        ("\\?", "x", false, false),
        ("\\[a]", "[a]", false, true),
        ("[\\]]", "]", false, true),
        ("[\\", "\\", false, true),
        ("[\\]", "]", false, true),
        ("[\\]", "\\", false, false),
        ("[\\]]x", "]x", false, true),
        ("[a\\-z]", "-", false, true),
        ("[a\\-z]", "m", false, false),
        ("[\\^a]", "^", false, true),
        ("HELLO", "hello", true, true),
        ("hello", "HELLO", true, true),
        ("HELLO", "hello", false, false),
        ("h?LLO", "hello", true, true),
        ("[A-Z]", "q", true, true),
        ("[a-z]", "Q", true, true),
        ("[A-Z]", "q", false, false),
        ("[A-z]", "_", false, true),
        ("[A-z]", "_", true, false),
        ("[A-z]", "Q", true, true),
        ("[^A]", "a", true, false),
        ("[\\A]", "a", true, false),
        ("[\\A]", "A", true, true),
        ("\\A", "a", true, true),
        ("[Q]", "q", true, true),
        ("*RESOLVE*", "resolve-hostnames", true, true),
        ("*resolve*", "resolve-hostnames", false, true),
        ("announce-*", "announce-ip", true, true),
        ("*", "announce-ip", true, true),
        ("[a-%C3]", "b", false, false),
        ("[a-%C3]", "0", false, true),
        ("[a-%C3]", "%C4", false, true),
        ("[a-%C3]", "%C3", false, true),
        ("[a-%C3]", "b", true, false),
        ("[a-%C3]", "0", true, false),
        ("[a-%C3]", "%C3", true, false),
        ("[%80-%FF]", "%C3", false, true),
        ("[%80-%FF]", "a", false, false),
        ("[%80-%FF]", "%C3", true, false),
        ("[%FF-%80]", "%90", true, false),
        ("[%01-%FF]", "a", false, false),
        ("[%01-%FF]", "a", true, false),
        ("%C3%A9*", "%C3%A9t%C3%A9", false, true),
        ("?", "%C3", false, true),
        ("??", "%C3%A9", false, true),
        ("__sentinel__:*", "__sentinel__:hello", false, true),
        ("+*", "+sdown", false, true),
        ("*down", "+odown", false, true),
        ("-*", "+sdown", false, false),
        ("*-*", "+switch-master", false, true),
        ("+s?own", "+sdown", false, true),
        ("*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", false, true),
        ("*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false),
        ("a*a*a*a*b", "aaaabaaaa", false, false),
        ("*ab*ab", "abab", false, true),
        ("*ab*ab", "aabab", false, true),
        ("*ab*ab", "abaab", false, true)
    ]

    /// `%XX` → the byte 0xXX; everything else as UTF-8.
    private func bytes(_ text: String) -> [UInt8] {
        var result: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                result.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                result.append(byte)
            }
        }
        return result
    }

    func testMatchesRedisOnEdgeCases() {
        for (pattern, text, ignoringCase, expected) in Self.redisResults {
            var steps = 0
            let result = GlobPattern.matches(pattern: bytes(pattern), text: bytes(text), caseInsensitive: ignoringCase, steps: &steps)
            XCTAssertEqual(result, expected, "pattern \(pattern) text \(text) nocase \(ignoringCase)")
        }
    }

    /// Every way of letting each `*` take a run of bytes, tried one by one: exponential, but an
    /// obviously right statement of what the linear matcher must find (same one-byte tokens).
    private func exhaustiveMatch(_ pattern: [UInt8], _ patternIndex: Int, _ text: [UInt8], _ textIndex: Int, _ ignoringCase: Bool) -> Bool {
        if patternIndex == pattern.count { return textIndex == text.count }
        if pattern[patternIndex] == UInt8(ascii: "*") {
            return (textIndex...text.count).contains { exhaustiveMatch(pattern, patternIndex + 1, text, $0, ignoringCase) }
        }
        guard textIndex < text.count,
              let next = GlobPattern.matchToken(pattern, at: patternIndex, text[textIndex], caseInsensitive: ignoringCase) else { return false }
        return exhaustiveMatch(pattern, next, text, textIndex + 1, ignoringCase)
    }

    func testAgreesWithExhaustiveSearchOnGeneratedInputs() {
        let patternBytes = Array("ab*?[]^-\\AZ".utf8) + [0xC3, 0x80]
        let textBytes = Array("abAZ]-\\^[*?".utf8) + [0xC3, 0x80]
        var random = SplitMix64(seed: 15)
        var matched = 0
        for _ in 0..<20_000 {
            let pattern = (0..<Int(random.next() % 9)).map { _ in patternBytes[Int(random.next() % UInt64(patternBytes.count))] }
            var text: [UInt8]
            if random.next() % 2 == 0 {
                text = (0..<Int(random.next() % 7)).map { _ in textBytes[Int(random.next() % UInt64(textBytes.count))] }
            } else {
                // Derived from the pattern, so that a good share of the cases match.
                text = pattern.flatMap { byte -> [UInt8] in
                    switch random.next() % 4 {
                    case 0: return []
                    case 1: return [textBytes[Int(random.next() % UInt64(textBytes.count))]]
                    default: return [byte]
                    }
                }
            }
            let ignoringCase = random.next() % 2 == 0
            var steps = 0
            let result = GlobPattern.matches(pattern: pattern, text: text, caseInsensitive: ignoringCase, steps: &steps)
            // Redis never matches an empty text against a non-empty pattern (not even `*`).
            let expected = text.isEmpty ? pattern.isEmpty : exhaustiveMatch(pattern, 0, text, 0, ignoringCase)
            XCTAssertEqual(result, expected, "pattern \(pattern) text \(text) nocase \(ignoringCase)")
            if result { matched += 1 }
        }
        XCTAssertGreaterThan(matched, 1000)
    }

    /// CVE-2022-36021: stars followed by a byte the text lacks made the recursive matcher try
    /// every split of the text; the work is now bounded by (text + 1) × (pattern + 1) steps.
    func testHostilePatternsTakeWorkProportionalToTextTimesPattern() {
        let cases: [(pattern: String, text: String)] = [
            ("*a*a*a*a*a*a*b", String(repeating: "a", count: 10_000)),
            (String(repeating: "*a", count: 100) + "b", String(repeating: "a", count: 2_000)),
            (String(repeating: "*?", count: 50) + "[b]", String(repeating: "a", count: 2_000)),
            (String(repeating: "a*", count: 30) + "\\b", String(repeating: "a", count: 5_000)),
        ]
        for (pattern, text) in cases {
            var steps = 0
            let result = GlobPattern.matches(pattern: Array(pattern.utf8), text: Array(text.utf8), caseInsensitive: false, steps: &steps)
            XCTAssertFalse(result)
            XCTAssertLessThanOrEqual(steps, (text.utf8.count + 1) * (pattern.utf8.count + 1), pattern)
        }
    }
}
