/// Recognises IP address literals the way Redis does when `resolve-hostnames` is off (a numeric
/// `getaddrinfo` lookup), and spells them the way Redis then stores them (`inet_ntop`).
public enum IPAddressLiteral {
    /// The canonical spelling of `text` if it is an IPv4 or IPv6 literal, else `nil`.
    ///
    /// - IPv4 follows `inet_aton`: one to four parts separated by dots, each decimal, octal
    ///   (leading `0`) or hexadecimal (`0x`); the last part fills the remaining bytes, so `127.1`
    ///   is `127.0.0.1`.
    /// - IPv6 follows `inet_pton`: up to eight groups of one to four hex digits, at most one `::`,
    ///   optionally ending in a strict dotted quad; a `%zone` suffix is accepted and dropped.
    /// - The result is dotted decimal, or RFC 5952 text (lowercase, longest run of two or more
    ///   zero groups shortened to `::`, IPv4-mapped and -compatible addresses ending dotted).
    public static func canonical(_ text: String) -> String? {
        if let address = parseIPv4(Array(text.utf8)) {
            return dotted(address)
        }
        var bytes = Array(text.utf8)
        if let percent = bytes.firstIndex(of: UInt8(ascii: "%")) {
            guard percent + 1 < bytes.count else { return nil }
            bytes = Array(bytes[..<percent])
        }
        guard let words = parseIPv6(bytes) else { return nil }
        return ipv6Text(words)
    }

    /// Whether `text` is an IPv4 or IPv6 literal (see `canonical`).
    public static func isLiteral(_ text: String) -> Bool { canonical(text) != nil }

    /// `inet_aton`'s rules; the address as a 32-bit number.
    static func parseIPv4(_ bytes: [UInt8]) -> UInt32? {
        guard !bytes.isEmpty else { return nil }
        var parts: [UInt64] = []
        var index = 0
        while true {
            guard index < bytes.count, isDigit(bytes[index]) else { return nil }
            var base: UInt64 = 10
            if bytes[index] == UInt8(ascii: "0") {
                base = 8
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "x") || bytes[index] == UInt8(ascii: "X") {
                    base = 16
                    index += 1
                }
            }
            var value: UInt64 = 0
            while index < bytes.count, let digit = digitValue(bytes[index]), digit < base {
                value = value * base + digit
                if value > 0xFFFF_FFFF { return nil }
                index += 1
            }
            parts.append(value)
            if index == bytes.count { break }
            guard bytes[index] == UInt8(ascii: "."), parts.count < 4, value <= 0xFF else { return nil }
            index += 1
        }
        let leading = parts.dropLast()
        guard leading.allSatisfy({ $0 <= 0xFF }), let last = parts.last else { return nil }
        let lastBits = UInt64(32 - 8 * leading.count)
        guard lastBits == 64 || last < (UInt64(1) << lastBits) else { return nil }
        var address: UInt64 = 0
        for (position, part) in leading.enumerated() {
            address |= part << UInt64(24 - 8 * position)
        }
        return UInt32(address | last)
    }

    /// `inet_pton`'s strict dotted quad (no leading zeros, exactly four parts).
    static func parseStrictIPv4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var address: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(isDigit) else { return nil }
            if part.count > 1 && part.first == UInt8(ascii: "0") { return nil }
            let value = part.reduce(UInt32(0)) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard value <= 255 else { return nil }
            address = address << 8 | value
        }
        return address
    }

    /// `inet_pton`'s IPv6 rules; the eight 16-bit groups.
    static func parseIPv6(_ bytes: [UInt8]) -> [UInt16]? {
        guard bytes.contains(UInt8(ascii: ":")) else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var index = 0
        if bytes.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            sawDoubleColon = true
            index = 2
        } else if bytes.first == UInt8(ascii: ":") {
            return nil
        }
        while index < bytes.count {
            // A group, or a dotted quad ending the address.
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: ":") { end += 1 }
            let group = bytes[index..<end]
            if group.contains(UInt8(ascii: ".")) {
                guard end == bytes.count, let v4 = parseStrictIPv4(group) else { return nil }
                let words = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                if sawDoubleColon { tail += words } else { head += words }
                index = end
                break
            }
            guard !group.isEmpty, group.count <= 4, group.allSatisfy({ hexDigitValue($0) != nil }) else { return nil }
            let value = group.reduce(UInt16(0)) { $0 << 4 | UInt16(hexDigitValue($1)!) }
            if sawDoubleColon { tail.append(value) } else { head.append(value) }
            index = end
            if index == bytes.count { break }
            // At a colon: `::` once, else a single separator that must be followed by a group.
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ":") {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                index += 2
            } else {
                index += 1
                guard index < bytes.count else { return nil }
            }
        }
        let count = head.count + tail.count
        if sawDoubleColon {
            guard count <= 7 else { return nil }
            return head + Array(repeating: 0, count: 8 - count) + tail
        }
        return count == 8 ? head : nil
    }

    /// `inet_ntop`'s IPv6 text.
    static func ipv6Text(_ words: [UInt16]) -> String {
        var bestBase = -1, bestLength = 0
        var runBase = -1, runLength = 0
        for (position, word) in words.enumerated() {
            if word == 0 {
                if runBase < 0 { runBase = position; runLength = 0 }
                runLength += 1
                if runLength > bestLength { bestBase = runBase; bestLength = runLength }
            } else {
                runBase = -1
            }
        }
        if bestLength < 2 { bestBase = -1 }
        var text = ""
        var position = 0
        while position < 8 {
            if position == bestBase {
                text += "::"
                position += bestLength
                continue
            }
            if position == 6 && bestBase == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xFFFF)) {
                if !text.hasSuffix(":") { text += ":" }
                text += dotted(UInt32(words[6]) << 16 | UInt32(words[7]))
                break
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(words[position], radix: 16)
            position += 1
        }
        return text
    }

    static func dotted(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func digitValue(_ byte: UInt8) -> UInt64? {
        hexDigitValue(byte).map(UInt64.init)
    }

    static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
