import HTTP
import XCTest

/// `HTTPResponse.encoded`: framing by `Content-Length`, `Connection`, and `HEAD`.
final class HTTPResponseTests: XCTestCase {
    func testEncodingWithBody() {
        let response = HTTPResponse(status: .ok, contentType: "text/plain; version=0.0.4", body: Array("a 1\n".utf8))
        XCTAssertEqual(String(decoding: response.encoded(includingBody: true, keepingConnectionOpen: true), as: UTF8.self),
                       "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\na 1\n")
    }

    func testHeadKeepsTheLengthAndDropsTheBody() {
        let response = HTTPResponse(status: .methodNotAllowed, contentType: HTTPResponse.plainText, body: Array("no\n".utf8),
                                    headers: [HTTPHeader(name: "Allow", value: "GET, HEAD")])
        let head = HTTPRequest(method: "HEAD", path: "/", version: .http10, keepsConnectionOpen: false)
        XCTAssertEqual(String(decoding: response.encoded(for: head), as: UTF8.self),
                       "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nAllow: GET, HEAD\r\nContent-Length: 3\r\nConnection: close\r\n\r\n")
    }

    func testTheServerMayCloseAKeptConnection() {
        let response = HTTPResponse(status: .serviceUnavailable, contentType: HTTPResponse.plainText, body: [])
        let request = HTTPRequest(method: "GET", path: "/")
        XCTAssertTrue(String(decoding: response.encoded(for: request, mayKeepConnectionOpen: false), as: UTF8.self)
            .hasSuffix("Content-Length: 0\r\nConnection: close\r\n\r\n"))
    }

    func testErrorResponses() {
        let response = HTTPRequestError.headTooLarge.response
        XCTAssertEqual(response.status.code, 431)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "request head too large\n")
    }
}
