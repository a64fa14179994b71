import RESP

/// Fuzz target `resp-request`: client bytes through `RESPRequestParser`.
///
/// The first byte chooses the limits (Redis's defaults, or small ones so that every limit is
/// reached by short inputs), whether the client is unauthenticated, and how the rest is cut
/// into reads. Checked:
/// - the commands and the final error are the same whether the bytes arrive at once or in
///   pieces, and so is what stays buffered;
/// - no command is empty, no command has more arguments or longer arguments than the limits
///   allow, and the arguments never hold more bytes than arrived;
/// - after an error, the parser keeps throwing that error and drops further bytes;
/// - every command, encoded again as a multibulk, reads back unchanged; and inline commands
///   whose arguments are UTF-8, quoted with `RedisArgumentSplitter.quoted`, read back too.
enum RESPRequestParserTarget {
    /// The outcome of reading a byte string.
    struct Outcome: Equatable {
        var commands: [[[UInt8]]] = []
        var error: RESPProtocolError?
        var bufferedByteCount = 0
    }

    static let limitChoices: [RESPLimits] = [
        .redisDefaults,
        RESPLimits(maxMultibulkLength: 4, maxBulkLength: 16, maxInlineLength: 32),
        RESPLimits(maxMultibulkLength: 100, maxBulkLength: 1024, maxInlineLength: 256),
        RESPLimits(maxMultibulkLength: 0, maxBulkLength: 0, maxInlineLength: 1),
    ]

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        guard let control = bytes.first else { return }
        let data = Array(bytes.dropFirst())
        let limits = limitChoices[Int(control & 3)]
        let unauthenticated = control & 4 != 0
        let pieceLength = Int(control >> 3) + 1

        let whole = read(data, inPiecesOf: data.count, limits: limits, unauthenticated: unauthenticated)
        let piecewise = read(data, inPiecesOf: pieceLength, limits: limits, unauthenticated: unauthenticated)
        try require(whole == piecewise, "reading at once and in pieces of \(pieceLength) differ: \(whole) vs \(piecewise)")

        var argumentBytes = 0
        for command in whole.commands {
            try require(!command.isEmpty, "an empty command was returned")
            argumentBytes += command.reduce(0) { $0 + $1.count }
            // An inline command's arguments are bounded by its line, a multibulk's by the bulk limits.
            let longest = max(limits.maxBulkLength, limits.maxInlineLength)
            try require(command.allSatisfy { $0.count <= longest }, "an argument longer than both maxBulkLength and maxInlineLength")
            if unauthenticated {
                try require(command.allSatisfy { $0.count <= max(16384, limits.maxInlineLength) }, "an unauthenticated argument longer than 16384 bytes")
            }
        }
        try require(argumentBytes <= data.count, "\(argumentBytes) argument bytes from \(data.count) bytes read")
        try require(whole.bufferedByteCount <= data.count, "more bytes buffered than read")
        try checkErrorIsFinal(data, limits: limits, unauthenticated: unauthenticated)
        try checkReencoding(whole.commands)
    }

    /// Reads `data` in pieces of at most `pieceLength` bytes, taking every command after each.
    static func read(_ data: [UInt8], inPiecesOf pieceLength: Int, limits: RESPLimits, unauthenticated: Bool) -> Outcome {
        var parser = RESPRequestParser(limits: limits)
        parser.requiresAuthentication = unauthenticated
        var outcome = Outcome()
        data.forEachRead(ofAtMost: pieceLength) { piece in
            parser.append(piece)
            do throws(RESPProtocolError) {
                while let command = try parser.next() { outcome.commands.append(command.map(\.bytes)) }
                return true
            } catch {
                outcome.error = error
                return false
            }
        }
        outcome.bufferedByteCount = parser.bufferedByteCount
        return outcome
    }

    /// An error stays: `next()` throws it again, even after more bytes (a valid command) arrive.
    static func checkErrorIsFinal(_ data: [UInt8], limits: RESPLimits, unauthenticated: Bool) throws(FuzzFailure) {
        var parser = RESPRequestParser(limits: limits)
        parser.requiresAuthentication = unauthenticated
        parser.append(data)
        var firstError: RESPProtocolError?
        do {
            while try parser.next() != nil {}
        } catch {
            firstError = error
        }
        guard let firstError else { return }
        parser.append(Array("*1\r\n$4\r\nPING\r\n".utf8))
        let again: Result<[[UInt8]]?, RESPProtocolError>
        do throws(RESPProtocolError) {
            again = .success(try parser.next()?.map(\.bytes))
        } catch {
            again = .failure(error)
        }
        try require(again == .failure(firstError), "after \(firstError) the parser gave \(again)")
        try require(parser.bufferedByteCount == 0, "a failed parser still buffers bytes")
    }

    /// Commands encoded as multibulks (and, when possible, as inline lines) read back unchanged.
    static func checkReencoding(_ commands: [[[UInt8]]]) throws(FuzzFailure) {
        var encoded: [UInt8] = []
        for command in commands { RESPEncoder.encodeCommand(command, into: &encoded) }
        let reread = read(encoded, inPiecesOf: encoded.count, limits: .redisDefaults, unauthenticated: false)
        try require(reread == Outcome(commands: commands), "re-encoded commands read back as \(reread)")

        var inline: [UInt8] = []
        var inlineCommands: [[[UInt8]]] = []
        for command in commands {
            guard let words = quotedWords(command) else { continue }
            let line = words.joined(separator: " ")
            // Quoting can quadruple a length; stay within the default inline limit.
            guard line.utf8.count < 60_000 else { continue }
            inline += Array(line.utf8) + [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
            inlineCommands.append(command)
        }
        let rereadInline = read(inline, inPiecesOf: inline.count, limits: .redisDefaults, unauthenticated: false)
        try require(rereadInline == Outcome(commands: inlineCommands), "quoted inline commands read back as \(rereadInline)")
    }

    /// Each argument quoted; nil when one is not UTF-8 (quoting works on text).
    static func quotedWords(_ command: [[UInt8]]) -> [String]? {
        var words: [String] = []
        for argument in command {
            guard let text = String(validating: argument, as: UTF8.self) else { return nil }
            words.append(RedisArgumentSplitter.quoted(text))
        }
        return words
    }
}
