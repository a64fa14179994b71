import Glibc
import XCTest
@testable import SentinelServer
import SentinelCore

final class LoggerTests: XCTestCase {
    func testFormatsARedisLine() {
        let time = LogTimestamp(year: 2024, month: 3, day: 7, hour: 9, minute: 5, second: 3, millisecond: 42)
        XCTAssertEqual(Logger.formatLine(pid: 4242, role: "X", timestamp: time, level: .warning,
                                         message: "+sdown master mymaster 127.0.0.1 6379"),
                       "4242:X 07 Mar 2024 09:05:03.042 # +sdown master mymaster 127.0.0.1 6379\n")
        let december = LogTimestamp(year: 2023, month: 12, day: 31, hour: 23, minute: 59, second: 59, millisecond: 999)
        XCTAssertEqual(Logger.formatLine(pid: 7, role: "X", timestamp: december, level: .notice, message: "Sentinel ID is x"),
                       "7:X 31 Dec 2023 23:59:59.999 * Sentinel ID is x\n")
        XCTAssertEqual(LogLevel.debug.symbol, ".")
        XCTAssertEqual(LogLevel.verbose.symbol, "-")
        XCTAssertEqual(LogLevel.notice.symbol, "*")
        XCTAssertEqual(LogLevel.warning.symbol, "#")
        XCTAssertEqual(LogLevel(name: "VERBOSE"), .verbose)
        XCTAssertNil(LogLevel(name: "loud"))
        XCTAssertEqual(Logger.syslogFacility(named: "local0"), LOG_LOCAL0)
        XCTAssertEqual(Logger.syslogFacility(named: "user"), LOG_USER)
        XCTAssertNil(Logger.syslogFacility(named: "kern"))
    }

    func testLocalTimestampUsesLocaltime() {
        let saved = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", "UTC", 1)
        tzset()
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        XCTAssertEqual(LogTimestamp.local(epochMilliseconds: 1_709_802_303_042),
                       LogTimestamp(year: 2024, month: 3, day: 7, hour: 9, minute: 5, second: 3, millisecond: 42))
    }

    func testWritesToAFileAboveTheMinimumLevel() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path = directory.path + "/sentinel.log"
        let now: Int64 = 1_709_802_303_042
        let logger = Logger(configuration: Logger.Configuration(logFile: path, minimumLevel: .verbose),
                            pid: 99, clock: { now })
        logger.debug("hidden")
        logger.verbose("shown")
        logger.warning("+odown master mymaster 127.0.0.1 6379 #quorum 2/2")
        XCTAssertFalse(logger.isEnabled(.debug))
        let stamp = LogTimestamp.local(epochMilliseconds: now)
        let expected = Logger.formatLine(pid: 99, role: "X", timestamp: stamp, level: .verbose, message: "shown")
            + Logger.formatLine(pid: 99, role: "X", timestamp: stamp, level: .warning,
                                message: "+odown master mymaster 127.0.0.1 6379 #quorum 2/2")
        XCTAssertEqual(try FileAccess.readString(path), expected)

        // Reopened per line: a rotated-away file is recreated.
        XCTAssertEqual(rename(path, path + ".1"), 0)
        logger.notice("after rotation")
        XCTAssertTrue(try FileAccess.readString(path).hasSuffix("* after rotation\n"))

        logger.configuration.minimumLevel = .nothing
        logger.warning("silenced")
        XCTAssertFalse(try FileAccess.readString(path).contains("silenced"))
    }

    func testLongMessagesAreCutLikeRedis() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path = directory.path + "/sentinel.log"
        let logger = Logger(configuration: Logger.Configuration(logFile: path), pid: 1, clock: { 0 })
        logger.notice(String(repeating: "a", count: 5000))
        let line = try FileAccess.readString(path)
        XCTAssertTrue(line.hasSuffix(" * " + String(repeating: "a", count: Logger.maximumMessageBytes) + "\n"))
    }

    func testLineBreaksInAMessageCannotForgeLines() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path = directory.path + "/sentinel.log"
        let logger = Logger(configuration: Logger.Configuration(logFile: path), pid: 1, clock: { 0 })
        logger.notice("voted for evil\r\n1:X 01 Jan 1970 00:00:00.000 # +switch-master forged")
        let text = try FileAccess.readString(path)
        XCTAssertEqual(text.split(separator: "\n").count, 1, text)
        XCTAssertTrue(text.hasSuffix(" * voted for evil  1:X 01 Jan 1970 00:00:00.000 # +switch-master forged\n"), text)
    }

    func testSyslogCanBeEnabled() {
        // Only checks that openlog/syslog/closelog run without touching stdout/stderr.
        let logger = Logger(configuration: Logger.Configuration(logFile: "/dev/null", syslogEnabled: true,
                                                                syslogIdent: "swift-sentinel-test"))
        logger.notice("swift-sentinel logger test")
        logger.configuration.syslogEnabled = false
    }
}
