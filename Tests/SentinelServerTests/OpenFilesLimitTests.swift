import Glibc
import SentinelCore
@testable import SentinelServer
import XCTest

/// Redis's start-up adjustment of the open-files limit, against a model of the system: the
/// soft limit can be set up to the hard limit, or beyond it up to a ceiling when privileged.
final class OpenFilesLimitTests: XCTestCase {
    final class FakeSystem: @unchecked Sendable {
        var soft: Int
        var hard: Int
        /// Where a privileged process may raise the hard limit to (fs.nr_open); nil: unprivileged.
        let privilegedCeiling: Int?
        var calls = 0

        init(soft: Int, hard: Int, privilegedCeiling: Int? = nil) {
            self.soft = soft
            self.hard = hard
            self.privilegedCeiling = privilegedCeiling
        }

        var access: OpenFilesLimitAccess {
            OpenFilesLimitAccess(read: { .success(self.soft) }, raise: { value in
                self.calls += 1
                if value > self.hard {
                    guard let ceiling = self.privilegedCeiling, value <= ceiling else { return EPERM }
                    self.hard = value
                }
                self.soft = value
                return nil
            })
        }
    }

    func testEnoughAlreadyChangesNothing() {
        let system = FakeSystem(soft: 20000, hard: 20000)
        let result = OpenFilesLimitAdjustment.adjust(maximumClients: 10000, access: system.access)
        XCTAssertEqual(result.limit, 20000)
        XCTAssertTrue(result.messages.isEmpty)
        XCTAssertEqual(system.calls, 0)
    }

    func testRaisedUpToTheHardLimit() {
        let system = FakeSystem(soft: 1024, hard: 524_288)
        let result = OpenFilesLimitAdjustment.adjust(maximumClients: 10000, access: system.access)
        XCTAssertEqual(result.limit, 10032)
        XCTAssertEqual(system.soft, 10032)
        XCTAssertEqual(system.hard, 524_288, "a higher hard limit is kept")
        XCTAssertEqual(result.messages.map(\.text), ["Increased maximum number of open files to 10032 (it was originally set to 1024)."])
        XCTAssertEqual(result.messages.map(\.level), [.notice])
        XCTAssertFalse(result.isFatal)
    }

    func testPrivilegedProcessRaisesTheHardLimit() {
        let system = FakeSystem(soft: 1024, hard: 4096, privilegedCeiling: 1_048_576)
        let result = OpenFilesLimitAdjustment.adjust(maximumClients: 100_000, access: system.access)
        XCTAssertEqual(result.limit, 100_032)
        XCTAssertEqual(system.hard, 100_032)
    }

    /// The texts of redis-sentinel 7.0.15 under `prlimit --nofile=100:100`.
    func testTooLowLowersMaxclientsWithRedisWarnings() {
        let system = FakeSystem(soft: 100, hard: 100)
        let result = OpenFilesLimitAdjustment.adjust(maximumClients: 10000, access: system.access)
        XCTAssertEqual(result.limit, 100)
        XCTAssertEqual(system.soft, 100)
        XCTAssertEqual(result.messages.map(\.text), [
            "You requested maxclients of 10000 requiring at least 10032 max file descriptors.",
            "Server can't set maximum open files to 10032 because of OS error: Operation not permitted.",
            "Current maximum open files is 100. maxclients has been reduced to 68 to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
        ])
        XCTAssertEqual(result.messages.map(\.level), [.warning, .warning, .warning])
        XCTAssertFalse(result.isFatal)
    }

    /// Redis keeps the highest of 10032, 10016, 10000, … that the system accepts: 4992 under a
    /// hard limit of 5000 (as redis-sentinel reports under `prlimit --nofile=1024:5000`).
    func testKeepsRedisCandidatesBelowTheHardLimit() {
        let system = FakeSystem(soft: 1024, hard: 5000)
        let result = OpenFilesLimitAdjustment.adjust(maximumClients: 10000, access: system.access)
        XCTAssertEqual(result.limit, 4992)
        XCTAssertEqual(system.soft, 4992)
        XCTAssertEqual(result.messages.last?.text, "Current maximum open files is 4992. maxclients has been reduced to 4960 to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.")
    }

    /// maxclients 4294967295 would take Redis's loop 2^28 calls; the search takes a few dozen.
    func testHugeMaxclientsNeedsFewCalls() {
        let system = FakeSystem(soft: 1024, hard: 20000)
        let result = OpenFilesLimitAdjustment.adjust(maximumClients: 4_294_967_295, access: system.access)
        XCTAssertEqual(result.limit, 19999)
        XCTAssertEqual((4_294_967_295 + 32 - result.limit) % 16, 0)
        XCTAssertLessThanOrEqual(system.calls, 40)
        XCTAssertEqual(result.messages.first?.text, "You requested maxclients of 4294967295 requiring at least 4294967327 max file descriptors.")
    }

    func testNoRoomForClientsIsFatal() {
        let system = FakeSystem(soft: 30, hard: 30)
        let result = OpenFilesLimitAdjustment.adjust(maximumClients: 5, access: system.access)
        XCTAssertTrue(result.isFatal)
        XCTAssertEqual(result.messages.map(\.text), ["Your current 'ulimit -n' of 30 is not enough for the server to start. Please increase your open file limit to at least 37. Exiting."])
    }

    func testUnreadableLimitAssumes1024() {
        let access = OpenFilesLimitAccess(read: { .failure(SystemError(message: "Bad address", code: EFAULT)) }, raise: { _ in EPERM })
        let result = OpenFilesLimitAdjustment.adjust(maximumClients: 10000, access: access)
        XCTAssertEqual(result.limit, 1024)
        XCTAssertEqual(result.messages.map(\.text), ["Unable to obtain the current NOFILE limit (Bad address), assuming 1024 and setting the max clients configuration accordingly."])
    }
}
