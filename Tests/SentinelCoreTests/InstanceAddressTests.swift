import XCTest
@testable import SentinelCore

/// Which hosts from outside are accepted (`Configuration/InstanceAddress.swift`).
final class InstanceAddressTests: XCTestCase {
    func testHostnamesAreAcceptedOnlyWhenResolvingAndOnlyInTheShapeOfANameWhenResolving() {
        XCTAssertEqual(InstanceAddress.acceptedHost("127.1", resolveHostnames: false, announceHostnames: false), "127.0.0.1")
        XCTAssertEqual(InstanceAddress.acceptedHost("127.1", resolveHostnames: false, announceHostnames: true), "127.1")
        XCTAssertNil(InstanceAddress.acceptedHost("redis-1.example", resolveHostnames: false, announceHostnames: false))
        XCTAssertEqual(InstanceAddress.acceptedHost("redis-1.example.", resolveHostnames: true, announceHostnames: false), "redis-1.example.")
        XCTAssertEqual(InstanceAddress.acceptedHost("redis_1", resolveHostnames: true, announceHostnames: false), "redis_1")
        for bad in ["", "evil host", "a..b", ".a", "-a", "a\r\nb", "a\"b", "a,b", String(repeating: "a", count: 64), String(repeating: "a.", count: 127) + "a"] {
            XCTAssertNil(InstanceAddress.acceptedHost(bad, resolveHostnames: true, announceHostnames: false), bad)
        }
    }
}
