import XCTest
@testable import SentinelCore

/// `KeyedTable`: records changed in place, slots reused, fields read without copying records.
final class KeyedTableTests: XCTestCase {
    struct Record {
        var name: String
        var vote: String?
    }

    func testAnOptionalFieldReadsFlat() {
        var table = KeyedTable<InstanceID, Record>()
        table[InstanceID(1)] = Record(name: "voted", vote: "leader")
        table[InstanceID(2)] = Record(name: "not voted", vote: nil)

        XCTAssertEqual(table.field(InstanceID(1), \.vote), "leader")
        // A record whose field is not set reads as nil, like a missing record: `!= nil` means "set".
        XCTAssertNil(table.field(InstanceID(2), \.vote))
        XCTAssertTrue(table.field(InstanceID(2), \.vote) == nil)
        XCTAssertNil(table.field(InstanceID(3), \.vote))
        XCTAssertEqual(table.field(InstanceID(2), \.name), "not voted")
        XCTAssertNil(table.field(InstanceID(3), \.name))
    }

    func testRemovedSlotsAreReusedAndChangesApplyInPlace() {
        var table = KeyedTable<InstanceID, Record>()
        for raw in 1...3 { table[InstanceID(UInt64(raw))] = Record(name: "r\(raw)", vote: nil) }
        XCTAssertEqual(table.removeValue(forKey: InstanceID(2))?.name, "r2")
        table[InstanceID(4)] = Record(name: "r4", vote: nil)
        table[InstanceID(4)]?.vote = "x"
        table[InstanceID(1)] = nil
        XCTAssertEqual(table.count, 2)
        XCTAssertEqual(table.values.map(\.name).sorted(), ["r3", "r4"])
        XCTAssertEqual(table.field(InstanceID(4), \.vote), "x")
        XCTAssertNil(table[InstanceID(1)])
        XCTAssertNil(table[InstanceID(2)])
    }
}
