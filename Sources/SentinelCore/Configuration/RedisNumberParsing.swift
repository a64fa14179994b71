/// The C number parsers Redis uses on configuration arguments, with their laxness kept.
enum RedisNumberParsing {
    /// `atoi`: optional leading white space and sign, then as many decimal digits as there are;
    /// anything else ends the number (`"12ab"` is 12, `"ab"` is 0). Out-of-range values saturate
    /// like `strtol` and are then truncated to 32 bits.
    static func atoi(_ text: String) -> Int {
        let (negative, digits) = signAndDigits(text)
        var value: Int64 = 0
        var saturated = false
        for digit in digits {
            let (product, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(Int64(digit))
            if overflow1 || overflow2 { saturated = true; break }
            value = sum
        }
        let long: Int64 = saturated ? (negative ? Int64.min : Int64.max) : (negative ? -value : value)
        return Int(Int32(truncatingIfNeeded: long))
    }

    /// `strtoll(text, NULL, 10)`: like `atoi` without the truncation to 32 bits, saturating at
    /// `Int64.min` and `Int64.max`.
    static func strtoll(_ text: String) -> Int64 {
        let (negative, digits) = signAndDigits(text)
        var magnitude: UInt64 = 0
        for digit in digits {
            let (product, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(UInt64(digit))
            if overflow1 || overflow2 { return negative ? Int64.min : Int64.max }
            magnitude = sum
        }
        if negative { return magnitude > UInt64(Int64.max) ? Int64.min : -Int64(magnitude) }
        return magnitude > UInt64(Int64.max) ? Int64.max : Int64(magnitude)
    }

    /// `strtoull(text, NULL, 10)`: like `atoi`, saturating at `UInt64.max`; a minus sign negates
    /// modulo 2^64 (`"-1"` is `UInt64.max`).
    static func strtoull(_ text: String) -> UInt64 {
        let (negative, digits) = signAndDigits(text)
        var value: UInt64 = 0
        for digit in digits {
            let (product, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(UInt64(digit))
            if overflow1 || overflow2 { return UInt64.max }
            value = sum
        }
        return negative ? 0 &- value : value
    }

    /// `string2ll`: the whole text must be a decimal integer without leading zeros or `+`,
    /// within `Int64`.
    static func string2ll(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        if bytes == [UInt8(ascii: "0")] { return 0 }
        var index = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < bytes.count, bytes[index] >= UInt8(ascii: "1"), bytes[index] <= UInt8(ascii: "9") else { return nil }
        var magnitude: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (product, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// `yesnotoi`: `yes` → true, `no` → false (any case), else nil.
    static func yesNo(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes": return true
        case "no": return false
        default: return nil
        }
    }

    private static func signAndDigits(_ text: String) -> (negative: Bool, digits: [UInt8]) {
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, first == 0x20 || (first >= 0x09 && first <= 0x0D) { bytes = bytes.dropFirst() }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        let digits = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.map { $0 - UInt8(ascii: "0") }
        return (negative, digits)
    }
}
