import XCTest
@testable import SentinelCore

/// Parsing an INFO reply (`Monitoring/InfoReport.swift`, SENTINEL-PROTOCOL.md §3.2): every
/// field a sentinel reads, CRLF or LF lines, replica fields only after `role:slave`, and
/// numbers read with the C functions Redis uses.
final class InfoReportTests: XCTestCase {

    static let replicaRunID = "0123456789abcdef0123456789abcdef01234567"
    static let replica = """
    # Server\r
    redis_version:7.0.15\r
    run_id:\(replicaRunID)\r
    \r
    # Replication\r
    role:slave\r
    master_host:10.0.0.1\r
    master_port:6379\r
    master_link_status:up\r
    master_link_down_since_seconds:12\r
    slave_priority:50\r
    slave_repl_offset:123456\r
    replica_announced:1\r
    master_failover_state:no-failover\r

    """

    func testReadsEveryFieldOfAReplica() {
        var expected = InfoReport()
        expected.runID = Self.replicaRunID
        expected.role = .replica
        expected.redisVersion = "7.0.15"
        expected.serverFailoverState = "no-failover"
        expected.masterLinkDownTime = 12_000
        expected.masterHost = "10.0.0.1"
        expected.masterPort = 6379
        expected.masterLinkUp = true
        expected.replicaPriority = 50
        expected.replicationOffset = 123_456
        expected.replicaAnnounced = true
        XCTAssertEqual(InfoReport.parse(Self.replica), expected)
    }

    func testReadsAMastersReplicasInBothFormsInOrder() {
        let report = InfoReport.parse("""
        role:master\r
        connected_slaves:4\r
        slave0:ip=10.0.0.2,port=6380,state=online,offset=1,lag=0\r
        slave1:10.0.0.3,6381,online\r
        slave2:ip=::1,port=6382,state=online,offset=1,lag=1\r
        slave10:ip=redis-4.example,port=6383\r
        master_failover_state:waiting-for-sync\r

        """)
        XCTAssertEqual(report.role, .master)
        XCTAssertEqual(report.replicas, [HostPort(host: "10.0.0.2", port: 6380), HostPort(host: "10.0.0.3", port: 6381),
                                         HostPort(host: "::1", port: 6382), HostPort(host: "redis-4.example", port: 6383)])
        XCTAssertEqual(report.serverFailoverState, "waiting-for-sync")
        XCTAssertNil(report.masterHost)
    }

    func testLinesEndWithCRLFOrLF() {
        let lf = Self.replica.replacingOccurrences(of: "\r\n", with: "\n")
        XCTAssertEqual(InfoReport.parse(lf), InfoReport.parse(Self.replica))
        // The last line needs no line end.
        XCTAssertEqual(InfoReport.parse("role:slave\nmaster_port:6380").masterPort, 6380)
        XCTAssertEqual(InfoReport.parse("role:slave\r\nmaster_port:6380\r").masterPort, 6380)
    }

    func testTextAndBytesParseAlike() {
        XCTAssertEqual(InfoReport.parse(bytes: Array(Self.replica.utf8)), InfoReport.parse(Self.replica))
    }

    func testReplicaFieldsCountOnlyAfterRoleSlave() {
        let before = InfoReport.parse("""
        master_host:10.0.0.9\r
        master_port:7000\r
        master_link_status:up\r
        slave_priority:1\r
        slave_repl_offset:5\r
        replica_announced:0\r
        role:slave\r
        master_port:6379\r

        """)
        XCTAssertEqual(before.role, .replica)
        XCTAssertNil(before.masterHost)
        XCTAssertEqual(before.masterPort, 6379)
        XCTAssertNil(before.masterLinkUp)
        XCTAssertNil(before.replicaPriority)
        XCTAssertNil(before.replicationOffset)
        XCTAssertNil(before.replicaAnnounced)
        // A master's report has none of them.
        let master = InfoReport.parse(Self.replica.replacingOccurrences(of: "role:slave", with: "role:master"))
        XCTAssertEqual(master.role, .master)
        XCTAssertNil(master.masterHost)
        XCTAssertNil(master.masterPort)
        XCTAssertNil(master.masterLinkUp)
        XCTAssertNil(master.replicaPriority)
        XCTAssertNil(master.replicationOffset)
        XCTAssertNil(master.replicaAnnounced)
        // The fields every instance reports are read wherever they are.
        XCTAssertEqual(master.runID, Self.replicaRunID)
        XCTAssertEqual(master.redisVersion, "7.0.15")
        XCTAssertEqual(master.masterLinkDownTime, 12_000)
        XCTAssertEqual(master.serverFailoverState, "no-failover")
    }

    func testRunIDIsTheFirstFortyCharactersOfALineOfAtLeastFortySeven() {
        let id = Self.replicaRunID
        XCTAssertEqual(InfoReport.parse("run_id:\(id)").runID, id)
        XCTAssertEqual(InfoReport.parse("run_id:\(id)ffff").runID, id)
        XCTAssertNil(InfoReport.parse("run_id:\(id.dropLast())").runID)
        XCTAssertNil(InfoReport.parse("run_id:\(id.dropLast())-").runID)
        XCTAssertNil(InfoReport.parse("run_id: \(id)").runID)
        XCTAssertNil(InfoReport.parse("run_id:").runID)
    }

    func testMalformedReplicaLinesAreSkipped() {
        let report = InfoReport.parse("""
        role:master\r
        slave0:\r
        slave1\r
        slave2:ip=,port=6380\r
        slave3:ip=10.0.0.1\r
        slave4:ip=10.0.0.1,port=0\r
        slave5:ip=10.0.0.1,port=65536\r
        slave6:ip=10.0.0.1,port=\r
        slave7:10.0.0.1,6380\r
        slave8:,6380,online\r
        slave9:10.0.0.1,port,online\r
        slaveX:ip=10.0.0.1,port=6380\r
        slave_ip=10.0.0.1,port=6380\r
        slave11:ip=10.0.0.1,port=6390\r

        """)
        XCTAssertEqual(report.replicas, [HostPort(host: "10.0.0.1", port: 6390)])
    }

    func testReplicaPortsAreReadWithAtoi() {
        let report = InfoReport.parse("role:master\r\nslave0:ip=10.0.0.1,port= 6380x\r\nslave1:10.0.0.2,+6381,online\r\n")
        XCTAssertEqual(report.replicas, [HostPort(host: "10.0.0.1", port: 6380), HostPort(host: "10.0.0.2", port: 6381)])
    }

    func testLinkDownTimeIsReadWithStrtollAndClamped() {
        func linkDownTime(_ value: String) -> Milliseconds {
            InfoReport.parse("master_link_down_since_seconds:\(value)").masterLinkDownTime
        }
        XCTAssertEqual(InfoReport.parse("role:slave").masterLinkDownTime, 0)
        XCTAssertEqual(linkDownTime("5"), 5_000)
        XCTAssertEqual(linkDownTime("-1"), -1_000)
        XCTAssertEqual(linkDownTime("12abc"), 12_000)
        XCTAssertEqual(linkDownTime("abc"), 0)
        XCTAssertEqual(linkDownTime("99999999999999999999999"), InputLimits.maximumDuration)
        XCTAssertEqual(linkDownTime("-99999999999999999999999"), -InputLimits.maximumDuration)
    }

    func testReplicaNumbersAreReadWithAtoiAndStrtoull() {
        func report(_ line: String) -> InfoReport { InfoReport.parse("role:slave\r\n\(line)\r\n") }
        XCTAssertEqual(report("slave_priority: 7").replicaPriority, 7)
        XCTAssertEqual(report("slave_priority:12abc").replicaPriority, 12)
        XCTAssertEqual(report("slave_priority:abc").replicaPriority, 0)
        XCTAssertEqual(report("slave_priority:-5").replicaPriority, -5)
        XCTAssertEqual(report("slave_repl_offset:123abc").replicationOffset, 123)
        XCTAssertEqual(report("slave_repl_offset:").replicationOffset, 0)
        XCTAssertEqual(report("slave_repl_offset:-5").replicationOffset, Int64.max, "strtoull negates modulo 2^64")
        XCTAssertEqual(report("master_port:6379abc").masterPort, 6379)
        XCTAssertEqual(report("master_port:0").masterPort, 0)
        XCTAssertNil(report("master_port:-1").masterPort)
        XCTAssertEqual(report("replica_announced:0").replicaAnnounced, false)
        XCTAssertEqual(report("replica_announced:2").replicaAnnounced, true)
        XCTAssertEqual(report("replica_announced:").replicaAnnounced, false)
    }

    func testMasterLinkStatusIsUpInAnyCaseOnly() {
        XCTAssertEqual(InfoReport.parse("role:slave\r\nmaster_link_status:UP\r\n").masterLinkUp, true)
        XCTAssertEqual(InfoReport.parse("role:slave\r\nmaster_link_status:down\r\n").masterLinkUp, false)
        XCTAssertEqual(InfoReport.parse("role:slave\r\nmaster_link_status:upper\r\n").masterLinkUp, false)
    }

    func testEmptyAndGarbageTextsReportNothing() {
        for text in ["", "\r\n", "\n\n\r\n", "::::\r\n", "role\r\nrun_id\r\nslave\r\nmaster_port\r\n", "role:\r\n"] {
            XCTAssertEqual(InfoReport.parse(text), InfoReport(), text)
        }
        XCTAssertEqual(InfoReport.parse(bytes: [0xFF, 0xFE, 0x0A, 0x0D, 0x0A, 0x00]), InfoReport())
    }

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
