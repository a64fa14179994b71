import XCTest
final class SentinelServerPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
