/// Size limits that keep a peer from making a parser hold unbounded memory.
public struct RESPLimits: Sendable, Equatable {
    /// The largest `*<count>` accepted (elements of a command, or of a reply aggregate).
    ///
    /// Redis 7.0 accepts counts up to `INT_MAX`; it never reserves room for more elements than
    /// have arrived, and neither do the parsers here, so memory follows the bytes received.
    public var maxMultibulkLength: Int
    /// The largest `$<length>` accepted: Redis's `proto-max-bulk-len`, 512 MiB by default.
    public var maxBulkLength: Int
    /// How many bytes may arrive before the line ending of an inline command or of a `*`/`$`
    /// header line: Redis's `PROTO_INLINE_MAX_SIZE`, 64 KiB.
    public var maxInlineLength: Int
    /// How deeply reply aggregates may nest (used by `RESPReplyParser` only).
    public var maxNestingDepth: Int

    /// Limits with explicit values.
    public init(maxMultibulkLength: Int, maxBulkLength: Int, maxInlineLength: Int, maxNestingDepth: Int = 64) {
        self.maxMultibulkLength = maxMultibulkLength
        self.maxBulkLength = maxBulkLength
        self.maxInlineLength = maxInlineLength
        self.maxNestingDepth = maxNestingDepth
    }

    /// The limits of a Redis 7.0 server with its default configuration.
    public static let redisDefaults = RESPLimits(
        maxMultibulkLength: Int(Int32.max),
        maxBulkLength: 512 * 1024 * 1024,
        maxInlineLength: 64 * 1024,
        maxNestingDepth: 64
    )
}
