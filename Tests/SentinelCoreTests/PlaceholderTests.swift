import XCTest
final class SentinelCorePlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
