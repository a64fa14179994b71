import XCTest
@testable import SentinelCore

/// Parsing an INFO reply (`Monitoring/InfoReport.swift`, SENTINEL-PROTOCOL.md §3.2).
final class InfoReportTests: XCTestCase {
    func testOtherInfoNumbersAreReadLikeRedisReadsThem() {
        let replica = InfoReport.parse("role:slave\r\nmaster_host:10.0.0.1\r\nmaster_port:99999999999999999999\r\nslave_priority:99999999999\r\nslave_repl_offset:99999999999999999999\r\nreplica_announced:abc\r\n")
        XCTAssertNil(replica.masterPort, "an out-of-range master_port is unknown")
        XCTAssertEqual(replica.replicaPriority, 1215752191, "atoi keeps the low 32 bits, as glibc's does")
        XCTAssertEqual(replica.replicationOffset, Int64.max)
        XCTAssertEqual(replica.replicaAnnounced, false)
        XCTAssertEqual(InfoReport.parse("role:slave\r\nmaster_port:70000\r\n").masterPort, nil)
        XCTAssertEqual(InfoReport.parse("role:slave\r\nmaster_port:6379\r\n").masterPort, 6379)
        XCTAssertNil(InfoReport.parse("run_id:has spaces and is exactly forty characters long..!\r\n").runID)
    }
}
