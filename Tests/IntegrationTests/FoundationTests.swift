import Foundation
import Glibc
import RESP
import XCTest

/// One swift-sentinel monitoring one live master: client commands, the config file, protocol
/// errors, shutdown and start-up failures.
final class FoundationTests: IntegrationTestCase {
    func testClientCommandsAgainstLiveMaster() throws {
        let master = try startRedis("master")
        let sentinel = try startSentinel("s1", lines: monitorLines(master: master, MonitorOptions(quorum: 1)))
        let client = try RedisConnection(port: sentinel.port)

        XCTAssertEqual(try client.command("PING"), .status("PONG"))

        try waitUntil("the sentinel is connected to the master and has its INFO (flags master, runid set)") {
            let fields = try client.command("SENTINEL", "MASTER", "mymaster").fieldDictionary
            return fields["flags"] == "master" && !(fields["runid"] ?? "").isEmpty
        }
        let info = try client.command("INFO", "sentinel").text ?? ""
        XCTAssertTrue(info.contains("# Sentinel\r\n"), info)
        XCTAssertTrue(info.contains("sentinel_masters:1\r\n"), info)
        XCTAssertTrue(info.contains("\r\nmaster0:name=mymaster,status=ok,address=127.0.0.1:\(master.port),slaves=0,sentinels=1\r\n"), info)

        let masters = try client.command("SENTINEL", "MASTERS")
        XCTAssertEqual(masters.elements?.count, 1, masters.debugText)
        let fromMasters = masters.elements?.first?.fieldDictionary ?? [:]
        XCTAssertEqual(fromMasters["name"], "mymaster")
        XCTAssertEqual(fromMasters["port"], String(master.port))

        let fields = try client.command("SENTINEL", "MASTER", "mymaster").fieldDictionary
        XCTAssertEqual(fields["name"], "mymaster")
        XCTAssertEqual(fields["ip"], "127.0.0.1")
        XCTAssertEqual(fields["port"], String(master.port))
        XCTAssertEqual(fields["flags"], "master")
        XCTAssertEqual(fields["quorum"], "1")
        XCTAssertEqual(fields["down-after-milliseconds"], "1000")
        XCTAssertEqual(fields["num-slaves"], "0")
        XCTAssertEqual(fields["num-other-sentinels"], "0")
        let masterRunID = parseInfo(try query(master.port, "INFO", "server"))["run_id"]
        XCTAssertEqual(fields["runid"], masterRunID)

        XCTAssertEqual(try client.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"),
                       .array([.bulk("127.0.0.1"), .bulk(String(master.port))]))
        XCTAssertEqual(try client.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch"), .nullArray)
        XCTAssertEqual(try client.command("SENTINEL", "MASTER", "nosuch"), .errorText("ERR No such master with that name"))

        let myID = try client.command("SENTINEL", "MYID").text ?? ""
        XCTAssertEqual(myID.count, 40, myID)
        XCTAssertTrue(myID.allSatisfy { $0.isHexDigit && !$0.isUppercase }, myID)

        // The config file was rewritten with the generated id.
        try waitUntil("the config file holds `sentinel myid \(myID)`") {
            try String(contentsOfFile: sentinel.configPath, encoding: .utf8).contains("sentinel myid \(myID)\n")
        }

        XCTAssertEqual(try client.command("FOO"), .errorText("ERR unknown command 'FOO', with args beginning with: "))
        XCTAssertEqual(try client.command("foo", "bar", "baz"),
                       .errorText("ERR unknown command 'foo', with args beginning with: 'bar' 'baz' "))

        // RESP3: HELLO 3 answers a map and SENTINEL MASTER becomes a map (`%`).
        let hello = try client.command("HELLO", "3")
        guard case .map(let helloEntries) = hello else { return XCTFail("HELLO 3 did not reply a map: \(hello.debugText)") }
        XCTAssertEqual(hello.fieldDictionary["proto"], "3", hello.debugText)
        XCTAssertEqual(hello.fieldDictionary["mode"], "sentinel", hello.debugText)
        XCTAssertFalse(helloEntries.isEmpty)
        let resp3Master = try client.command("SENTINEL", "MASTER", "mymaster")
        guard case .map = resp3Master else { return XCTFail("SENTINEL MASTER under RESP3 is not a map: \(resp3Master.debugText)") }
        XCTAssertEqual(resp3Master.fieldDictionary["name"], "mymaster")
        XCTAssertEqual(resp3Master.fieldDictionary["port"], String(master.port))
        XCTAssertEqual(try client.command("PING"), .status("PONG"))
    }

    func testMalformedRequestClosesOnlyThatClient() throws {
        let master = try startRedis("master")
        let sentinel = try startSentinel("s1", lines: monitorLines(master: master, MonitorOptions(quorum: 1)))
        let healthy = try RedisConnection(port: sentinel.port)
        XCTAssertEqual(try healthy.command("PING"), .status("PONG"))

        let broken = try RedisConnection(port: sentinel.port)
        try broken.sendRaw(Array("*abc\r\n".utf8))
        XCTAssertEqual(try broken.readReply(), .errorText("ERR Protocol error: invalid multibulk length"))
        XCTAssertTrue(broken.waitForPeerClose(), "the sentinel did not close the connection after the protocol error")

        XCTAssertEqual(try healthy.command("PING"), .status("PONG"))
        XCTAssertEqual(try healthy.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"),
                       .array([.bulk("127.0.0.1"), .bulk(String(master.port))]))
        XCTAssertTrue(sentinel.process.isRunning)
    }

    func testSigtermExitsZeroAndFreesThePort() throws {
        let master = try startRedis("master")
        let sentinel = try startSentinel("s1", lines: monitorLines(master: master, MonitorOptions(quorum: 1)))
        XCTAssertEqual(try query(sentinel.port, "PING"), .status("PONG"))
        sentinel.process.signal(SIGTERM)
        XCTAssertTrue(sentinel.process.waitForExit(timeout: 20), "swift-sentinel still runs 20 s after SIGTERM")
        XCTAssertTrue(sentinel.process.exitedNormally, "swift-sentinel was killed by a signal")
        XCTAssertEqual(sentinel.process.exitStatus, 0, sentinel.process.logTail())
        XCTAssertTrue(portIsBindable(sentinel.port), "port \(sentinel.port) is still taken after exit")
        XCTAssertThrowsError(try RedisConnection(port: sentinel.port, timeout: 2))
    }

    func testBrokenConfigLineFailsWithFileAndLine() throws {
        let configPath = "\(directory)/broken.conf"
        let port = try freePort()
        try "port \(port)\nsentinel monitor mymaster 127.0.0.1\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = try launch(name: "swift-sentinel broken", executable: Self.swiftSentinelBinary,
                                 arguments: [configPath], logPath: "\(directory)/broken.log")
        XCTAssertTrue(process.waitForExit(timeout: 20), "swift-sentinel kept running with a broken config")
        XCTAssertEqual(process.exitStatus, 1)
        let output = process.log
        XCTAssertTrue(output.contains("FATAL CONFIG FILE ERROR"), output)
        XCTAssertTrue(output.contains("\(configPath):2"), "no file:line in: \(output)")
        XCTAssertTrue(output.contains("sentinel monitor mymaster 127.0.0.1"), output)
        XCTAssertTrue(portIsBindable(port))
    }

    func testMissingConfigFileFailsClearly() throws {
        let configPath = "\(directory)/does-not-exist.conf"
        let process = try launch(name: "swift-sentinel missing", executable: Self.swiftSentinelBinary,
                                 arguments: [configPath], logPath: "\(directory)/missing.log")
        XCTAssertTrue(process.waitForExit(timeout: 20), "swift-sentinel kept running without its config file")
        XCTAssertEqual(process.exitStatus, 1)
        XCTAssertTrue(process.log.contains(configPath), process.log)
    }

    func testConfigPathThatIsADirectoryFailsClearly() throws {
        let configPath = "\(directory)/a-directory.conf"
        try FileManager.default.createDirectory(atPath: configPath, withIntermediateDirectories: false)
        let process = try launch(name: "swift-sentinel directory", executable: Self.swiftSentinelBinary,
                                 arguments: [configPath], logPath: "\(directory)/directory.log")
        XCTAssertTrue(process.waitForExit(timeout: 20), "swift-sentinel kept running with a directory as its config file")
        XCTAssertEqual(process.exitStatus, 1)
        XCTAssertTrue(process.log.contains(configPath), process.log)
        XCTAssertTrue(process.log.contains("Is a directory"), process.log)
    }
}
