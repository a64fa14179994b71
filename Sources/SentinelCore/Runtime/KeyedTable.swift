/// A table of values keyed by a counted identifier, whose values are changed in place:
/// `table[id]?.flags.insert(…)` touches the stored value directly. (A `Dictionary` moves the
/// whole value out and back for such a change; instance and link records are large and are
/// changed many times per tick, so those moves dominated the profile with many masters.)
public struct KeyedTable<Key: SequentialIdentifier, Value> {
    private var slots: [Value?] = []
    private var positions: [Key: Int] = [:]
    private var freeSlots: [Int] = []

    public init() {}

    public var count: Int { positions.count }

    public subscript(key: Key) -> Value? {
        // Inlined, so that `table[id]?.field` copies the field, not the whole record.
        @inline(__always) get {
            guard let position = positions[key] else { return nil }
            return slots[position]
        }
        _modify {
            if let position = positions[key] {
                yield &slots[position]
                if slots[position] == nil { release(key, at: position) }
            } else {
                var inserted: Value? = nil
                yield &inserted
                if let inserted { insert(inserted, for: key) }
            }
        }
        set {
            if let position = positions[key] {
                slots[position] = newValue
                if newValue == nil { release(key, at: position) }
            } else if let newValue {
                insert(newValue, for: key)
            }
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        guard let position = positions[key] else { return nil }
        let value = slots[position]
        slots[position] = nil
        release(key, at: position)
        return value
    }

    /// The values, in no particular order.
    public var values: [Value] { slots.compactMap { $0 } }

    private mutating func insert(_ value: Value, for key: Key) {
        if let position = freeSlots.popLast() {
            slots[position] = value
            positions[key] = position
        } else {
            positions[key] = slots.count
            slots.append(value)
        }
    }

    private mutating func release(_ key: Key, at position: Int) {
        positions[key] = nil
        freeSlots.append(position)
    }
}

extension KeyedTable: Sendable where Key: Sendable, Value: Sendable {}
