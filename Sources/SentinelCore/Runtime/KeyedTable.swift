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

    /// One field (or computed property) of a record, read in place (an optional field reads
    /// flat through the overload below): `table[id]?.field` copies the whole record, with a
    /// retain and release of each of its references, before taking the field; in the
    /// per-tick work with many instances those copies were half the time.
    ///
    /// The record is read through a pointer to the optional's payload: Swift's type layout
    /// puts the payload of a single-payload enum such as `Optional` at offset 0 (any tag
    /// follows it), and the slot is known to hold a value. Every safe spelling tried — optional
    /// chaining on the array element, on its `Span` element, or a force-unwrapped element of
    /// the array's buffer — made the optimizer copy the whole optional first (the simulator's
    /// run of 20 seeds with 6 masters went from 17 s to 39–42 s of CPU).
    @inline(__always)
    public func field<Field>(_ key: Key, _ path: KeyPath<Value, Field>) -> Field? {
        guard let position = positions[key] else { return nil }
        return field(at: position, path)
    }

    /// An optional field of a record, read in place and flattened: nil when there is no
    /// record or when the field is not set. (The general `field` would wrap it in a second
    /// optional, and `!= nil` on that only asks whether the record exists.)
    @inline(__always)
    public func field<Field>(_ key: Key, _ path: KeyPath<Value, Field?>) -> Field? {
        guard let position = positions[key] else { return nil }
        return field(at: position, path)
    }

    /// The field of the record in the slot at `position`, which holds a value (see `field`).
    @inline(__always)
    private func field<Field>(at position: Int, _ path: KeyPath<Value, Field>) -> Field {
        slots.withUnsafeBufferPointer { buffer in
            UnsafeRawPointer(buffer.baseAddress! + position).assumingMemoryBound(to: Value.self).pointee[keyPath: path]
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
