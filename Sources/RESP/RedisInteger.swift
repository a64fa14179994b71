/// Reads a decimal integer from bytes the way Redis's `string2ll` does: an optional `-`,
/// then `0` alone or digits starting with 1–9, nothing else, at most 20 characters, and a value
/// that fits in 64 bits.
enum RedisInteger {
    /// The value of `bytes`, or nil when they are not such an integer.
    static func parse(_ bytes: ArraySlice<UInt8>) -> Int64? {
        let count = bytes.count
        guard count > 0, count < 21 else { return nil }
        var index = bytes.startIndex
        let end = bytes.endIndex
        if count == 1 && bytes[index] == UInt8(ascii: "0") { return 0 }
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
            if index == end { return nil }
        }
        guard bytes[index] >= UInt8(ascii: "1"), bytes[index] <= UInt8(ascii: "9") else { return nil }
        var magnitude: UInt64 = 0
        while index < end {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflowShift) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = shifted.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflowShift || overflowAdd { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            if magnitude > UInt64(Int64.max) + 1 { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        if magnitude > UInt64(Int64.max) { return nil }
        return Int64(magnitude)
    }
}
