import Foundation
import Glibc
import RESP
import XCTest

/// The Python helper of the TLS tests (redis-py and the `ssl` module):
///
///     tls_client.py discover CERTS S            -> {"master": "ip:port"} through Sentinel(ssl=True)
///     tls_client.py write CERTS S PREFIX N SECS -> like client.py's write, every connection TLS
///     tls_client.py rotation CERTS PORT READY GO -> opens a connection, creates READY, waits for GO,
///                                                  opens new connections until the served certificate's
///                                                  CN changes, then PINGs on the first connection:
///                                                  {"before": CN, "after": CN, "old_connection": reply}
///
/// CERTS is the folder of `Scripts/generate-test-certificates.sh`; S is "host:port,…" (TLS ports).
let tlsClientSource = #"""
import json, os, socket, ssl, sys, time
import redis
from redis.sentinel import Sentinel

TIMEOUT = 0.5
RETRYABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, redis.exceptions.ReadOnlyError,
             redis.exceptions.ResponseError)
command, certs = sys.argv[1], sys.argv[2]
tls = dict(ssl=True, ssl_ca_certs=certs + "/ca.crt", ssl_certfile=certs + "/client.crt",
           ssl_keyfile=certs + "/client.key", ssl_check_hostname=False)

def sentinel(spec):
    pairs = [(part.rsplit(":", 1)[0], int(part.rsplit(":", 1)[1])) for part in spec.split(",")]
    return Sentinel(pairs, sentinel_kwargs=dict(tls, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT),
                    socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, **tls)

def address(pair):
    return "%s:%s" % (pair[0], pair[1])

def connect(port):
    context = ssl.create_default_context(cafile=certs + "/ca.crt")
    context.check_hostname = False
    context.load_cert_chain(certs + "/client.crt", certs + "/client.key")
    return context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="127.0.0.1")

def common_name(connection):
    return dict(pair[0] for pair in connection.getpeercert()["subject"])["commonName"]

if command == "discover":
    print(json.dumps({"master": address(sentinel(sys.argv[3]).discover_master("mymaster"))}))
elif command == "write":
    prefix, n, deadline = sys.argv[4], int(sys.argv[5]), time.monotonic() + float(sys.argv[6])
    master = sentinel(sys.argv[3]).master_for("mymaster", socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    errors, written = {}, 0
    for i in range(n):
        while True:
            try:
                if master.set("%s%d" % (prefix, i), i):
                    written += 1
                    break
            except RETRYABLE as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    print(json.dumps({"written": written, "master": address(master.connection_pool.get_master_address()),
                      "errors": errors}))
elif command == "rotation":
    port, ready, go = int(sys.argv[3]), sys.argv[4], sys.argv[5]
    first = connect(port)
    before = common_name(first)
    open(ready, "w").close()
    deadline = time.monotonic() + 30
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.05)
    after = before
    while after == before and time.monotonic() < deadline:
        connection = connect(port)
        after = common_name(connection)
        connection.close()
        time.sleep(0.05)
    first.sendall(b"*1\r\n$4\r\nPING\r\n")
    print(json.dumps({"before": before, "after": after, "old_connection": first.recv(100).decode()}))
else:
    sys.exit("unknown command " + command)
"""#

/// TLS fleets for the integration tests: certificates made at test time, TLS-only
/// redis-servers (`port 0`, `tls-port`, replication over TLS), sentinels with a TLS port and
/// TLS links, and `redis-cli --tls` / redis-py clients.
class TLSTestCase: IntegrationTestCase {
    /// The folder of this test's certificates.
    private(set) var certificates = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        certificates = "\(directory)/certificates"
        let script = Self.packageRoot + "/Scripts/generate-test-certificates.sh"
        let made = try runToCompletion("/bin/bash", [script, certificates])
        guard made.status == 0 else { throw IntegrationError("generate-test-certificates.sh failed: \(made)") }
    }

    /// `redis-cli --tls` with the test CA and `certificate` (the client one by default; nil
    /// for none) against `port`.
    func tlsCLI(_ port: Int, certificate: String? = "client", _ arguments: String...) throws -> CommandResult {
        var options = ["--tls", "--cacert", "\(certificates)/ca.crt", "-h", "127.0.0.1", "-p", String(port)]
        if let certificate { options += ["--cert", "\(certificates)/\(certificate).crt", "--key", "\(certificates)/\(certificate).key"] }
        return try runToCompletion(Self.findExecutable("redis-cli"), options + arguments, timeout: 20)
    }

    /// `INFO section` of a TLS-only server as a dictionary.
    func tlsInfo(_ port: Int, _ section: String) throws -> [String: String] {
        let result = try tlsCLI(port, "INFO", section)
        guard result.status == 0 else { throw IntegrationError("redis-cli --tls INFO: \(result)") }
        var fields: [String: String] = [:]
        for line in result.output.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }

    /// A redis-server listening on a TLS port only, replicating over TLS (from `master`).
    func startTLSRedis(_ name: String, replicaOf master: RedisNode? = nil) throws -> RedisNode {
        let nodeDirectory = "\(directory)/\(name)"
        try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
        for _ in 0..<5 {
            let port = try freePort()
            var arguments = ["--port", "0", "--tls-port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", nodeDirectory, "--tls-cert-file", "\(certificates)/server.crt",
                             "--tls-key-file", "\(certificates)/server.key", "--tls-client-cert-file", "\(certificates)/client.crt",
                             "--tls-client-key-file", "\(certificates)/client.key", "--tls-ca-cert-file", "\(certificates)/ca.crt",
                             "--tls-replication", "yes"]
            if let master { arguments += ["--replicaof", "127.0.0.1", String(master.port)] }
            let process = try launch(name: "redis-server \(name)", executable: Self.findExecutable("redis-server"),
                                     arguments: arguments, logPath: "\(nodeDirectory)/redis.log")
            let node = RedisNode(name: name, port: port, directory: nodeDirectory, extraArguments: arguments, process: process)
            do {
                try waitUntil("redis-server \(name) answers PING over TLS on \(port)", timeout: 10) {
                    guard process.isRunning else { throw IntegrationError("exited: \(process.logTail())") }
                    return try tlsCLI(port, "PING").output.hasPrefix("PONG")
                }
                return node
            } catch {
                process.stop()
            }
        }
        throw IntegrationError("could not start the TLS redis-server \(name)")
    }

    /// The `tls-*` lines of a sentinel with a TLS port whose links use TLS: it serves the
    /// generic certificate and presents the client one to instances and peers.
    func sentinelTLSLines(tlsPort: Int, certificate: String = "redis") -> String {
        """
        tls-port \(tlsPort)
        tls-cert-file \(certificates)/\(certificate).crt
        tls-key-file \(certificates)/\(certificate).key
        tls-client-cert-file \(certificates)/client.crt
        tls-client-key-file \(certificates)/client.key
        tls-ca-cert-file \(certificates)/ca.crt
        tls-replication yes

        """
    }

    /// A master and two replicas, all TLS-only, replicating.
    func startTLSReplicatedMaster() throws -> (RedisNode, [RedisNode]) {
        let master = try startTLSRedis("master")
        let replicas = [try startTLSRedis("replica1", replicaOf: master), try startTLSRedis("replica2", replicaOf: master)]
        try waitUntil("both TLS replicas report master_link_status:up") {
            try replicas.allSatisfy { try tlsInfo($0.port, "replication")["master_link_status"] == "up" }
        }
        return (master, replicas)
    }

    /// Sentinels of the given kinds, each with a plain port (for the test's own queries) and a
    /// TLS port, monitoring `master`; returns them with their TLS ports once all are discovered.
    func startTLSFleet(_ kinds: [SentinelNode.Kind], master: RedisNode, downAfterMilliseconds: Int) throws -> [(SentinelNode, Int)] {
        let lines = monitorLines(master: master, MonitorOptions(quorum: 2, downAfterMilliseconds: downAfterMilliseconds, failoverTimeout: 15000))
        let fleet = try kinds.enumerated().map { index, kind in
            let tlsPort = try freePort()
            return (try startSentinel("s\(index + 1)-\(kind.rawValue)", kind: kind, lines: sentinelTLSLines(tlsPort: tlsPort) + lines), tlsPort)
        }
        try waitForDiscovery(fleet.map(\.0), replicas: 2)
        return fleet
    }

    /// Runs `tls_client.py ARGS` to completion and parses its JSON line.
    func runTLSClient(_ arguments: [String], timeout: Double = 120) throws -> [String: Any] {
        let python = try RedisPy.python()
        let script = "\(directory)/tls_client.py"
        try tlsClientSource.write(toFile: script, atomically: true, encoding: .utf8)
        let result = try runToCompletion(python, [script] + arguments, timeout: timeout)
        guard result.status == 0, let line = result.output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw IntegrationError("tls_client.py \(arguments.joined(separator: " ")) failed: \(result)")
        }
        return object
    }
}
