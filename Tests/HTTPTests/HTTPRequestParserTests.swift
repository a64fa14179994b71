import HTTP
import XCTest

/// `HTTPRequestParser`: the request grammar of RFC 9112 for requests without bodies, its limits,
/// and bytes arriving in any split.
final class HTTPRequestParserTests: XCTestCase {
    /// Parses `text` fed whole; fails the test when it is not exactly one request.
    private func parseOne(_ text: String, limits: HTTPLimits = .metricsEndpoint,
                          file: StaticString = #filePath, line: UInt = #line) throws -> HTTPRequest {
        var parser = HTTPRequestParser(limits: limits)
        parser.append(Array(text.utf8))
        let request = try XCTUnwrap(try parser.next(), "no complete request", file: file, line: line)
        XCTAssertNil(try parser.next(), "more than one request", file: file, line: line)
        return request
    }

    /// The error `text` is refused with.
    private func refusal(_ text: String, limits: HTTPLimits = .metricsEndpoint) -> HTTPRequestError? {
        var parser = HTTPRequestParser(limits: limits)
        parser.append(Array(text.utf8))
        do {
            _ = try parser.next()
            return nil
        } catch {
            return error
        }
    }

    func testPrometheusScrapeRequest() throws {
        let request = try parseOne("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9355\r\nUser-Agent: Prometheus/2.42.0\r\n"
                                   + "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n"
                                   + "Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 1\r\n\r\n")
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.path, "/metrics")
        XCTAssertNil(request.query)
        XCTAssertEqual(request.version, .http11)
        XCTAssertTrue(request.keepsConnectionOpen)
        XCTAssertEqual(request.header("user-agent"), "Prometheus/2.42.0")
        XCTAssertEqual(request.headers.count, 5)
        XCTAssertTrue(request.wantsBody)
    }

    func testQueryAndAbsoluteForm() throws {
        let withQuery = try parseOne("GET /metrics?name[]=x HTTP/1.1\r\nHost: h\r\n\r\n")
        XCTAssertEqual(withQuery.path, "/metrics")
        XCTAssertEqual(withQuery.query, "name[]=x")
        XCTAssertEqual(try parseOne("GET http://h:9355/readyz HTTP/1.1\r\nHost: h\r\n\r\n").path, "/readyz")
        XCTAssertEqual(try parseOne("GET HTTP://h HTTP/1.1\r\nHost: h\r\n\r\n").path, "/")
        XCTAssertEqual(try parseOne("GET http://h?a=1 HTTP/1.1\r\nHost: h\r\n\r\n").query, "a=1")
        XCTAssertEqual(refusal("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"),
                       .malformed("the request target is neither a path nor an absolute URI"))
    }

    func testConnectionPersistence() throws {
        XCTAssertFalse(try parseOne("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").keepsConnectionOpen)
        XCTAssertFalse(try parseOne("GET / HTTP/1.0\r\n\r\n").keepsConnectionOpen)
        XCTAssertTrue(try parseOne("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepsConnectionOpen)
        XCTAssertFalse(try parseOne("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, close\r\n\r\n").keepsConnectionOpen)
        XCTAssertEqual(try parseOne("GET / HTTP/1.2\r\nHost: h\r\n\r\n").version, .http11)
    }

    func testBareLineFeedsAndLeadingEmptyLines() throws {
        let request = try parseOne("\r\n\nHEAD /healthz HTTP/1.1\nHost: h\n\n")
        XCTAssertEqual(request.path, "/healthz")
        XCTAssertFalse(request.wantsBody)
    }

    func testHeaderValuesAreTrimmedAndNamesLowercased() throws {
        let request = try parseOne("GET / HTTP/1.1\r\nHOST:\t h \t\r\nX-Empty:\r\n\r\n")
        XCTAssertEqual(request.headers, [HTTPHeader(name: "host", value: "h"), HTTPHeader(name: "x-empty", value: "")])
    }

    func testPipelinedRequestsComeOutOneByOne() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\n".utf8))
        XCTAssertEqual(try parser.next()?.path, "/a")
        XCTAssertEqual(try parser.next()?.path, "/b")
        XCTAssertNil(try parser.next())
        parser.append(Array("Host: h\r\n\r\n".utf8))
        XCTAssertEqual(try parser.next()?.path, "/c")
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    /// Every split of a request into two reads, and byte by byte, gives the same request.
    func testEverySplitGivesTheSameRequest() throws {
        let text = Array("GET /metrics HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n".utf8)
        let whole = try parseOne(String(decoding: text, as: UTF8.self))
        for cut in 0...text.count {
            var parser = HTTPRequestParser()
            parser.append(text[..<cut])
            if cut < text.count { XCTAssertNil(try parser.next(), "complete after \(cut) bytes") }
            parser.append(text[cut...])
            XCTAssertEqual(try parser.next(), whole, "split at \(cut)")
        }
        var parser = HTTPRequestParser()
        var requests: [HTTPRequest] = []
        for byte in text {
            parser.append([byte])
            if let request = try parser.next() { requests.append(request) }
        }
        XCTAssertEqual(requests, [whole])
    }

    func testMalformedRequestLines() {
        XCTAssertEqual(refusal("GET /\r\n\r\n"), .malformed("the request line is not: method, target, version"))
        XCTAssertEqual(refusal("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), .malformed("the request line is not: method, target, version"))
        XCTAssertEqual(refusal("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"), .malformed("invalid method"))
        XCTAssertEqual(refusal("GET metrics HTTP/1.1\r\nHost: h\r\n\r\n"),
                       .malformed("the request target is neither a path nor an absolute URI"))
        XCTAssertEqual(refusal("GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n"), .malformed("invalid request target"))
        XCTAssertEqual(refusal("GET / HTTP/1.1x\r\nHost: h\r\n\r\n"), .malformed("invalid HTTP version"))
        XCTAssertEqual(refusal("GET / http/1.1\r\nHost: h\r\n\r\n"), .malformed("invalid HTTP version"))
        XCTAssertEqual(refusal("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), .versionNotSupported)
        // The HTTP/2 connection preface.
        XCTAssertEqual(refusal("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), .versionNotSupported)
    }

    func testMalformedHeaders() {
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n"), .malformed("header line folding is not accepted"))
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), .malformed("invalid header name"))
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\n: h\r\n\r\n"), .malformed("a header line has no name"))
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost h\r\n\r\n"), .malformed("a header line has no name"))
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: h\u{1}\r\n\r\n"), .malformed("a header value holds a control character"))
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"), .malformed("a header value holds a control character"))
    }

    func testHostRules() throws {
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\n\r\n"), .malformed("an HTTP/1.1 request needs a Host header"))
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), .malformed("more than one Host header"))
        XCTAssertEqual(refusal("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), .malformed("more than one Host header"))
        XCTAssertEqual(try parseOne("GET / HTTP/1.0\r\n\r\n").path, "/")
    }

    func testBodiesAreRefused() throws {
        XCTAssertEqual(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"), .bodyNotAccepted)
        XCTAssertEqual(refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"), .transferEncodingNotImplemented)
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 1\r\n\r\n"),
                       .malformed("conflicting Content-Length values"))
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"), .malformed("invalid Content-Length"))
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999999\r\n\r\n"), .bodyNotAccepted)
        XCTAssertEqual(try parseOne("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0, 00\r\n\r\n").path, "/")
    }

    func testHeadLimit() {
        let limits = HTTPLimits(maximumHeadLength: 64, maximumHeaderCount: 4)
        // Incomplete, and already longer than the limit: refused without waiting for more.
        XCTAssertEqual(refusal("GET /" + String(repeating: "a", count: 80), limits: limits), .headTooLarge)
        // Complete, but longer than the limit.
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 60) + "\r\n\r\n", limits: limits),
                       .headTooLarge)
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits: limits), .tooManyHeaders)
        XCTAssertNil(refusal("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits))
    }

    /// After an error, the parser keeps refusing and holds nothing.
    func testAnErrorIsFinal() {
        var parser = HTTPRequestParser()
        parser.append(Array("BAD\r\n\r\n".utf8))
        XCTAssertThrowsError(try parser.next())
        parser.append(Array("GET / HTTP/1.0\r\n\r\n".utf8))
        XCTAssertEqual(parser.bufferedByteCount, 0)
        XCTAssertThrowsError(try parser.next())
    }

    /// Random bytes and random mutations of a valid request never trap, and the buffer never
    /// holds more than the limit plus one read once the parser has answered.
    func testArbitraryBytesNeverTrap() {
        var random = SeededGenerator(seed: 17)
        let valid = Array("GET /metrics HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n".utf8)
        let alphabet = Array("GET /HTP1.0\r\n: \t,Host-Content-Length0123456789?%\u{7F}\u{0}".utf8)
        for round in 0..<2000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 0...8, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[position] = alphabet.randomElement(using: &random)!
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
                default: bytes.remove(at: position)
                }
                if bytes.isEmpty { bytes = valid }
            }
            if round % 4 == 0 { bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in alphabet.randomElement(using: &random)! } }
            var parser = HTTPRequestParser(limits: HTTPLimits(maximumHeadLength: 128, maximumHeaderCount: 8))
            var index = 0
            while index < bytes.count {
                let count = Int.random(in: 1...16, using: &random)
                parser.append(bytes[index..<min(bytes.count, index + count)])
                index += count
                do {
                    while try parser.next() != nil {}
                } catch {
                    break
                }
                XCTAssertLessThanOrEqual(parser.bufferedByteCount, 128 + 16)
            }
        }
    }
}

/// SplitMix64: the same bytes every run, so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
