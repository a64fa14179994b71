import XCTest
@testable import SentinelCore

final class InsertionOrderedSetTests: XCTestCase {
    func testKeepsInsertionOrderThroughRemovalsAndCompactions() {
        var set = InsertionOrderedSet<Int>()
        var model: [Int] = []
        var random = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let value = Int(random.next() % 300)
            if random.next() % 3 == 0 {
                XCTAssertEqual(set.remove(value), model.contains(value))
                model.removeAll { $0 == value }
            } else {
                XCTAssertEqual(set.insert(value), !model.contains(value))
                if !model.contains(value) { model.append(value) }
            }
            XCTAssertEqual(set.count, model.count)
            XCTAssertEqual(set.first, model.first)
        }
        XCTAssertEqual(set.elements, model)
        XCTAssertEqual(Array(set), model)
        XCTAssertTrue(model.allSatisfy(set.contains))
        for value in model { set.remove(value) }
        XCTAssertTrue(set.isEmpty)
        XCTAssertEqual(Array(set), [])
    }
}
