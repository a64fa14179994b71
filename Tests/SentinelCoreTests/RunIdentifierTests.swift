import XCTest
@testable import SentinelCore

/// Which run ids from outside are accepted (`Monitoring/RunIdentifier.swift`,
/// SENTINEL-PROTOCOL.md §1.4): exactly 40 ASCII letters and digits.
final class RunIdentifierTests: XCTestCase {
    func testFortyLettersAndDigitsOfEitherCaseAreValid() {
        for runID in [String(repeating: "0", count: 40), "0123456789abcdef0123456789abcdef01234567",
                      "0123456789ABCDEF0123456789abcdef01234567", String(repeating: "z", count: 40),
                      String(repeating: "Z", count: 40)] {
            XCTAssertTrue(RunIdentifier.isValid(runID), runID)
            XCTAssertTrue(RunIdentifier.isValid(Array(runID.utf8)), runID)
            XCTAssertTrue(RunIdentifier.isValid(Array(("x" + runID + "x").utf8).dropFirst().dropLast()), runID)
        }
        XCTAssertEqual(RunIdentifier.length, 40)
    }

    func testAnyOtherLengthIsInvalid() {
        for length in [0, 1, 39, 41, 80] {
            XCTAssertFalse(RunIdentifier.isValid(String(repeating: "a", count: length)), "\(length)")
        }
    }

    func testAnyOtherCharacterIsInvalid() {
        let base = String(repeating: "a", count: 39)
        for character in ["-", "_", " ", "*", ",", "\r", "\n", "\0", "\"", ":", "/", "@", "[", "`", "{"] {
            XCTAssertFalse(RunIdentifier.isValid(base + character), character.debugDescription)
            XCTAssertFalse(RunIdentifier.isValid(character + base), character.debugDescription)
        }
        // Forty bytes, but not forty ASCII characters.
        XCTAssertFalse(RunIdentifier.isValid(String(repeating: "a", count: 38) + "é"))
        XCTAssertFalse(RunIdentifier.isValid([UInt8](repeating: 0xC3, count: 40)))
    }
}
