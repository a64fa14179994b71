import Glibc
import HTTP
import XCTest
@testable import SentinelServer

/// The metrics port's HTTP/1.1 server (`HTTPServer`): keep-alive and pipelining, errors,
/// a client that stops reading, the connection limit and the timeouts. Every wait is
/// `run(until:)` with a generous deadline; timeouts are set short and awaited as events.
final class HTTPServerTests: XCTestCase {
    private let deadline: Int64 = 10_000

    /// A client connection that records what it receives and how it closed.
    final class Client {
        let stream: StreamConnection
        var received: [UInt8] = []
        var closeReason: StreamCloseReason?
        var connected = false

        init(loop: EpollLoop, port: Int) {
            stream = StreamConnection.connect(loop: loop, host: "127.0.0.1", port: port)
            stream.onConnect = { [unowned self] in self.connected = true }
            stream.onData = { [unowned self] bytes in self.received.append(contentsOf: bytes) }
            stream.onClose = { [unowned self] reason in self.closeReason = reason }
        }

        var text: String { String(decoding: received, as: UTF8.self) }

        /// How many complete responses have arrived (their bodies are short text here).
        func responses(containing needle: String) -> Int { text.components(separatedBy: needle).count - 1 }
    }

    /// A server whose `respond` echoes the path, or answers a body of `bigBodySize` bytes for
    /// `/big`; `requests` lists the paths asked for.
    final class Recorder {
        var requests: [String] = []
        let bigBodySize: Int
        init(bigBodySize: Int = 0) { self.bigBodySize = bigBodySize }

        func respond(_ request: HTTPRequest) -> HTTPResponse {
            requests.append(request.path)
            let body = request.path == "/big" ? [UInt8](repeating: UInt8(ascii: "x"), count: bigBodySize) : Array("path \(request.path)\n".utf8)
            return HTTPResponse(status: .ok, contentType: HTTPResponse.plainText, body: body)
        }
    }

    private func makeServer(loop: EpollLoop, recorder: Recorder, settings: HTTPServer.Settings = HTTPServer.Settings()) throws -> (HTTPServer, Int) {
        let server = try HTTPServer(loop: loop, bindAddresses: ["127.0.0.1"], port: 0, settings: settings) { recorder.respond($0) }
        return (server, try XCTUnwrap(server.boundAddresses.first).port)
    }

    private func get(_ path: String, close: Bool = false) -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: t\r\n\(close ? "Connection: close\r\n" : "")\r\n".utf8)
    }

    func testPipelinedKeepAliveRequestsAreAnsweredInOrder() throws {
        let loop = try EpollLoop()
        let recorder = Recorder()
        let (server, port) = try makeServer(loop: loop, recorder: recorder)
        let client = Client(loop: loop, port: port)
        client.stream.write(get("/a") + get("/b") + get("/c"))
        // The three arrive in one read; one is answered per turn of the loop.
        XCTAssertTrue(try loop.run(until: { !recorder.requests.isEmpty }, timeoutMilliseconds: deadline))
        XCTAssertEqual(recorder.requests, ["/a"])
        XCTAssertTrue(try loop.run(until: { client.responses(containing: "HTTP/1.1 200 OK") == 3 }, timeoutMilliseconds: deadline))
        XCTAssertEqual(recorder.requests, ["/a", "/b", "/c"])
        let text = client.text
        XCTAssertLessThan(try XCTUnwrap(text.range(of: "path /a")).lowerBound, try XCTUnwrap(text.range(of: "path /b")).lowerBound)
        XCTAssertLessThan(try XCTUnwrap(text.range(of: "path /b")).lowerBound, try XCTUnwrap(text.range(of: "path /c")).lowerBound)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 8\r\nConnection: keep-alive\r\n\r\npath /a\n"))
        // Still open: a fourth request on the same connection.
        client.stream.write(get("/d"))
        XCTAssertTrue(try loop.run(until: { client.responses(containing: "HTTP/1.1 200 OK") == 4 }, timeoutMilliseconds: deadline))
        XCTAssertNil(client.closeReason)
        XCTAssertEqual(server.connectionCount, 1)
        server.close()
    }

    func testConnectionCloseIsHonoured() throws {
        let loop = try EpollLoop()
        let (server, port) = try makeServer(loop: loop, recorder: Recorder())
        let client = Client(loop: loop, port: port)
        client.stream.write(get("/a", close: true) + get("/never"))
        XCTAssertTrue(try loop.run(until: { client.closeReason != nil }, timeoutMilliseconds: deadline))
        XCTAssertEqual(client.responses(containing: "HTTP/1.1 "), 1)
        XCTAssertTrue(client.text.contains("Connection: close\r\n"))
        XCTAssertTrue(try loop.run(until: { server.connectionCount == 0 }, timeoutMilliseconds: deadline))
    }

    func testMalformedRequestIsAnsweredWithItsErrorThenClosed() throws {
        let loop = try EpollLoop()
        let recorder = Recorder()
        let (server, port) = try makeServer(loop: loop, recorder: recorder)
        let client = Client(loop: loop, port: port)
        client.stream.write(Array("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\n folded\r\n\r\n".utf8))
        XCTAssertTrue(try loop.run(until: { client.closeReason != nil }, timeoutMilliseconds: deadline))
        XCTAssertEqual(recorder.requests, ["/a"])
        XCTAssertTrue(client.text.contains("HTTP/1.1 400 Bad Request\r\n"), client.text)
        XCTAssertTrue(client.text.hasSuffix("Connection: close\r\n\r\nheader line folding is not accepted\n"), client.text)
        XCTAssertTrue(try loop.run(until: { server.connectionCount == 0 }, timeoutMilliseconds: deadline))

        let oversized = Client(loop: loop, port: port)
        oversized.stream.write(Array("GET /".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 9000))
        XCTAssertTrue(try loop.run(until: { oversized.closeReason != nil }, timeoutMilliseconds: deadline))
        XCTAssertTrue(oversized.text.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), oversized.text)
    }

    /// A client that sends requests and never reads: one response is queued and its reading
    /// stops, so its other requests are not even parsed; other clients are served meanwhile;
    /// after the send timeout it is closed.
    func testAClientThatNeverReadsHoldsOneResponseAndIsClosed() throws {
        let loop = try EpollLoop()
        let recorder = Recorder(bigBodySize: 16 * 1024 * 1024)
        var settings = HTTPServer.Settings()
        settings.sendTimeoutMilliseconds = 300
        let (server, port) = try makeServer(loop: loop, recorder: recorder, settings: settings)
        let stalled = Client(loop: loop, port: port)
        XCTAssertTrue(try loop.run(until: { stalled.connected }, timeoutMilliseconds: deadline))
        stalled.stream.isReadingPaused = true
        stalled.stream.write((0..<200).flatMap { _ in get("/big") })
        XCTAssertTrue(try loop.run(until: { recorder.requests.count == 1 }, timeoutMilliseconds: deadline))

        let other = Client(loop: loop, port: port)
        other.stream.write(get("/healthz"))
        XCTAssertTrue(try loop.run(until: { other.responses(containing: "path /healthz") == 1 }, timeoutMilliseconds: deadline))
        XCTAssertEqual(recorder.requests, ["/big", "/healthz"], "the stalled client's other requests were not parsed")

        XCTAssertTrue(try loop.run(until: { server.connectionCount == 1 }, timeoutMilliseconds: deadline))
        XCTAssertEqual(recorder.requests.count, 2)
        server.close()
    }

    /// A slow reader gets every response: the next request is answered once the queued
    /// response is written.
    func testASlowReaderGetsEveryResponseInTurn() throws {
        let loop = try EpollLoop()
        let size = 8 * 1024 * 1024
        let recorder = Recorder(bigBodySize: size)
        let (server, port) = try makeServer(loop: loop, recorder: recorder)
        let slow = Client(loop: loop, port: port)
        XCTAssertTrue(try loop.run(until: { slow.connected }, timeoutMilliseconds: deadline))
        slow.stream.isReadingPaused = true
        slow.stream.write(get("/big") + get("/big") + get("/a"))
        XCTAssertTrue(try loop.run(until: { recorder.requests.count == 1 }, timeoutMilliseconds: deadline))
        _ = try loop.run(until: { recorder.requests.count > 1 }, timeoutMilliseconds: 200)
        XCTAssertEqual(recorder.requests, ["/big"], "the next request waits for the queued response")
        slow.stream.isReadingPaused = false
        XCTAssertTrue(try loop.run(until: { slow.text.hasSuffix("path /a\n") }, timeoutMilliseconds: 30_000))
        XCTAssertEqual(recorder.requests, ["/big", "/big", "/a"])
        func length(_ body: Int) -> Int {
            HTTPResponse(status: .ok, contentType: HTTPResponse.plainText, body: [UInt8](repeating: 0, count: body))
                .encoded(includingBody: true, keepingConnectionOpen: true).count
        }
        XCTAssertEqual(slow.received.count, 2 * length(size) + length(8))
        server.close()
    }

    func testConnectionsBeyondTheLimitAreTurnedAway() throws {
        let loop = try EpollLoop()
        var settings = HTTPServer.Settings()
        settings.maximumConnections = 2
        let (server, port) = try makeServer(loop: loop, recorder: Recorder(), settings: settings)
        let first = Client(loop: loop, port: port), second = Client(loop: loop, port: port)
        XCTAssertTrue(try loop.run(until: { server.connectionCount == 2 }, timeoutMilliseconds: deadline))
        let third = Client(loop: loop, port: port)
        XCTAssertTrue(try loop.run(until: { third.closeReason != nil }, timeoutMilliseconds: deadline))
        XCTAssertTrue(third.text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), third.text)
        XCTAssertTrue(third.text.hasSuffix("too many connections\n"))
        XCTAssertNil(first.closeReason)
        XCTAssertNil(second.closeReason)
        server.close()
    }

    /// A request trickled slower than the request timeout, and a connection idle longer than
    /// the idle timeout, are closed; answering a request restarts the idle timeout.
    func testRequestAndIdleTimeouts() throws {
        let loop = try EpollLoop()
        var settings = HTTPServer.Settings()
        settings.requestTimeoutMilliseconds = 200
        settings.idleTimeoutMilliseconds = 400
        let recorder = Recorder()
        let (server, port) = try makeServer(loop: loop, recorder: recorder, settings: settings)
        let trickling = Client(loop: loop, port: port)
        trickling.stream.write(Array("GET /slow HTTP/1.1\r\n".utf8))
        XCTAssertTrue(try loop.run(until: { trickling.closeReason != nil }, timeoutMilliseconds: deadline))
        XCTAssertEqual(trickling.closeReason, .peerClosed)
        XCTAssertEqual(recorder.requests, [])

        let idle = Client(loop: loop, port: port)
        var answered = 0
        // Requests every 100 ms keep it open past several idle timeouts.
        for round in 1...8 {
            idle.stream.write(get("/keep"))
            XCTAssertTrue(try loop.run(until: { idle.responses(containing: "path /keep") == round }, timeoutMilliseconds: deadline))
            answered = round
            _ = try loop.run(until: { false }, timeoutMilliseconds: 100)
        }
        XCTAssertNil(idle.closeReason)
        XCTAssertEqual(answered, 8)
        XCTAssertTrue(try loop.run(until: { idle.closeReason != nil }, timeoutMilliseconds: deadline))
        XCTAssertTrue(try loop.run(until: { server.connectionCount == 0 }, timeoutMilliseconds: deadline))
    }
}
