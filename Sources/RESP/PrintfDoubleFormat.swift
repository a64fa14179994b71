/// Writes a `Double` exactly as glibc's `printf("%.17g")` does, which is how Redis writes
/// doubles in replies (`addReplyDouble`): 17 significant digits of the exact binary value,
/// rounded half to even, trailing zeros dropped, exponent form below 1e-4 or from 1e17 up
/// (`1.0000000000000001e+17`), and `inf`, `-inf`, `nan`, `-nan` for the special values.
enum PrintfDoubleFormat {
    /// Significant digits written (`%.17g`).
    static let precision = 17

    /// Appends the text of `value` to `output`.
    static func append(_ value: Double, to output: inout [UInt8]) {
        if value.sign == .minus { output.append(UInt8(ascii: "-")) }
        if value.isNaN {
            output.append(contentsOf: "nan".utf8)
            return
        }
        if value.isInfinite {
            output.append(contentsOf: "inf".utf8)
            return
        }
        if value == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        var (digits, exponent) = roundedDigits(of: value.magnitude)
        // Drop the trailing zeros %g removes; at least one digit stays since the value is not 0.
        while digits.count > 1 && digits.last == 0 { digits.removeLast() }
        if exponent < -4 || exponent >= precision {
            output.append(UInt8(ascii: "0") + digits[0])
            if digits.count > 1 {
                output.append(UInt8(ascii: "."))
                for digit in digits[1...] { output.append(UInt8(ascii: "0") + digit) }
            }
            output.append(UInt8(ascii: "e"))
            output.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let magnitude = exponent.magnitude
            if magnitude < 10 { output.append(UInt8(ascii: "0")) }
            output.append(contentsOf: String(magnitude).utf8)
        } else if exponent < 0 {
            output.append(contentsOf: "0.".utf8)
            for _ in 0..<(-exponent - 1) { output.append(UInt8(ascii: "0")) }
            for digit in digits { output.append(UInt8(ascii: "0") + digit) }
        } else {
            for index in 0...exponent {
                output.append(UInt8(ascii: "0") + (index < digits.count ? digits[index] : 0))
            }
            if digits.count > exponent + 1 {
                output.append(UInt8(ascii: "."))
                for digit in digits[(exponent + 1)...] { output.append(UInt8(ascii: "0") + digit) }
            }
        }
    }

    /// The first `precision` significant decimal digits of a finite positive `value`, rounded
    /// half to even, and the decimal exponent of the first one (value ≈ d.ddd × 10^exponent).
    static func roundedDigits(of value: Double) -> (digits: [UInt8], exponent: Int) {
        var (digits, exponent) = exactDigits(of: value)
        if digits.count > precision {
            let next = digits[precision]
            let restIsZero = digits[(precision + 1)...].allSatisfy { $0 == 0 }
            let roundUp = next > 5 || (next == 5 && (!restIsZero || digits[precision - 1] % 2 == 1))
            digits.removeSubrange(precision...)
            if roundUp {
                var index = precision - 1
                while index >= 0 && digits[index] == 9 {
                    digits[index] = 0
                    index -= 1
                }
                if index >= 0 {
                    digits[index] += 1
                } else {
                    digits.insert(1, at: 0)
                    digits.removeLast()
                    exponent += 1
                }
            }
        }
        return (digits, exponent)
    }

    /// Every decimal digit of a finite positive `value` (no leading zero), and the decimal
    /// exponent of the first one.
    static func exactDigits(of value: Double) -> (digits: [UInt8], exponent: Int) {
        // value = significand × 2^binaryExponent, significand an integer.
        var significand = value.significandBitPattern
        var binaryExponent: Int
        if value.exponentBitPattern == 0 {
            binaryExponent = -1074
        } else {
            significand |= 1 << 52
            binaryExponent = Int(value.exponentBitPattern) - 1075
        }
        while binaryExponent < 0 && significand & 1 == 0 {
            significand >>= 1
            binaryExponent += 1
        }
        var number = [UInt32(truncatingIfNeeded: significand), UInt32(truncatingIfNeeded: significand >> 32)]
        let decimalShift: Int
        if binaryExponent >= 0 {
            var remaining = binaryExponent
            while remaining >= 31 {
                multiply(&number, by: 1 << 31)
                remaining -= 31
            }
            multiply(&number, by: 1 << UInt32(remaining))
            decimalShift = 0
        } else {
            // significand × 2^-k = significand × 5^k / 10^k.
            var remaining = -binaryExponent
            while remaining >= 13 {
                multiply(&number, by: 1_220_703_125)  // 5^13
                remaining -= 13
            }
            var power: UInt32 = 1
            for _ in 0..<remaining { power *= 5 }
            multiply(&number, by: power)
            decimalShift = binaryExponent
        }
        let digits = decimalDigits(of: number)
        return (digits, digits.count - 1 + decimalShift)
    }

    /// `number *= factor` on a little-endian multi-word integer.
    private static func multiply(_ number: inout [UInt32], by factor: UInt32) {
        var carry: UInt64 = 0
        for index in number.indices {
            let product = UInt64(number[index]) * UInt64(factor) + carry
            number[index] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry > 0 { number.append(UInt32(carry)) }
    }

    /// The decimal digits of a little-endian multi-word integer, most significant first.
    private static func decimalDigits(of number: [UInt32]) -> [UInt8] {
        var number = number
        while number.count > 1 && number.last == 0 { number.removeLast() }
        var chunks: [UInt32] = []  // Groups of 9 digits, least significant first.
        while !(number.count == 1 && number[0] == 0) {
            var remainder: UInt64 = 0
            for index in number.indices.reversed() {
                let current = remainder << 32 | UInt64(number[index])
                number[index] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while number.count > 1 && number.last == 0 { number.removeLast() }
        }
        var digits: [UInt8] = []
        for (position, chunk) in chunks.reversed().enumerated() {
            var group = [UInt8](repeating: 0, count: 9)
            var rest = chunk
            for index in stride(from: 8, through: 0, by: -1) {
                group[index] = UInt8(rest % 10)
                rest /= 10
            }
            if position == 0 {
                digits.append(contentsOf: group.drop(while: { $0 == 0 }))
            } else {
                digits.append(contentsOf: group)
            }
        }
        return digits
    }
}
