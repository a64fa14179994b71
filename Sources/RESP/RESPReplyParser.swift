/// Reads replies from a Redis server or a sentinel, incrementally: every RESP2 and RESP3 type.
///
/// Feed bytes with `append` as they arrive, then call `next()` until it returns nil. Bytes may
/// be split at any point; aggregates are built up as their elements arrive, so a large reply
/// arriving in many pieces is read in time proportional to its size.
///
/// - `$-1` reads as `.nullBulkString`, `*-1` as `.nullArray`, `_` as `.null`.
/// - RESP3 blob errors (`!`) read as `.error`, like simple errors.
/// - Attributes (`|`) are read and dropped; the value they annotate is returned as usual.
/// - Streamed RESP3 types (`$?`, `*?`), which Redis never sends, are refused.
/// - Counts above `maxMultibulkLength`, lengths above `maxBulkLength`, lines longer than
///   `maxBulkLength` and nesting deeper than `maxNestingDepth` are refused, so a hostile peer
///   cannot make the parser hold much more memory than the bytes it sent.
///
/// A thrown error is final: the link is to be closed. Later calls of `next()` throw it again.
public struct RESPReplyParser: Sendable {
    /// The limits this parser enforces.
    public let limits: RESPLimits

    /// An aggregate whose elements are still arriving.
    private struct PartialAggregate: Sendable {
        var typeByte: UInt8
        /// Elements still to come; a map or attribute of N pairs has 2N elements.
        var remaining: Int
        var elements: [RESPValue]
    }

    private var buffer = RESPInputBuffer()
    private var openAggregates: [PartialAggregate] = []
    /// Type byte (`$`, `=` or `!`) and length of a blob whose data is awaited; length -1 when none.
    private var pendingBlobType: UInt8 = 0
    private var pendingBlobLength = -1
    private var failure: RESPProtocolError?

    /// A parser with no bytes buffered.
    public init(limits: RESPLimits = .redisDefaults) {
        self.limits = limits
    }

    /// Bytes received but not yet part of a returned or partly read value.
    public var bufferedByteCount: Int { buffer.count }

    /// Adds received bytes.
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard failure == nil else { return }
        buffer.append(bytes)
    }

    /// Adds received bytes straight from a read buffer.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        buffer.append(bytes)
    }

    /// The next complete reply, or nil when more bytes are needed.
    public mutating func next() throws(RESPProtocolError) -> RESPValue? {
        if let failure { throw failure }
        do throws(RESPProtocolError) {
            return try parseNextReply()
        } catch {
            failure = error
            buffer = RESPInputBuffer()
            openAggregates = []
            throw error
        }
    }

    private mutating func parseNextReply() throws(RESPProtocolError) -> RESPValue? {
        while true {
            let value: RESPValue
            if pendingBlobLength >= 0 {
                guard let blob = try readPendingBlob() else { return nil }
                value = blob
            } else {
                guard let parsed = try readLineValue() else { return nil }
                guard let complete = parsed else { continue }
                value = complete
            }
            if let reply = deliver(value) { return reply }
        }
    }

    /// Adds a complete value to the innermost open aggregate, closing every aggregate it
    /// completes; returns the value when it completes a whole reply.
    private mutating func deliver(_ value: RESPValue) -> RESPValue? {
        var value = value
        while !openAggregates.isEmpty {
            let last = openAggregates.count - 1
            openAggregates[last].elements.append(value)
            openAggregates[last].remaining -= 1
            if openAggregates[last].remaining > 0 { return nil }
            let aggregate = openAggregates.removeLast()
            guard let closed = Self.value(of: aggregate.typeByte, elements: aggregate.elements) else {
                return nil  // An attribute: dropped, the value it annotates follows.
            }
            value = closed
        }
        return value
    }

    /// The value of an aggregate with all its elements, or nil for an attribute.
    private static func value(of typeByte: UInt8, elements: [RESPValue]) -> RESPValue? {
        switch typeByte {
        case UInt8(ascii: "*"): return .array(elements)
        case UInt8(ascii: "~"): return .set(elements)
        case UInt8(ascii: ">"): return .push(elements)
        case UInt8(ascii: "%"):
            var entries: [RESPMapEntry] = []
            entries.reserveCapacity(elements.count / 2)
            var index = 0
            while index + 1 < elements.count {
                entries.append(RESPMapEntry(elements[index], elements[index + 1]))
                index += 2
            }
            return .map(entries)
        default: return nil
        }
    }

    /// The blob whose length line was read, once its data and CRLF have arrived.
    private mutating func readPendingBlob() throws(RESPProtocolError) -> RESPValue? {
        let length = pendingBlobLength
        guard buffer.count >= length + 2 else { return nil }
        guard buffer[length] == UInt8(ascii: "\r"), buffer[length + 1] == UInt8(ascii: "\n") else {
            throw .invalidReply("blob of \(length) bytes not followed by CRLF")
        }
        let data = buffer.takeElement(length: length, trailing: 2)
        pendingBlobLength = -1
        switch pendingBlobType {
        case UInt8(ascii: "="):
            guard data.count >= 4, data[3] == UInt8(ascii: ":") else {
                throw .invalidReply("verbatim string without a format prefix")
            }
            return .verbatim(format: Array(data[0..<3]), text: Array(data[4...]))
        case UInt8(ascii: "!"):
            return .error(data)
        default:
            return .bulkString(data)
        }
    }

    /// Reads the line at the front. Returns nil when it has not fully arrived, `.some(nil)`
    /// when it started a blob or an aggregate (or was an empty attribute), else the value.
    private mutating func readLineValue() throws(RESPProtocolError) -> RESPValue?? {
        guard buffer.count > 0 else { return nil }
        let typeByte = buffer[0]
        guard Self.isTypeByte(typeByte) else {
            throw .invalidReply("unexpected type byte \(Self.describe(typeByte))")
        }
        let maximum = limits.maxBulkLength
        guard let end = buffer.firstIndex(of: UInt8(ascii: "\r"), searchingAtMost: maximum + 2) else {
            if buffer.count > maximum + 1 { throw .invalidReply("line longer than \(maximum) bytes") }
            return nil
        }
        guard buffer.count >= end + 2 else { return nil }
        guard buffer[end + 1] == UInt8(ascii: "\n") else { throw .invalidReply("line not ended by CRLF") }
        let content = buffer.slice(at: 1, length: end - 1)
        let value = try value(of: typeByte, line: content)
        buffer.consume(end + 2)
        return .some(value)
    }

    /// The value of a one-line reply, or nil after starting a blob or an aggregate.
    private mutating func value(of typeByte: UInt8, line: ArraySlice<UInt8>) throws(RESPProtocolError) -> RESPValue? {
        switch typeByte {
        case UInt8(ascii: "+"):
            return .simpleString(Array(line))
        case UInt8(ascii: "-"):
            return .error(Array(line))
        case UInt8(ascii: ":"):
            guard let integer = RedisInteger.parse(line) else { throw .invalidReply("bad integer") }
            return .integer(integer)
        case UInt8(ascii: "_"):
            guard line.isEmpty else { throw .invalidReply("null with content") }
            return .null
        case UInt8(ascii: "#"):
            if line.elementsEqual([UInt8(ascii: "t")]) { return .boolean(true) }
            if line.elementsEqual([UInt8(ascii: "f")]) { return .boolean(false) }
            throw .invalidReply("bad boolean")
        case UInt8(ascii: ","):
            guard let double = Double(String(decoding: line, as: UTF8.self)) else {
                throw .invalidReply("bad double")
            }
            return .double(double)
        case UInt8(ascii: "("):
            guard Self.isBigNumber(line) else { throw .invalidReply("bad big number") }
            return .bigNumber(Array(line))
        case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):
            guard let length = RedisInteger.parse(line) else { throw .invalidReply("bad blob length") }
            if length == -1 && typeByte == UInt8(ascii: "$") { return .nullBulkString }
            guard length >= 0, length <= Int64(limits.maxBulkLength) else {
                throw .invalidReply("blob length \(length) out of range")
            }
            pendingBlobType = typeByte
            pendingBlobLength = Int(length)
            return nil
        default:
            return try openAggregate(typeByte, countLine: line)
        }
    }

    /// Starts an aggregate (`* ~ > % |`); returns it at once when it is null or empty.
    private mutating func openAggregate(_ typeByte: UInt8, countLine: ArraySlice<UInt8>) throws(RESPProtocolError) -> RESPValue? {
        guard let count = RedisInteger.parse(countLine) else { throw .invalidReply("bad aggregate count") }
        if count == -1 && typeByte == UInt8(ascii: "*") { return .nullArray }
        guard count >= 0, count <= Int64(limits.maxMultibulkLength) else {
            throw .invalidReply("aggregate count \(count) out of range")
        }
        let isPaired = typeByte == UInt8(ascii: "%") || typeByte == UInt8(ascii: "|")
        let elementCount = Int(count) * (isPaired ? 2 : 1)
        if elementCount == 0 {
            // An empty attribute annotates the next value and is dropped like any other.
            return Self.value(of: typeByte, elements: [])
        }
        guard openAggregates.count < limits.maxNestingDepth else {
            throw .invalidReply("aggregates nested deeper than \(limits.maxNestingDepth)")
        }
        var elements: [RESPValue] = []
        elements.reserveCapacity(Swift.min(elementCount, 1024))
        openAggregates.append(PartialAggregate(typeByte: typeByte, remaining: elementCount, elements: elements))
        return nil
    }

    private static func isTypeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "*"),
             UInt8(ascii: "_"), UInt8(ascii: ","), UInt8(ascii: "#"), UInt8(ascii: "("), UInt8(ascii: "="),
             UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "|"):
            return true
        default:
            return false
        }
    }

    /// Whether `line` is an optional `-` followed by one or more digits.
    private static func isBigNumber(_ line: ArraySlice<UInt8>) -> Bool {
        let digits = line.first == UInt8(ascii: "-") ? line.dropFirst() : line
        return !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte <= 0x7E { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = Array("0123456789abcdef")
        return "0x\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])"
    }
}
