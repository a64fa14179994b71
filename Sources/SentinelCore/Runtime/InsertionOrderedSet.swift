/// A set that iterates in insertion order, with constant-time (amortized) insertion, removal
/// and lookup: a removed element leaves a hole that the next compaction closes, once holes
/// outnumber the elements.
///
/// Subscriptions use it: a client may hold tens of thousands of channels and a channel tens of
/// thousands of clients, and each (un)subscription must cost the same whatever those numbers.
struct InsertionOrderedSet<Element: Hashable>: Sequence {
    private var slots: [Element?] = []
    private var positions: [Element: Int] = [:]

    init() {}

    var count: Int { positions.count }
    var isEmpty: Bool { positions.isEmpty }

    func contains(_ element: Element) -> Bool { positions[element] != nil }

    /// Appends `element` unless present; returns whether it was added.
    @discardableResult
    mutating func insert(_ element: Element) -> Bool {
        guard positions[element] == nil else { return false }
        positions[element] = slots.count
        slots.append(element)
        return true
    }

    /// Removes `element` if present; returns whether it was there.
    @discardableResult
    mutating func remove(_ element: Element) -> Bool {
        guard let position = positions.removeValue(forKey: element) else { return false }
        slots[position] = nil
        if positions.isEmpty {
            slots.removeAll()
        } else if slots.count > 16 && slots.count > 2 * positions.count {
            compact()
        }
        return true
    }

    /// The oldest element.
    var first: Element? {
        for slot in slots { if let element = slot { return element } }
        return nil
    }

    /// The elements in insertion order.
    var elements: [Element] { slots.compactMap { $0 } }

    func makeIterator() -> some IteratorProtocol<Element> {
        slots.lazy.compactMap { $0 }.makeIterator()
    }

    /// Closes the holes (work proportional to the removals since the last compaction).
    private mutating func compact() {
        let live = slots.compactMap { $0 }
        for (position, element) in live.enumerated() { positions[element] = position }
        slots = live.map(Optional.some)
    }
}

extension InsertionOrderedSet: Sendable where Element: Sendable {}
