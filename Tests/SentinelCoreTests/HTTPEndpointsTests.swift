import HTTP
import RESP
import XCTest
@testable import SentinelCore

/// What the metrics port answers (`Observability/HTTPEndpoints.swift`, `Readiness.swift`):
/// the paths, the methods, and readiness.
final class HTTPEndpointsTests: FailoverTestCase {
    func get(_ h: SentinelHarness, _ path: String, method: String = "GET") -> HTTPResponse {
        h.sentinel.answer(HTTPRequest(method: method, path: path), at: h.time)
    }

    func body(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    func testPathsAndMethods() throws {
        let w = try makeWorld()
        let metrics = get(w.h, "/metrics")
        XCTAssertEqual(metrics.status, .ok)
        XCTAssertEqual(metrics.headers, [HTTPHeader(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")])
        XCTAssertEqual(metrics.body, w.h.sentinel.metricsText(at: w.h.time))
        XCTAssertEqual(get(w.h, "/metrics", method: "HEAD").body, metrics.body, "HEAD drops the body when encoded, not here")
        XCTAssertEqual(get(w.h, "/healthz").status, .ok)
        XCTAssertEqual(body(get(w.h, "/healthz")), "ok\n")
        let missing = get(w.h, "/")
        XCTAssertEqual(missing.status, .notFound)
        XCTAssertEqual(body(missing), "not found: the endpoints are /metrics, /healthz and /readyz\n")
        let post = get(w.h, "/metrics", method: "POST")
        XCTAssertEqual(post.status, .methodNotAllowed)
        XCTAssertTrue(post.headers.contains(HTTPHeader(name: "Allow", value: "GET, HEAD")))
    }

    func testReadyOnceStartedConnectedWithEnoughPeers() throws {
        let h = try SentinelHarness(config: "port 26379\nsentinel myid \(Self.myID)\nsentinel monitor mymaster 127.0.0.1 6379 2\n"
                                    + "sentinel known-sentinel mymaster 127.0.0.1 26380 \(runID("b"))\n")
        h.addServer(FakeRedis(port: 6379, runID: runID("a")))
        h.addServer(FakeRedis.sentinel(port: 26380, runID: runID("b")))
        let starting = get(h, "/readyz")
        XCTAssertEqual(starting.status, .serviceUnavailable)
        XCTAssertEqual(body(starting), "starting: the first tick has not run yet\nmaster mymaster: no connection to 127.0.0.1:6379\n")
        h.run(for: 300)
        XCTAssertEqual(get(h, "/readyz").status, .ok)
        XCTAssertEqual(body(get(h, "/readyz")), "ready\n")
    }

    func testNotReadyWithoutTheMasterOrEnoughPeersOrInTilt() throws {
        let w = try makeWorld(quorum: 3, peers: ["b"])
        let h = w.h
        XCTAssertEqual(body(get(h, "/readyz")), "master mymaster: 1 other sentinels reachable, quorum 3 needs 2\n")
        crash(w.master, in: h)
        h.run(for: 200)
        XCTAssertEqual(body(get(h, "/readyz")), "master mymaster: no connection to 127.0.0.1:6379\n"
                       + "master mymaster: 1 other sentinels reachable, quorum 3 needs 2\n")

        let ready = try makeWorld()
        XCTAssertEqual(get(ready.h, "/readyz").status, .ok)
        ready.h.advance(by: 3_000)
        ready.h.tick()
        XCTAssertEqual(body(get(ready.h, "/readyz")), "in TILT mode\n")
        XCTAssertEqual(get(ready.h, "/healthz").status, .ok, "alive in TILT")
    }

    /// A peer that is down does not count towards readiness.
    func testPeersDownDoNotCount() throws {
        let w = try makeWorld(quorum: 2, peers: ["b"])
        let h = w.h
        XCTAssertEqual(get(h, "/readyz").status, .ok)
        crash(w.peers[0], in: h)
        h.run(until: { !h.events("+sdown").isEmpty }, limit: 20_000)
        XCTAssertEqual(body(get(h, "/readyz")), "master mymaster: 0 other sentinels reachable, quorum 2 needs 1\n")
    }
}
