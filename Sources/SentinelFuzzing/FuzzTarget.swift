/// The fuzz targets (`Scripts/fuzz.sh <target>`): each takes one input, any bytes, and throws
/// `FuzzFailure` when a property it checks does not hold. A Swift trap (overflow, index out
/// of range) is a finding too. The same entry points run under libFuzzer and in the test that
/// replays the corpora in `Tests/FuzzCorpus/<target>/`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Client bytes through `RESPRequestParser`.
    case respRequest = "resp-request"
    /// Instance and peer bytes through `RESPReplyParser`.
    case respReply = "resp-reply"
    /// Scraper and probe bytes on the metrics port through `HTTPRequestParser`.
    case httpRequest = "http-request"
    /// `sentinel.conf` bytes through the parser, the renderer and restarts.
    case configuration = "config"
    /// INFO replies through `InfoReport` and a running sentinel.
    case info
    /// Hello messages through `HelloMessage` and a running sentinel.
    case hello
    /// `Sentinel.handle` under sequences of every kind of input.
    case sentinel

    /// Runs the target on one input; a failure of a target that drives a sentinel ends with
    /// the inputs the sentinel was fed last.
    public func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        do {
            try runUntraced(bytes)
        } catch {
            guard [.info, .hello, .sentinel].contains(self) else { throw error }
            let trace = InputTrace.traced { try runUntraced(bytes) }
            throw FuzzFailure(error.description + "\n--- inputs fed last:\n" + trace.joined(separator: "\n"))
        }
    }

    private func runUntraced(_ bytes: [UInt8]) throws(FuzzFailure) {
        switch self {
        case .respRequest: try RESPRequestParserTarget.run(bytes)
        case .respReply: try RESPReplyParserTarget.run(bytes)
        case .httpRequest: try HTTPRequestParserTarget.run(bytes)
        case .configuration: try ConfigurationTarget.run(bytes)
        case .info: try InfoTarget.run(bytes)
        case .hello: try HelloTarget.run(bytes)
        case .sentinel: try SentinelTarget.run(bytes)
        }
    }

    /// The libFuzzer entry (`LLVMFuzzerTestOneInput`'s body): a failed check stops the process
    /// with its message, so libFuzzer saves the input as a crash.
    public func runFromLibFuzzer(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do {
            try run(bytes)
        } catch {
            fatalError("fuzz target \(rawValue): \(error.description)")
        }
    }
}
