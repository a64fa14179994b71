/// Distinct elements in the order they were first inserted, with insertion, lookup and removal
/// in constant (amortized) time: ACL rules may add and remove millions of passwords or
/// patterns in one command, and a list searched on every insertion would make that quadratic.
struct InsertionOrderedSet<Element: Hashable & Sendable>: Sendable, Equatable {
    /// Inserted elements; a removed one leaves a hole until the next compaction.
    private var slots: [Element?] = []
    /// Where each present element sits in `slots`.
    private var positions: [Element: Int] = [:]

    init() {}

    /// The elements in insertion order.
    var elements: [Element] { slots.compactMap { $0 } }

    var isEmpty: Bool { positions.isEmpty }

    func contains(_ element: Element) -> Bool { positions[element] != nil }

    /// Inserts `element` at the end unless it is present; true when it was inserted.
    @discardableResult
    mutating func insert(_ element: Element) -> Bool {
        guard positions[element] == nil else { return false }
        positions[element] = slots.count
        slots.append(element)
        return true
    }

    /// Removes `element`; false when it was not present.
    @discardableResult
    mutating func remove(_ element: Element) -> Bool {
        guard let position = positions.removeValue(forKey: element) else { return false }
        slots[position] = nil
        // Compact once holes outnumber elements, so that storage stays proportional.
        if slots.count > 32 && positions.count < slots.count / 2 {
            slots = slots.filter { $0 != nil }
            for (index, slot) in slots.enumerated() { positions[slot!] = index }
        }
        return true
    }

    mutating func removeAll() {
        slots = []
        positions = [:]
    }

    static func == (left: InsertionOrderedSet, right: InsertionOrderedSet) -> Bool {
        left.elements == right.elements
    }
}
