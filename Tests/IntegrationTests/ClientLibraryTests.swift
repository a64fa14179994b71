import Foundation
import Glibc
import RESP
import XCTest

/// The Python helper the client-library tests run: redis-py's `redis.sentinel.Sentinel` against
/// the test's sentinels.
///
///     client.py discover S              -> {"master": "ip:port", "slaves": ["ip:port", …]}
///     client.py write S PREFIX N SECS   -> writes PREFIX0…PREFIX{N-1} through master_for, each retried
///                                          on errors until SECS pass; {"written": n, "master": "ip:port", "errors": {…}}
///     client.py stream S PREFIX ACKS STOP -> SETs PREFIX0, PREFIX1, … until the file STOP exists; each
///                                          acknowledged key is appended to ACKS as "key monotonic-seconds";
///                                          on an error it goes on with the next key
/// S is "host:port,host:port,…".
let redisPyClientSource = #"""
import json, os, sys, time
import redis
from redis.sentinel import Sentinel

TIMEOUT = 0.5
RETRYABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, redis.exceptions.ReadOnlyError,
             redis.exceptions.ResponseError)

def sentinel(spec):
    pairs = [(part.rsplit(":", 1)[0], int(part.rsplit(":", 1)[1])) for part in spec.split(",")]
    return Sentinel(pairs, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)

def address(pair):
    return "%s:%s" % (pair[0], pair[1])

def count(errors, error):
    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1

command = sys.argv[1]
s = sentinel(sys.argv[2])
if command == "discover":
    print(json.dumps({"master": address(s.discover_master("mymaster")),
                      "slaves": sorted(address(pair) for pair in s.discover_slaves("mymaster"))}))
elif command == "write":
    prefix, n, deadline = sys.argv[3], int(sys.argv[4]), time.monotonic() + float(sys.argv[5])
    master = s.master_for("mymaster", socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    errors, written = {}, 0
    for i in range(n):
        while True:
            try:
                if master.set("%s%d" % (prefix, i), i):
                    written += 1
                    break
            except RETRYABLE as error:
                count(errors, error)
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    print(json.dumps({"written": written, "master": address(master.connection_pool.get_master_address()),
                      "errors": errors}))
elif command == "stream":
    prefix, acks, stop = sys.argv[3], sys.argv[4], sys.argv[5]
    master = s.master_for("mymaster", socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    errors, i = {}, 0
    with open(acks, "w", buffering=1) as out:
        while not os.path.exists(stop):
            key = "%s%d" % (prefix, i)
            i += 1
            try:
                master.set(key, i)
            except RETRYABLE as error:
                count(errors, error)
                time.sleep(0.005)
                continue
            out.write("%s %.6f\n" % (key, time.monotonic()))
    print(json.dumps({"attempted": i, "errors": errors}))
else:
    sys.exit("unknown command " + command)
"""#

extension FailoverTestCase {
    /// Writes the redis-py helper into the test directory (installing redis-py if needed); returns (python, script).
    func redisPyClient() throws -> (String, String) {
        let python = try RedisPy.python()
        let path = "\(directory)/client.py"
        try redisPyClientSource.write(toFile: path, atomically: true, encoding: .utf8)
        return (python, path)
    }

    var sentinelSpec: String { fleet.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") }

    /// Runs `client.py ARGS` to completion and parses its JSON line.
    func runClient(_ arguments: [String], timeout: Double = 120) throws -> [String: Any] {
        let (python, script) = try redisPyClient()
        let result = try runToCompletion(python, [script] + arguments, timeout: timeout)
        guard result.status == 0, let line = result.output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw IntegrationError("client.py \(arguments.joined(separator: " ")) failed: \(result)")
        }
        return object
    }

    /// Waits until every replica's offset has reached the master's (nothing acknowledged is only on the master).
    func waitForReplicasInSync(master: RedisNode, replicas: [RedisNode]) throws {
        try waitUntil("the replicas reach the master's replication offset") {
            let offset = try role(master)["master_repl_offset"] ?? "?"
            return try replicas.allSatisfy { try role($0)["slave_repl_offset"] == offset }
        }
    }
}

/// redis-py, the real client library, finds the master and replicas through swift-sentinels and
/// follows a failover by itself.
final class ClientLibraryTests: FailoverTestCase {
    func testRedisPyDiscoversTopologyAndFollowsAKillNineFailover() throws {
        try startFleet([.swift, .swift, .swift])
        let discovered = try runClient(["discover", sentinelSpec])
        XCTAssertEqual(discovered["master"] as? String, master.address, "\(discovered)")
        XCTAssertEqual(discovered["slaves"] as? [String], replicas.map(\.address).sorted(), "\(discovered)")

        let before = try runClient(["write", sentinelSpec, "before:", "100", "30"])
        XCTAssertEqual(before["written"] as? Int, 100, "\(before)")
        XCTAssertEqual(before["master"] as? String, master.address, "\(before)")
        XCTAssertEqual(try countExisting((0..<100).map { "before:\($0)" }, port: master.port), 100)
        try waitForReplicasInSync(master: master, replicas: replicas)

        let old = master!
        old.process.signal(SIGKILL)
        XCTAssertTrue(old.process.waitForExit(timeout: 10))
        // Straight after the kill: redis-py must ride out the failover and find the new master itself.
        let after = try runClient(["write", sentinelSpec, "after:", "100", "90"])
        XCTAssertEqual(after["written"] as? Int, 100, "\(after)")
        print("redis-py errors while the master was down: \(after["errors"] ?? [:])")

        let (promoted, other) = try verifyFailover(from: old)
        XCTAssertEqual(after["master"] as? String, promoted.address, "redis-py wrote to another master than the sentinels name: \(after)")
        XCTAssertEqual(try countExisting((0..<100).map { "after:\($0)" }, port: promoted.port), 100)
        XCTAssertEqual(try countExisting((0..<100).map { "before:\($0)" }, port: promoted.port), 100)

        // discover_slaves leaves out the dead old master once the sentinels flag it down.
        var last: [String: Any] = [:]
        try waitUntil("redis-py discovers master \(promoted.address) and the single live replica \(other.address); last \(last)") {
            last = try runClient(["discover", sentinelSpec])
            return last["master"] as? String == promoted.address && last["slaves"] as? [String] == [other.address]
        }
    }
}
