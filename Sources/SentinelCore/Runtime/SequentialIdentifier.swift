/// An identifier handed out by counting (instances, links, connections, clients). These are
/// dictionary keys on every hot path, so they hash with a multiplicative mix of their number
/// instead of the standard library's seeded SipHash: they are not attacker-chosen, and the
/// mix spreads consecutive numbers over the table.
public protocol SequentialIdentifier: Hashable {
    var rawValue: UInt64 { get }
}

extension SequentialIdentifier {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public func _rawHashValue(seed: Int) -> Int {
        let mixed = (rawValue ^ UInt64(UInt(bitPattern: seed))) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 29))
    }
}
