import RESP

/// The bytes of `text`.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Arguments given as text.
func command(_ words: String...) -> [[UInt8]] { words.map { Array($0.utf8) } }

/// Every way of cutting `input` into pieces that the tests feed: whole, byte by byte, and each
/// split into two pieces.
func chunkings(of input: [UInt8]) -> [[[UInt8]]] {
    var result: [[[UInt8]]] = [[input], input.map { [$0] }]
    for cut in 0...input.count {
        result.append([Array(input[..<cut]), Array(input[cut...])])
    }
    return result
}

/// All commands a request parser returns for `chunks`, calling `next()` after every chunk.
func parseRequests(_ chunks: [[UInt8]], limits: RESPLimits = .redisDefaults) throws -> [[[UInt8]]] {
    var parser = RESPRequestParser(limits: limits)
    var commands: [[[UInt8]]] = []
    for chunk in chunks {
        parser.append(chunk)
        while let next = try parser.next() { commands.append(next.map(\.bytes)) }
    }
    return commands
}

/// All replies a reply parser returns for `chunks`, calling `next()` after every chunk.
func parseReplies(_ chunks: [[UInt8]], limits: RESPLimits = .redisDefaults) throws -> [RESPValue] {
    var parser = RESPReplyParser(limits: limits)
    var replies: [RESPValue] = []
    for chunk in chunks {
        parser.append(chunk)
        while let next = try parser.next() { replies.append(next) }
    }
    return replies
}

/// The error a request parser throws for `input` fed whole, or nil.
func requestError(_ input: [UInt8], limits: RESPLimits = .redisDefaults, authenticated: Bool = true) -> RESPProtocolError? {
    var parser = RESPRequestParser(limits: limits)
    parser.requiresAuthentication = !authenticated
    parser.append(input)
    do {
        while try parser.next() != nil {}
        return nil
    } catch {
        return error
    }
}

/// The error a reply parser throws for `input` fed whole, or nil.
func replyError(_ input: [UInt8], limits: RESPLimits = .redisDefaults) -> RESPProtocolError? {
    var parser = RESPReplyParser(limits: limits)
    parser.append(input)
    do {
        while try parser.next() != nil {}
        return nil
    } catch {
        return error
    }
}
