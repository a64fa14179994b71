/// Reads HTTP/1.x requests without bodies from a byte stream, incrementally (RFC 9112).
///
/// Feed bytes with `append` as they arrive, then call `next()` until it returns nil. Bytes may
/// be split at any point; a request is returned once its head (the request line, the header
/// lines and the blank line after them) has arrived. Pipelined requests come out one by one.
///
/// - Lines end with CRLF; a bare LF is accepted too (RFC 9112 §2.2), a CR anywhere else is not.
///   Empty lines before a request line are skipped (§2.2).
/// - The request line is `method SP target SP HTTP/1.x` with single spaces; the method is a
///   token, the target the origin form (`/path?query`) or the absolute form
///   (`http://host/path`, §3.2.2); other versions get 505.
/// - A header line is `name: value`; a name is a token with nothing between it and the colon
///   (§5.1), a value holds no control character but tab; a line starting with whitespace (the
///   obsolete line folding) is refused (§5.2).
/// - HTTP/1.1 needs exactly one `Host` (RFC 9110 §7.2); `Content-Length` must be one number,
///   and above 0 it is refused (no endpoint takes a body); `Transfer-Encoding` gets 501.
/// - Limits (`HTTPLimits`): the head must end within `maximumHeadLength` bytes and have at most
///   `maximumHeaderCount` header lines; the work per byte is constant.
///
/// A thrown error is final: answer with `error.response` and close the connection. Later calls
/// of `next()` throw the same error and appended bytes are dropped.
public struct HTTPRequestParser: Sendable {
    public let limits: HTTPLimits

    private var buffer: [UInt8] = []
    /// The first byte not yet returned as part of a request.
    private var start = 0
    /// How far the search for the end of the current head has got (an index into `buffer`).
    private var scanned = 0
    private var failure: HTTPRequestError?

    public init(limits: HTTPLimits = .metricsEndpoint) {
        self.limits = limits
    }

    /// Bytes received and not yet part of a returned request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds received bytes.
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard failure == nil else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes straight from a read buffer.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete request, or nil when more bytes are needed.
    public mutating func next() throws(HTTPRequestError) -> HTTPRequest? {
        if let failure { throw failure }
        do throws(HTTPRequestError) {
            return try parseNextRequest()
        } catch {
            failure = error
            buffer = []
            start = 0
            scanned = 0
            throw error
        }
    }

    /// Drops the bytes already returned once they are at least half the buffer, so that the
    /// buffer never holds more than twice what is pending.
    private mutating func compact() {
        guard start > 0, start >= buffer.count / 2 else { return }
        buffer.removeFirst(start)
        scanned -= start
        start = 0
    }

    private mutating func parseNextRequest() throws(HTTPRequestError) -> HTTPRequest? {
        skipEmptyLines()
        guard let end = findEndOfHead() else {
            if buffer.count - start > limits.maximumHeadLength { throw .headTooLarge }
            return nil
        }
        if end.afterBlankLine - start > limits.maximumHeadLength { throw .headTooLarge }
        let request = try buffer.withUnsafeBufferPointer { (bytes) throws(HTTPRequestError) -> HTTPRequest in
            try Self.parseHead(UnsafeBufferPointer(rebasing: bytes[start..<end.headEnd]), limits: limits)
        }
        start = end.afterBlankLine
        scanned = start
        return request
    }

    /// Skips the empty lines (CRLF or LF) a client may send before a request line.
    private mutating func skipEmptyLines() {
        while start < buffer.count {
            if buffer[start] == Self.lineFeed {
                start += 1
            } else if buffer[start] == Self.carriageReturn, start + 1 < buffer.count, buffer[start + 1] == Self.lineFeed {
                start += 2
            } else {
                break
            }
        }
        if scanned < start { scanned = start }
    }

    /// Where the head ends: the index of the line feed that ends the last header line (or the
    /// request line), and the index after the blank line. Searches only bytes not searched
    /// before, so a head arriving byte by byte costs linear time.
    private mutating func findEndOfHead() -> (headEnd: Int, afterBlankLine: Int)? {
        // Resume one line feed back: the blank line may have begun before `scanned`.
        var index = max(start, scanned - 2)
        while index < buffer.count {
            if buffer[index] == Self.lineFeed {
                // A blank line follows this line feed when the next bytes are LF or CRLF.
                if index + 1 < buffer.count, buffer[index + 1] == Self.lineFeed {
                    return (index, index + 2)
                }
                if index + 2 < buffer.count, buffer[index + 1] == Self.carriageReturn, buffer[index + 2] == Self.lineFeed {
                    return (index, index + 3)
                }
                if index + 2 >= buffer.count {
                    // Too few bytes after it to tell yet.
                    scanned = index
                    return nil
                }
            }
            index += 1
        }
        scanned = index
        return nil
    }

    // MARK: The head

    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    /// Parses a head whose lines end with LF (a CR before it is dropped); `head` ends at the
    /// line feed of its last line, excluded.
    static func parseHead(_ head: UnsafeBufferPointer<UInt8>, limits: HTTPLimits) throws(HTTPRequestError) -> HTTPRequest {
        var lines: [UnsafeBufferPointer<UInt8>] = []
        var lineStart = 0
        for index in 0...head.count where index == head.count || head[index] == lineFeed {
            var lineEnd = index
            if lineEnd > lineStart, head[lineEnd - 1] == carriageReturn { lineEnd -= 1 }
            lines.append(UnsafeBufferPointer(rebasing: head[lineStart..<lineEnd]))
            lineStart = index + 1
            if lines.count > limits.maximumHeaderCount + 1 { throw .tooManyHeaders }
        }
        var request = try parseRequestLine(lines[0])
        for line in lines.dropFirst() {
            request.headers.append(try parseHeaderLine(line))
        }
        try applyHeaderSemantics(&request)
        return request
    }

    /// `method SP request-target SP HTTP-version` (RFC 9112 §3).
    static func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPRequestError) -> HTTPRequest {
        let parts = line.split(separator: space, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("the request line is not: method, target, version") }
        let method = parts[0], target = parts[1], version = parts[2]
        guard !method.isEmpty, method.allSatisfy(isTokenCharacter) else { throw .malformed("invalid method") }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .malformed("invalid request target") }
        let httpVersion = try parseVersion(version)
        let (path, query) = try splitTarget(String(decoding: target, as: UTF8.self))
        return HTTPRequest(method: String(decoding: method, as: UTF8.self), path: path, query: query, version: httpVersion)
    }

    /// `HTTP/<digit>.<digit>`: 1.0 and 1.1 (a later 1.x is served as 1.1, RFC 9110 §2.5).
    static func parseVersion(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) throws(HTTPRequestError) -> HTTPVersion {
        let text = Array(bytes)
        guard text.count == 8, text.starts(with: Array("HTTP/".utf8)), text[6] == UInt8(ascii: "."),
              isDigit(text[5]), isDigit(text[7]) else { throw .malformed("invalid HTTP version") }
        guard text[5] == UInt8(ascii: "1") else { throw .versionNotSupported }
        return text[7] == UInt8(ascii: "0") ? .http10 : .http11
    }

    /// The path and query of an origin-form (`/path?query`) or absolute-form
    /// (`http://authority/path?query`) target.
    static func splitTarget(_ target: String) throws(HTTPRequestError) -> (path: String, query: String?) {
        var rest = Substring(target)
        let lowered = target.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            rest = rest.drop { $0 != ":" }.dropFirst(3)
            rest = rest.drop { $0 != "/" && $0 != "?" }
            if rest.isEmpty || rest.first == "?" { rest = "/" + rest }
        }
        guard rest.first == "/" else { throw .malformed("the request target is neither a path nor an absolute URI") }
        if let mark = rest.firstIndex(of: "?") {
            return (String(rest[..<mark]), String(rest[rest.index(after: mark)...]))
        }
        return (String(rest), nil)
    }

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5).
    static func parseHeaderLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPRequestError) -> HTTPHeader {
        guard let first = line.first, first != space, first != tab else {
            throw .malformed("header line folding is not accepted")
        }
        guard let colon = line.firstIndex(of: colon), colon > 0 else { throw .malformed("a header line has no name") }
        let name = line[..<colon]
        guard name.allSatisfy(isTokenCharacter) else { throw .malformed("invalid header name") }
        var value = line[(colon + 1)...]
        while let byte = value.first, byte == space || byte == tab { value = value.dropFirst() }
        while let byte = value.last, byte == space || byte == tab { value = value.dropLast() }
        guard value.allSatisfy({ $0 == tab || $0 >= 0x20 && $0 != 0x7F }) else {
            throw .malformed("a header value holds a control character")
        }
        return HTTPHeader(name: String(decoding: name, as: UTF8.self).lowercased(), value: String(decoding: value, as: UTF8.self))
    }

    /// `Host`, `Content-Length`, `Transfer-Encoding` and `Connection` (see the type's
    /// documentation).
    static func applyHeaderSemantics(_ request: inout HTTPRequest) throws(HTTPRequestError) {
        var hosts = 0
        var contentLength: String?
        var connectionOptions: [Substring] = []
        for header in request.headers {
            switch header.name {
            case "host":
                hosts += 1
            case "content-length":
                // A list of equal lengths may be one length (RFC 9112 §6.3); anything else is
                // a request smuggling attempt.
                for item in header.value.split(separator: ",", omittingEmptySubsequences: false) {
                    let digits = item.trimmingSpaces()
                    guard !digits.isEmpty, digits.utf8.allSatisfy(isDigit) else { throw .malformed("invalid Content-Length") }
                    // Compared as numbers of any size: without their leading zeros.
                    let length = String(digits.drop { $0 == "0" })
                    if let contentLength, contentLength != length { throw .malformed("conflicting Content-Length values") }
                    contentLength = length
                }
            case "transfer-encoding":
                throw .transferEncodingNotImplemented
            case "connection":
                connectionOptions += header.value.split(separator: ",").map { $0.trimmingSpaces().lowercased()[...] }
            default:
                break
            }
        }
        if request.version == .http11 && hosts != 1 || hosts > 1 {
            throw .malformed(hosts == 0 ? "an HTTP/1.1 request needs a Host header" : "more than one Host header")
        }
        if let contentLength, !contentLength.isEmpty { throw .bodyNotAccepted }
        switch request.version {
        case .http11: request.keepsConnectionOpen = !connectionOptions.contains("close")
        case .http10: request.keepsConnectionOpen = connectionOptions.contains("keep-alive") && !connectionOptions.contains("close")
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// `tchar` of RFC 9110 §5.6.2: letters, digits and ``!#$%&'*+-.^_`|~``.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

extension Substring {
    /// Without the spaces and tabs at either end.
    func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
