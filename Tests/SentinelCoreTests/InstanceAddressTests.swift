import XCTest
@testable import SentinelCore

/// Which hosts from outside are accepted (`Configuration/InstanceAddress.swift`, Redis's
/// `createSentinelAddr`): IP literals always, in their canonical spelling unless
/// `announce-hostnames`; host names only with `resolve-hostnames` and only in the shape of one.
final class InstanceAddressTests: XCTestCase {
    func testIPLiteralsAreAcceptedInTheirCanonicalSpelling() {
        for (given, canonical) in [("10.0.0.1", "10.0.0.1"), ("0x7f.1", "127.0.0.1"), ("::1", "::1"),
                                   ("0:0:0:0:0:0:0:1", "::1"), ("::FFFF:10.0.0.1", "::ffff:10.0.0.1")] {
            for resolveHostnames in [false, true] {
                XCTAssertEqual(InstanceAddress.acceptedHost(given, resolveHostnames: resolveHostnames, announceHostnames: false), canonical, given)
                XCTAssertEqual(InstanceAddress.acceptedHost(given, resolveHostnames: resolveHostnames, announceHostnames: true), given, given)
            }
        }
    }

    func testHostnameShape() {
        let label63 = String(repeating: "a", count: 63)
        let name253 = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")
        XCTAssertEqual(name253.utf8.count, 253)
        for name in ["a", "localhost", "redis-1.example", "redis-1.example.", "_srv.example", "a-", "0.example", "A.B.C",
                     label63, label63 + ".example", name253] {
            XCTAssertTrue(InstanceAddress.isHostname(name), name)
        }
        for name in ["", ".", "a..b", ".a", "-a", "a.-b", label63 + "a", name253 + "b", "a b", "a\tb", "a:b", "a/b",
                     "a,b", "a\"b", "a\r\nb", "a\0b", "ré.example", "a@b", "[::1]"] {
            XCTAssertFalse(InstanceAddress.isHostname(name), name.debugDescription)
        }
    }

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
