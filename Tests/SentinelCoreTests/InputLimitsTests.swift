import XCTest
@testable import SentinelCore

/// The bounds numbers from outside are clamped to (`Runtime/InputLimits.swift`): the clamps
/// themselves, and the headroom the timer arithmetic relies on.
final class InputLimitsTests: XCTestCase {
    func testDurationsAreClampedToPlusOrMinusTheLongestDuration() {
        let longest = InputLimits.maximumDuration
        XCTAssertEqual(InputLimits.duration(0), 0)
        XCTAssertEqual(InputLimits.duration(5000), 5000)
        XCTAssertEqual(InputLimits.duration(-5000), -5000)
        XCTAssertEqual(InputLimits.duration(longest), longest)
        XCTAssertEqual(InputLimits.duration(longest + 1), longest)
        XCTAssertEqual(InputLimits.duration(-longest - 1), -longest)
        XCTAssertEqual(InputLimits.duration(Int64.max), longest)
        XCTAssertEqual(InputLimits.duration(Int64.min), -longest)
    }

    func testSecondsBecomeMillisecondsWithoutOverflow() {
        let longest = InputLimits.maximumDuration
        XCTAssertEqual(InputLimits.duration(seconds: 0), 0)
        XCTAssertEqual(InputLimits.duration(seconds: 12), 12_000)
        XCTAssertEqual(InputLimits.duration(seconds: -1), -1_000)
        XCTAssertEqual(InputLimits.duration(seconds: longest / 1000), longest)
        XCTAssertEqual(InputLimits.duration(seconds: longest / 1000 + 1), longest)
        XCTAssertEqual(InputLimits.duration(seconds: Int64.max), longest)
        XCTAssertEqual(InputLimits.duration(seconds: Int64.min), -longest)
    }

    func testCountsStayWithinWhatAtoiLoadsBack() {
        XCTAssertEqual(InputLimits.maximumCount, Int(Int32.max))
        XCTAssertEqual(InputLimits.count(0), 0)
        XCTAssertEqual(InputLimits.count(7), 7)
        XCTAssertEqual(InputLimits.count(-1), 0)
        XCTAssertEqual(InputLimits.count(Int64(Int32.max)), Int(Int32.max))
        XCTAssertEqual(InputLimits.count(Int64(Int32.max) + 1), Int(Int32.max))
        XCTAssertEqual(InputLimits.count(Int64.max), Int(Int32.max))
        XCTAssertEqual(InputLimits.count(Int64.min), 0)
    }

    func testEpochsStopAtTheLargestSignedValue() {
        XCTAssertEqual(InputLimits.maximumEpoch, UInt64(Int64.max))
        XCTAssertEqual(InputLimits.epoch(0), 0)
        XCTAssertEqual(InputLimits.epoch(42), 42)
        XCTAssertEqual(InputLimits.epoch(UInt64(Int64.max)), UInt64(Int64.max))
        XCTAssertEqual(InputLimits.epoch(UInt64(Int64.max) + 1), UInt64(Int64.max))
        XCTAssertEqual(InputLimits.epoch(UInt64.max), UInt64(Int64.max))
    }

    /// The type's promise: a duration times the largest script back-off (2^9), plus a
    /// monotonic time or another duration, stays below 2^60.
    func testTheTimerArithmeticHasHeadroom() {
        let backOff = Milliseconds(1) << Milliseconds(ScriptQueue.maximumAttempts - 1)
        XCTAssertEqual(backOff, 512)
        XCTAssertLessThan(InputLimits.maximumDuration * backOff + InputLimits.maximumDuration, Milliseconds(1) << 60)
    }
}
