import XCTest
@testable import SentinelCore

/// Parsing and rendering the hello message (`Monitoring/HelloMessage.swift`,
/// SENTINEL-PROTOCOL.md §4): eight comma-separated fields; a hello that breaks any rule is
/// refused whole.
final class HelloMessageTests: XCTestCase {
    static let peer = "0123456789abcdef0123456789ABCDEF01234567"
    static let valid = "10.0.0.2,26380,\(peer),7,mymaster,10.0.0.1,6379,5"

    /// `valid` with field `index` (0-based) replaced by `value`.
    func replacingField(_ index: Int, with value: String) -> String {
        var fields = Self.valid.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[index] = value
        return fields.joined(separator: ",")
    }

    func testParsesEveryField() throws {
        let hello = try XCTUnwrap(HelloMessage(parsing: Self.valid))
        XCTAssertEqual(hello.sentinelAddress, HostPort(host: "10.0.0.2", port: 26380))
        XCTAssertEqual(hello.sentinelRunID, Self.peer)
        XCTAssertEqual(hello.currentEpoch, 7)
        XCTAssertEqual(hello.masterName, "mymaster")
        XCTAssertEqual(hello.masterAddress, HostPort(host: "10.0.0.1", port: 6379))
        XCTAssertEqual(hello.masterConfigEpoch, 5)
    }

    func testTextAndBytesParseAlike() {
        XCTAssertEqual(HelloMessage(parsing: Self.valid), HelloMessage(parsing: Array(Self.valid.utf8)))
        XCTAssertNil(HelloMessage(parsing: Array("".utf8)))
    }

    func testRendersTheWireText() {
        let hello = HelloMessage(sentinelAddress: HostPort(host: "127.0.0.1", port: 26379),
                                 sentinelRunID: String(repeating: "a", count: 40), currentEpoch: 3, masterName: "mymaster",
                                 masterAddress: HostPort(host: "::1", port: 6380), masterConfigEpoch: 2)
        XCTAssertEqual(hello.text, "127.0.0.1,26379,\(String(repeating: "a", count: 40)),3,mymaster,::1,6380,2")
        XCTAssertEqual(HelloMessage.channel, "__sentinel__:hello")
    }

    func testRoundTrips() throws {
        let extremes = HelloMessage(sentinelAddress: HostPort(host: "2001:db8::7", port: 65535), sentinelRunID: Self.peer,
                                    currentEpoch: InputLimits.maximumEpoch, masterName: "a name with spaces",
                                    masterAddress: HostPort(host: "redis-1.example", port: 1), masterConfigEpoch: 0)
        for hello in [try XCTUnwrap(HelloMessage(parsing: Self.valid)), extremes] {
            XCTAssertEqual(HelloMessage(parsing: hello.text), hello)
        }
        XCTAssertEqual(HelloMessage(parsing: Self.valid)?.text, Self.valid)
    }

    func testRefusesAnythingButEightFields() {
        for text in ["", ",,,,,,,", "garbage", "1,2,3,4,5,6,7", Self.valid + ",", Self.valid + ",extra",
                     String(Self.valid.dropLast(2)), Self.valid.replacingOccurrences(of: ",mymaster,", with: ",my,master,")] {
            XCTAssertNil(HelloMessage(parsing: text), text)
        }
    }

    func testRefusesPortsOutsideOneTo65535() {
        for field in [1, 6] {
            for port in ["0", "65536", "-1", "99999999999999999999", "", "port", "6379x", " 6379", "0x10"] {
                XCTAssertNil(HelloMessage(parsing: replacingField(field, with: port)), "field \(field): \(port)")
            }
            XCTAssertEqual(HelloMessage(parsing: replacingField(field, with: "1"))?.text, replacingField(field, with: "1"))
            XCTAssertEqual(HelloMessage(parsing: replacingField(field, with: "65535"))?.text, replacingField(field, with: "65535"))
        }
    }

    func testRefusesEpochsAboveTheLargestSignedValue() {
        let largest = String(InputLimits.maximumEpoch)
        for field in [3, 7] {
            for epoch in [String(InputLimits.maximumEpoch + 1), String(UInt64.max), "18446744073709551616", "-1", "", "epoch", "1.5", " 1"] {
                XCTAssertNil(HelloMessage(parsing: replacingField(field, with: epoch)), "field \(field): \(epoch)")
            }
            XCTAssertEqual(HelloMessage(parsing: replacingField(field, with: largest))?.text, replacingField(field, with: largest))
            XCTAssertEqual(HelloMessage(parsing: replacingField(field, with: "0"))?.text, replacingField(field, with: "0"))
        }
    }

    func testRefusesRunIDsThatAreNotFortyLettersAndDigits() {
        for runID in ["", String(Self.peer.dropLast()), Self.peer + "0", String(Self.peer.dropLast()) + "-",
                      String(Self.peer.dropLast()) + " ", String(Self.peer.dropLast()) + "é", "*"] {
            XCTAssertNil(HelloMessage(parsing: replacingField(2, with: runID)), runID)
        }
    }

    func testRefusesAnEmptyMasterName() {
        XCTAssertNil(HelloMessage(parsing: replacingField(4, with: "")))
    }

    /// Hosts are checked where the hello is applied (it knows whether names are allowed).
    func testLeavesTheHostsToTheCaller() {
        let hello = HelloMessage(parsing: replacingField(0, with: "evil host").replacingOccurrences(of: ",10.0.0.1,", with: ",,"))
        XCTAssertEqual(hello?.sentinelAddress.host, "evil host")
        XCTAssertEqual(hello?.masterAddress.host, "")
    }
}
