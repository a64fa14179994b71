/// Reads a fuzz input as a stream of choices, so that a target can decode structured inputs
/// (which command, which address, which number) from arbitrary bytes. Reading past the end
/// yields zeros: every byte string decodes to some sequence of choices, and a mutation of one
/// byte changes one choice.
struct FuzzInput {
    let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether every byte has been read.
    var isExhausted: Bool { position >= bytes.count }

    /// The next byte, or 0 past the end.
    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// A number in `0..<bound` (`bound` ≥ 1): one byte for bounds up to 256, two above.
    mutating func number(below bound: Int) -> Int {
        precondition(bound >= 1)
        if bound <= 256 { return Int(byte()) % bound }
        let value = Int(byte()) << 8 | Int(byte())
        return value % bound
    }

    mutating func bool() -> Bool { byte() & 1 == 1 }

    /// One of `options` (not empty).
    mutating func pick<Element>(_ options: [Element]) -> Element {
        options[number(below: options.count)]
    }

    /// A little-endian 64-bit value from the next eight bytes.
    mutating func uint64() -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(byte()) << UInt64(shift) }
        return value
    }

    /// Up to `maximum` raw bytes, their count given by the byte before them.
    mutating func data(maximum: Int = 255) -> [UInt8] {
        let count = min(Int(byte()), maximum, bytes.count - min(position, bytes.count))
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// Every byte not read yet.
    mutating func remainder() -> [UInt8] {
        defer { position = bytes.count }
        return position < bytes.count ? Array(bytes[position...]) : []
    }
}
