import HTTP

/// Fuzz target `http-request`: scraper and probe bytes on the metrics port through
/// `HTTPRequestParser`.
///
/// The first byte chooses the limits (the metrics endpoint's, or small ones so that every
/// limit is reached by short inputs) and how the rest is cut into reads. Checked:
/// - the requests, the error and what stays buffered are the same whether the bytes arrive at
///   once or in pieces (one byte at a time included);
/// - a parser waiting for more bytes never holds more than `maximumHeadLength` of them;
/// - every request has a token for its method, a path starting with `/`, at most
///   `maximumHeaderCount` headers with lowercase token names and values without control
///   characters or surrounding whitespace, one `Host` in HTTP/1.1, and no body announced;
/// - after an error, the parser keeps throwing that error and drops further bytes;
/// - every request, written again in origin form, reads back unchanged;
/// - the responses (to each request, and the error's) are framed by their `Content-Length`,
///   with the body left out for `HEAD`.
enum HTTPRequestParserTarget {
    /// The outcome of reading a byte string.
    struct Outcome: Equatable {
        var requests: [HTTPRequest] = []
        var error: HTTPRequestError?
        var bufferedByteCount = 0
    }

    static let limitChoices: [HTTPLimits] = [
        .metricsEndpoint,
        HTTPLimits(maximumHeadLength: 64, maximumHeaderCount: 2),
        HTTPLimits(maximumHeadLength: 256, maximumHeaderCount: 8),
        HTTPLimits(maximumHeadLength: 1, maximumHeaderCount: 0),
    ]

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        guard let control = bytes.first else { return }
        let data = Array(bytes.dropFirst())
        let limits = limitChoices[Int(control & 3)]
        let pieceLength = Int(control >> 2) + 1

        let whole = try read(data, inPiecesOf: data.count, limits: limits)
        let piecewise = try read(data, inPiecesOf: pieceLength, limits: limits)
        try require(whole == piecewise, "reading at once and in pieces of \(pieceLength) differ: \(whole) vs \(piecewise)")
        if pieceLength > 1 {
            let byteByByte = try read(data, inPiecesOf: 1, limits: limits)
            try require(whole == byteByByte, "reading at once and byte by byte differ: \(whole) vs \(byteByByte)")
        }
        try require(whole.bufferedByteCount <= data.count, "more bytes buffered than read")
        for request in whole.requests {
            try checkRequest(request, limits: limits)
            try checkFraming(HTTPResponse(status: .ok, contentType: HTTPResponse.plainText, body: Array("ok\n".utf8)),
                             includingBody: request.wantsBody, keepingConnectionOpen: request.keepsConnectionOpen)
        }
        if let error = whole.error {
            try checkErrorIsFinal(data, limits: limits, error: error)
            try checkFraming(error.response, includingBody: true, keepingConnectionOpen: false)
        }
        try checkRewriting(whole.requests)
    }

    /// Reads `data` in pieces of at most `pieceLength` bytes, taking every request after each;
    /// checks that a parser that asks for more holds no more than the head limit.
    static func read(_ data: [UInt8], inPiecesOf pieceLength: Int, limits: HTTPLimits) throws(FuzzFailure) -> Outcome {
        var parser = HTTPRequestParser(limits: limits)
        var outcome = Outcome()
        try data.forEachRead(ofAtMost: pieceLength) { (piece) throws(FuzzFailure) in
            parser.append(piece)
            do throws(HTTPRequestError) {
                while let request = try parser.next() { outcome.requests.append(request) }
            } catch {
                outcome.error = error
                return false
            }
            try require(parser.bufferedByteCount <= limits.maximumHeadLength,
                        "waiting for more with \(parser.bufferedByteCount) bytes buffered, above the head limit \(limits.maximumHeadLength)")
            return true
        }
        outcome.bufferedByteCount = parser.bufferedByteCount
        return outcome
    }

    /// The grammar and the header rules hold for a returned request.
    static func checkRequest(_ request: HTTPRequest, limits: HTTPLimits) throws(FuzzFailure) {
        try require(!request.method.isEmpty && request.method.utf8.allSatisfy(isTokenCharacter), "method \(request.method.debugDescription)")
        try require(request.path.hasPrefix("/"), "path \(request.path.debugDescription) does not start with /")
        try require((request.path + (request.query ?? "")).utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F },
                    "target \(request.path.debugDescription) ? \(request.query.debugDescription) holds a byte outside the visible ASCII")
        try require(request.headers.count <= limits.maximumHeaderCount, "\(request.headers.count) headers, the limit is \(limits.maximumHeaderCount)")
        for header in request.headers {
            try require(!header.name.isEmpty && header.name.utf8.allSatisfy(isTokenCharacter) && header.name == header.name.lowercased(),
                        "header name \(header.name.debugDescription)")
            let value = Array(header.value.utf8)
            try require(value.allSatisfy { $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }, "header value \(header.value.debugDescription) holds a control character")
            try require(value.first.map { $0 != 0x20 && $0 != 0x09 } ?? true && value.last.map { $0 != 0x20 && $0 != 0x09 } ?? true,
                        "header value \(header.value.debugDescription) keeps surrounding whitespace")
        }
        let hosts = request.headers.filter { $0.name == "host" }.count
        try require(request.version == .http11 ? hosts == 1 : hosts <= 1, "\(hosts) Host headers in \(request.version)")
        try require(!request.headers.contains { $0.name == "transfer-encoding" }, "a request with Transfer-Encoding")
        for header in request.headers where header.name == "content-length" {
            try require(header.value.utf8.allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ",") || $0 == 0x20 || $0 == 0x09 },
                        "a request announcing a body: Content-Length \(header.value.debugDescription)")
        }
    }

    /// An error stays: `next()` throws it again, even after a valid request arrives.
    static func checkErrorIsFinal(_ data: [UInt8], limits: HTTPLimits, error firstError: HTTPRequestError) throws(FuzzFailure) {
        var parser = HTTPRequestParser(limits: limits)
        parser.append(data)
        do throws(HTTPRequestError) {
            while try parser.next() != nil {}
        } catch {}
        parser.append(Array("GET / HTTP/1.0\r\n\r\n".utf8))
        let again: Result<HTTPRequest?, HTTPRequestError>
        do throws(HTTPRequestError) {
            again = .success(try parser.next())
        } catch {
            again = .failure(error)
        }
        try require(again == .failure(firstError), "after \(firstError) the parser gave \(again)")
        try require(parser.bufferedByteCount == 0, "a failed parser still buffers bytes")
    }

    /// Requests written again in origin form, CRLF line ends and one space after each colon,
    /// read back unchanged (the absolute form's authority is dropped by the parser, the
    /// version, the headers and the persistence stay).
    static func checkRewriting(_ requests: [HTTPRequest]) throws(FuzzFailure) {
        var text = ""
        for request in requests {
            let target = request.path + (request.query.map { "?" + $0 } ?? "")
            text += "\(request.method) \(target) \(request.version == .http11 ? "HTTP/1.1" : "HTTP/1.0")\r\n"
            for header in request.headers { text += "\(header.name): \(header.value)\r\n" }
            text += "\r\n"
        }
        let limits = HTTPLimits(maximumHeadLength: 1 << 30, maximumHeaderCount: 1 << 30)
        let bytes = Array(text.utf8)
        let reread = try read(bytes, inPiecesOf: bytes.count, limits: limits)
        try require(reread == Outcome(requests: requests), "requests written again read back as \(reread) from \(describe(bytes))")
    }

    /// The bytes of `response` are a status line, header lines, a blank line, and exactly
    /// `Content-Length` bytes of body (none when it is left out).
    static func checkFraming(_ response: HTTPResponse, includingBody: Bool, keepingConnectionOpen: Bool) throws(FuzzFailure) {
        let bytes = response.encoded(includingBody: includingBody, keepingConnectionOpen: keepingConnectionOpen)
        let blankLine = Array("\r\n\r\n".utf8)
        guard let headEnd = bytes.indices.first(where: { bytes[$0...].starts(with: blankLine) }) else {
            throw FuzzFailure("a response without a blank line: \(describe(bytes))")
        }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        try require(lines[0].hasPrefix("HTTP/1.1 \(response.status.code) "), "status line \(lines[0].debugDescription)")
        let lengths = lines.dropFirst().filter { $0.hasPrefix("Content-Length: ") }.map { $0.dropFirst("Content-Length: ".count) }
        try require(lengths == ["\(response.body.count)"], "Content-Length \(lengths) for a body of \(response.body.count) bytes")
        let connection = keepingConnectionOpen ? "Connection: keep-alive" : "Connection: close"
        try require(lines.contains(connection[...]), "no \(connection) in \(head.debugDescription)")
        try require(Array(bytes[(headEnd + blankLine.count)...]) == (includingBody ? response.body : []), "the bytes after the head are not the body")
    }

    /// `tchar` of RFC 9110 §5.6.2.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
