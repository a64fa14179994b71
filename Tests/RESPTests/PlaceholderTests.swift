import XCTest
final class RESPPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
