/// Reads client commands from a byte stream, incrementally, the way a Redis 7.0 server does.
///
/// Feed bytes with `append` as they arrive, then call `next()` until it returns nil. Bytes may
/// be split at any point; a command is returned once all of it has arrived.
///
/// - A request starting with `*` is a RESP multibulk: `*<count>\r\n` then `count` elements of
///   `$<length>\r\n<bytes>\r\n`. A count of zero or less is an empty command and is skipped.
/// - Any other request is an inline command: one line ended by `\n` (a `\r` before it is
///   dropped), split into arguments with `RedisArgumentSplitter`. Blank lines are skipped.
/// - Like Redis, a `*` or `$` header line ends at its `\r` and the byte after that is skipped
///   unchecked; so are the two bytes that follow a bulk's data.
/// - Limits follow Redis: a line ending must appear within `maxInlineLength` bytes (Redis checks
///   whenever more than that much is buffered without one); counts above `maxMultibulkLength`
///   and lengths above `maxBulkLength` are refused; while `requiresAuthentication` is set,
///   counts above 10 and lengths above 16384 are refused.
///
/// A thrown error is final: the connection is to be closed after replying with
/// `error.reply`. Later calls of `next()` throw the same error and appended bytes are dropped.
public struct RESPRequestParser: Sendable {
    /// The limits this parser enforces.
    public let limits: RESPLimits
    /// Whether the client has yet to authenticate; Redis then refuses large counts and lengths
    /// (`unauthenticatedMultibulkLength`, `unauthenticatedBulkLength`).
    public var requiresAuthentication = false

    private var buffer = RESPInputBuffer()
    /// Elements of the current multibulk still to read; 0 between commands.
    private var pendingArgumentCount = 0
    /// Elements of the current multibulk read so far.
    private var arguments: [RequestArgument] = []
    /// Length of the bulk whose data is awaited, or -1 when its `$` line is awaited.
    private var pendingBulkLength = -1
    private var failure: RESPProtocolError?

    /// Bulks at least this long are moved to the front of the buffer before their data arrives,
    /// so they can be handed out without a copy (Redis's `PROTO_MBULK_BIG_ARG`).
    private static let largeBulkLength = 32 * 1024

    /// The most argument slots kept between commands.
    private static let keptArgumentCapacity = 64

    /// A parser with no bytes buffered.
    public init(limits: RESPLimits = .redisDefaults) {
        self.limits = limits
    }

    /// Bytes received but not yet part of a returned or partly read argument.
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

    /// The arguments of the next complete command, or nil when more bytes are needed. The
    /// arguments are views of the parser's buffer (`RequestArgument`), in one array that the
    /// next call empties and fills again: a caller that lets go of a command before asking for
    /// the next one costs no allocation per command.
    public mutating func next() throws(RESPProtocolError) -> [RequestArgument]? {
        if let failure { throw failure }
        do throws(RESPProtocolError) {
            return try parseNextCommand()
        } catch {
            failure = error
            buffer = RESPInputBuffer()
            arguments = []
            throw error
        }
    }

    private mutating func parseNextCommand() throws(RESPProtocolError) -> [RequestArgument]? {
        if pendingArgumentCount == 0 {
            // Lets go of the last command's views (they hold the buffer) but keeps the room,
            // unless a long command left much of it.
            if arguments.capacity > Self.keptArgumentCapacity { arguments = [] } else { arguments.removeAll(keepingCapacity: true) }
        }
        while pendingArgumentCount == 0 {
            guard buffer.count > 0 else { return nil }
            if buffer[0] == UInt8(ascii: "*") {
                guard let count = try readMultibulkCount() else { return nil }
                if count <= 0 { continue }
                pendingArgumentCount = count
                arguments.reserveCapacity(Swift.min(count, 1024))
            } else {
                guard let line = try readInlineCommand() else { return nil }
                if line.isEmpty { continue }
                return line
            }
        }
        while pendingArgumentCount > 0 {
            if pendingBulkLength < 0 {
                guard let length = try readBulkLength() else { return nil }
                pendingBulkLength = length
            }
            guard buffer.count >= pendingBulkLength + 2 else { return nil }
            arguments.append(buffer.takeArgument(length: pendingBulkLength, trailing: 2))
            pendingBulkLength = -1
            pendingArgumentCount -= 1
        }
        return arguments
    }

    /// The arguments of an inline line (possibly none), or nil when its `\n` has not arrived.
    private mutating func readInlineCommand() throws(RESPProtocolError) -> [RequestArgument]? {
        let maximum = limits.maxInlineLength
        guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n"), searchingAtMost: maximum + 1) else {
            if buffer.count > maximum { throw .tooBigInlineRequest }
            return nil
        }
        var lineLength = newline
        if newline > 0 && buffer[newline - 1] == UInt8(ascii: "\r") { lineLength -= 1 }
        switch RedisArgumentSplitter.split(buffer.slice(at: 0, length: lineLength)) {
        case .success(let words):
            buffer.consume(newline + 1)
            return words.map(RequestArgument.init)
        case .failure:
            throw .unbalancedQuotes
        }
    }

    /// The offset of the `\r` ending the header line at the front, or nil when the line and the
    /// byte after its `\r` have not all arrived.
    private mutating func headerLineEnd(tooBig: RESPProtocolError) throws(RESPProtocolError) -> Int? {
        let maximum = limits.maxInlineLength
        guard let carriageReturn = buffer.firstIndex(of: UInt8(ascii: "\r"), searchingAtMost: maximum + 1) else {
            if buffer.count > maximum { throw tooBig }
            return nil
        }
        return buffer.count >= carriageReturn + 2 ? carriageReturn : nil
    }

    /// The number of the `*` or `$` header line at the front and the line's length with its
    /// line ending, not consumed; nil when the line is incomplete. A plain number (the usual
    /// case) is read in one pass; anything else is found and parsed as Redis does. A multibulk
    /// count is read only after its `*`, so only a bulk length can miss its prefix.
    private mutating func headerNumber(prefix: UInt8, tooBig: RESPProtocolError, invalid: RESPProtocolError) throws(RESPProtocolError) -> (value: Int64, lineLength: Int)? {
        // The plain number's line ends within 10 bytes, where `headerLineEnd` finds it too.
        if limits.maxInlineLength >= 10, let plain = buffer.plainHeaderNumber(prefix: prefix) {
            return (Int64(plain.value), plain.lineLength)
        }
        guard let end = try headerLineEnd(tooBig: tooBig) else { return nil }
        let first = buffer[0]
        guard first == prefix else { throw .expectedDollar(got: first) }
        guard let value = RedisInteger.parse(buffer.slice(at: 1, length: end - 1)) else { throw invalid }
        return (value, end + 2)
    }

    /// The count of a `*<count>` line at the front, consumed, or nil when it is incomplete.
    private mutating func readMultibulkCount() throws(RESPProtocolError) -> Int? {
        guard let (count, lineLength) = try headerNumber(prefix: UInt8(ascii: "*"), tooBig: .tooBigMultibulkCountString,
                                                          invalid: .invalidMultibulkLength) else { return nil }
        guard count <= Int64(limits.maxMultibulkLength) else { throw .invalidMultibulkLength }
        if count > 10 && requiresAuthentication { throw .unauthenticatedMultibulkLength }
        buffer.consume(lineLength)
        return Int(count)
    }

    /// The length of a `$<length>` line at the front, consumed, or nil when it is incomplete.
    private mutating func readBulkLength() throws(RESPProtocolError) -> Int? {
        guard let (length, lineLength) = try headerNumber(prefix: UInt8(ascii: "$"), tooBig: .tooBigBulkCountString,
                                                           invalid: .invalidBulkLength) else { return nil }
        guard length >= 0, length <= Int64(limits.maxBulkLength) else { throw .invalidBulkLength }
        if length > 16384 && requiresAuthentication { throw .unauthenticatedBulkLength }
        buffer.consume(lineLength)
        let bulkLength = Int(length)
        if bulkLength >= Self.largeBulkLength && buffer.count <= bulkLength + 2 {
            buffer.dropConsumedBytes()
        }
        return bulkLength
    }
}
