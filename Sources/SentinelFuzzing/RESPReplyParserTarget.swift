import RESP

/// Fuzz target `resp-reply`: bytes from an instance or a peer through `RESPReplyParser`.
///
/// The first byte chooses the limits (Redis's defaults, the sentinel's limits for instance
/// replies, or small ones) and how the rest is cut into reads. Checked:
/// - the replies and the final error are the same whether the bytes arrive at once or in pieces;
/// - no aggregate is longer, and no blob larger, than the limits allow, nor nested deeper;
/// - after an error, the parser keeps throwing it;
/// - every reply, encoded again (RESP3 and RESP2), reads back to a value that encodes to the
///   same bytes (byte equality, so that NaN doubles compare).
enum RESPReplyParserTarget {
    struct Outcome: Equatable {
        var replies: [[UInt8]] = []
        var error: RESPProtocolError?
        var bufferedByteCount = 0
    }

    static let limitChoices: [RESPLimits] = [
        .redisDefaults,
        RESPLimits(maxMultibulkLength: 1024, maxBulkLength: 64 * 1024 * 1024, maxInlineLength: 64 * 1024, maxNestingDepth: 2),
        RESPLimits(maxMultibulkLength: 3, maxBulkLength: 8, maxInlineLength: 16, maxNestingDepth: 1),
        RESPLimits(maxMultibulkLength: 0, maxBulkLength: 0, maxInlineLength: 1, maxNestingDepth: 0),
    ]

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        guard let control = bytes.first else { return }
        let data = Array(bytes.dropFirst())
        let limits = limitChoices[Int(control & 3)]
        let pieceLength = Int(control >> 2) + 1

        var values: [RESPValue] = []
        let whole = read(data, inPiecesOf: data.count, limits: limits, values: &values)
        var ignored: [RESPValue] = []
        let piecewise = read(data, inPiecesOf: pieceLength, limits: limits, values: &ignored)
        try require(whole == piecewise, "reading at once and in pieces of \(pieceLength) differ: \(whole) vs \(piecewise)")
        try require(whole.bufferedByteCount <= data.count, "more bytes buffered than read")

        for value in values {
            try checkWithinLimits(value, limits: limits, depth: 0)
            for version in [RESPVersion.resp3, .resp2] {
                let encoded = RESPEncoder.encoded(value, as: version)
                var parser = RESPReplyParser()
                parser.append(encoded)
                let reread: RESPValue?
                do throws(RESPProtocolError) {
                    reread = try parser.next()
                } catch {
                    throw FuzzFailure("\(version) encoding \(describe(encoded)) of \(value) does not read back: \(error)")
                }
                guard let reread else { throw FuzzFailure("\(version) encoding \(describe(encoded)) of \(value) is incomplete") }
                try require(parser.bufferedByteCount == 0, "\(version) encoding \(describe(encoded)) of \(value) reads as more than one value")
                let encodedAgain = RESPEncoder.encoded(reread, as: version)
                try require(encodedAgain == encoded, "\(version) encoding of \(value) changes on a second round: \(describe(encoded)) → \(describe(encodedAgain))")
            }
        }
        try checkErrorIsFinal(data, limits: limits)
    }

    /// Reads `data` in pieces of at most `pieceLength` bytes; `values` gets the replies read.
    static func read(_ data: [UInt8], inPiecesOf pieceLength: Int, limits: RESPLimits, values: inout [RESPValue]) -> Outcome {
        var parser = RESPReplyParser(limits: limits)
        var outcome = Outcome()
        data.forEachRead(ofAtMost: pieceLength) { piece in
            parser.append(piece)
            do throws(RESPProtocolError) {
                while let value = try parser.next() {
                    values.append(value)
                    outcome.replies.append(RESPEncoder.encoded(value, as: .resp3))
                }
                return true
            } catch {
                outcome.error = error
                return false
            }
        }
        outcome.bufferedByteCount = parser.bufferedByteCount
        return outcome
    }

    static func checkWithinLimits(_ value: RESPValue, limits: RESPLimits, depth: Int) throws(FuzzFailure) {
        switch value {
        case .bulkString(let bytes), .error(let bytes), .simpleString(let bytes), .bigNumber(let bytes):
            try require(bytes.count <= limits.maxBulkLength, "a string of \(bytes.count) bytes passed a limit of \(limits.maxBulkLength)")
        case .verbatim(_, let text):
            try require(text.count + 4 <= limits.maxBulkLength, "a verbatim string of \(text.count) bytes passed a limit of \(limits.maxBulkLength)")
        case .array(let items), .set(let items), .push(let items):
            try require(items.count <= limits.maxMultibulkLength, "an aggregate of \(items.count) passed a limit of \(limits.maxMultibulkLength)")
            try require(items.isEmpty || depth < limits.maxNestingDepth, "aggregates nested \(depth + 1) deep passed a limit of \(limits.maxNestingDepth)")
            for item in items { try checkWithinLimits(item, limits: limits, depth: depth + 1) }
        case .map(let entries):
            try require(entries.count <= limits.maxMultibulkLength, "a map of \(entries.count) passed a limit of \(limits.maxMultibulkLength)")
            try require(entries.isEmpty || depth < limits.maxNestingDepth, "aggregates nested \(depth + 1) deep passed a limit of \(limits.maxNestingDepth)")
            for entry in entries {
                try checkWithinLimits(entry.key, limits: limits, depth: depth + 1)
                try checkWithinLimits(entry.value, limits: limits, depth: depth + 1)
            }
        default:
            break
        }
    }

    /// After an error, `next()` throws it again even when a valid reply follows.
    static func checkErrorIsFinal(_ data: [UInt8], limits: RESPLimits) throws(FuzzFailure) {
        var parser = RESPReplyParser(limits: limits)
        parser.append(data)
        var firstError: RESPProtocolError?
        do {
            while try parser.next() != nil {}
        } catch {
            firstError = error
        }
        guard let firstError else { return }
        parser.append(Array("+OK\r\n".utf8))
        let again: Result<RESPValue?, RESPProtocolError>
        do throws(RESPProtocolError) {
            again = .success(try parser.next())
        } catch {
            again = .failure(error)
        }
        try require(again == .failure(firstError), "after \(firstError) the parser gave \(again)")
    }
}
