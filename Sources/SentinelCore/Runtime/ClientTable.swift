/// A table keyed by client id, for the per-command hot path: client ids only grow, so
/// appending keeps the keys sorted and a lookup is a binary search — no hashing (Swift's
/// `Dictionary` runs a seeded SipHash on every access).
public struct ClientTable<Value> {
    private var keys: [ClientID] = []
    private var storage: [Value] = []

    public init() {}

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The position of `key`, if present.
    public func index(of key: ClientID) -> Int? {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < keys.count && keys[low] == key ? low : nil
    }

    public subscript(key: ClientID) -> Value? {
        get { index(of: key).map { storage[$0] } }
        set {
            if let index = index(of: key) {
                if let newValue {
                    storage[index] = newValue
                } else {
                    keys.remove(at: index)
                    storage.remove(at: index)
                }
            } else if let newValue {
                insert(newValue, for: key)
            }
        }
    }

    /// The value at a position found with `index(of:)`, mutable in place.
    public subscript(position index: Int) -> Value {
        get { storage[index] }
        _modify { yield &storage[index] }
    }

    @discardableResult
    public mutating func removeValue(forKey key: ClientID) -> Value? {
        guard let index = index(of: key) else { return nil }
        keys.remove(at: index)
        return storage.remove(at: index)
    }

    private mutating func insert(_ value: Value, for key: ClientID) {
        if let last = keys.last, last > key {
            var position = keys.count
            while position > 0 && keys[position - 1] > key { position -= 1 }
            keys.insert(key, at: position)
            storage.insert(value, at: position)
        } else {
            keys.append(key)
            storage.append(value)
        }
    }

    /// Values in increasing client id order.
    public var values: [Value] { storage }
}

extension ClientTable: Sendable where Value: Sendable {}
