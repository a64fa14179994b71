/// A status code and its reason phrase.
public struct HTTPStatus: Sendable, Equatable {
    public var code: Int
    public var reason: String

    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    public static let ok = HTTPStatus(code: 200, reason: "OK")
    public static let badRequest = HTTPStatus(code: 400, reason: "Bad Request")
    public static let notFound = HTTPStatus(code: 404, reason: "Not Found")
    public static let methodNotAllowed = HTTPStatus(code: 405, reason: "Method Not Allowed")
    public static let contentTooLarge = HTTPStatus(code: 413, reason: "Content Too Large")
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431, reason: "Request Header Fields Too Large")
    public static let notImplemented = HTTPStatus(code: 501, reason: "Not Implemented")
    public static let serviceUnavailable = HTTPStatus(code: 503, reason: "Service Unavailable")
    public static let httpVersionNotSupported = HTTPStatus(code: 505, reason: "HTTP Version Not Supported")
}

/// A complete response: status, headers, body. `Content-Length` and `Connection` are added by
/// `encoded`, which frames every response by its length (no chunked coding).
public struct HTTPResponse: Sendable, Equatable {
    public var status: HTTPStatus
    /// Headers besides `Content-Length` and `Connection`, in order.
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    /// `text/plain` in UTF-8, for probes and errors.
    public static let plainText = "text/plain; charset=utf-8"

    public init(status: HTTPStatus, contentType: String, body: [UInt8], headers: [HTTPHeader] = []) {
        self.status = status
        self.headers = [HTTPHeader(name: "Content-Type", value: contentType)] + headers
        self.body = body
    }

    /// The bytes on the wire: the status line (always `HTTP/1.1`, which an HTTP/1.0 client
    /// accepts, RFC 9110 §6.2), the headers, `Content-Length`, `Connection: keep-alive` or
    /// `close`, the blank line, and the body unless `includingBody` is false (a `HEAD`
    /// request: same headers, no body, RFC 9110 §9.3.2).
    public func encoded(includingBody: Bool, keepingConnectionOpen: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status.code) \(status.reason)\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        head += keepingConnectionOpen ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.utf8.count + (includingBody ? body.count : 0))
        bytes.append(contentsOf: head.utf8)
        if includingBody { bytes.append(contentsOf: body) }
        return bytes
    }

    /// The response to `request`: its body only if the method wants one, the connection kept
    /// open if the request asks for it and `mayKeepConnectionOpen`.
    public func encoded(for request: HTTPRequest, mayKeepConnectionOpen: Bool = true) -> [UInt8] {
        encoded(includingBody: request.wantsBody, keepingConnectionOpen: request.keepsConnectionOpen && mayKeepConnectionOpen)
    }
}
