import RESP
import XCTest
@testable import SentinelCore

/// Data-driven scenarios in the etcd-raft style: a text file of commands, each followed by
/// `----` and what the core did meanwhile (its events and log lines, and the replies clients
/// got), run
/// through `SentinelHarness`. A scenario reads as a story and a change in behaviour shows as a
/// diff of the file. `TRANSCRIPT_REWRITE=1 swift test --filter TranscriptTests` writes the
/// outputs the core produces now back into the files (then review the diff).
///
/// Commands (one per block; `#` lines are comments):
/// - `sentinel` followed by configuration lines: starts the sentinel (first block only);
/// - `master <port>`, `replica <port> of <port> [priority <n>] [offset <n>]`: fake Redis
///   servers on 127.0.0.1;
/// - `peer <port> <digit> [down yes|no] [votes first|never|<digit>]`: a fake peer sentinel
///   whose run id is forty `<digit>`s, answering `IS-MASTER-DOWN-BY-ADDR` as told (its vote in
///   each epoch goes to the first candidate asking, to nobody, or in the first epoch to the
///   sentinel `<digit>`);
/// - `run <ms>`: ticks every 100 ms; `run until <event> [within <ms>]`: ticks until the event;
///   `stall <ms>`: one tick after that long (a stalled process);
/// - `hang <port>`, `resume <port>`, `kill <port>`, `restart <port>` (a new run id), `cut <port>`
///   and `heal <port>` (unreachable, then reachable again, the same process), `promote <port>`,
///   `replicate <port> of <port>`: what happens to a fake server;
/// - `hello <port> <payload>`: a peer's hello arriving on the pub/sub link to `<port>`;
/// - `client <command …>`: a client's command; its replies are printed.
final class TranscriptRunner {
    private var harness: SentinelHarness?
    private var servers: [Int: FakeRedis] = [:]
    private let file: StaticString
    private let line: UInt

    init(file: StaticString, line: UInt) {
        self.file = file
        self.line = line
    }

    /// The directory of the transcript files.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Transcripts")

    /// Runs the transcript `name` and compares (or, with `TRANSCRIPT_REWRITE=1`, rewrites)
    /// every block's output.
    static func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = directory.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        let blocks = Block.parse(text)
        let runner = TranscriptRunner(file: file, line: line)
        var rewritten = ""
        for block in blocks {
            let output = try runner.run(block)
            rewritten += block.source + "----\n" + output
            if block.expected != output && ProcessInfo.processInfo.environment["TRANSCRIPT_REWRITE"] == nil {
                XCTFail("\(name), block `\(block.command)`:\n--- expected\n\(block.expected)--- got\n\(output)", file: file, line: line)
            }
            rewritten += block.trailer
        }
        if ProcessInfo.processInfo.environment["TRANSCRIPT_REWRITE"] != nil {
            try rewritten.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    /// One command with its input lines, the expected output and the blank lines after it.
    struct Block {
        var command: String
        var arguments: [String]
        var body: [String]
        /// The lines of the command as written (comments included), up to `----`.
        var source: String
        var expected: String
        var trailer: String

        static func parse(_ text: String) -> [Block] {
            var blocks: [Block] = []
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            var index = 0
            while index < lines.count {
                var source = ""
                var commandLines: [String] = []
                while index < lines.count && lines[index] != "----" {
                    source += lines[index] + "\n"
                    if !lines[index].hasPrefix("#") && !lines[index].isEmpty { commandLines.append(lines[index]) }
                    index += 1
                }
                guard index < lines.count, let first = commandLines.first else { break }
                index += 1
                var expected = ""
                while index < lines.count && !lines[index].isEmpty {
                    expected += lines[index] + "\n"
                    index += 1
                }
                var trailer = ""
                while index < lines.count && lines[index].isEmpty {
                    trailer += "\n"
                    index += 1
                }
                let words = first.split(separator: " ").map(String.init)
                blocks.append(Block(command: first, arguments: Array(words.dropFirst()), body: Array(commandLines.dropFirst()),
                                    source: source, expected: expected, trailer: trailer))
            }
            return blocks
        }
    }

    struct TranscriptError: Error, CustomStringConvertible {
        var description: String
    }

    private func run(_ block: Block) throws -> String {
        let words = block.command.split(separator: " ").map(String.init)
        if words[0] == "sentinel" {
            let h = try SentinelHarness(config: block.body.joined(separator: "\n") + "\n", file: file, line: line)
            harness = h
            return format(Self.story(of: h.effects[...]))
        }
        guard let h = harness else { throw TranscriptError(description: "`sentinel` must come first") }
        let before = h.effects.count
        var replies: [String] = []
        let arguments = Array(words.dropFirst())
        func port(_ text: String) throws -> Int {
            guard let port = Int(text) else { throw TranscriptError(description: "not a port: \(text) in `\(block.command)`") }
            return port
        }
        func server(_ text: String) throws -> FakeRedis {
            guard let server = servers[try port(text)] else { throw TranscriptError(description: "no server \(text)") }
            return server
        }
        func option(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        switch words[0] {
        case "master":
            let master = FakeRedis(port: try port(arguments[0]), runID: runID("a"))
            servers[master.port] = h.addServer(master)
        case "replica":
            let replica = FakeRedis(port: try port(arguments[0]), role: .replica, runID: runID(Character(String(arguments[0].last!))))
            replica.replicate(try server(arguments[2]))
            if let priority = option("priority") { replica.priority = Int(priority) ?? 100 }
            if let offset = option("offset") { replica.offset = Int64(offset) ?? 0 }
            servers[replica.port] = h.addServer(replica)
        case "peer":
            let digit = Character(arguments[1])
            let peer = FakeRedis.sentinel(port: try port(arguments[0]), runID: runID(digit))
            let down = option("down") != "no"
            let votes = option("votes") ?? "first"
            var given: [String: String] = [:]
            peer.isMasterDownReply = { request in
                let epoch = request[4], candidate = request[5]
                guard candidate != "*", votes != "never" else { return .array([.integer(down ? 1 : 0), .bulk("*"), .integer(0)]) }
                // `votes <digit>`: the first epoch's vote went to that sentinel (as when a peer
                // voted for itself before any request arrived); later epochs are voted as
                // requested first.
                let vote = given[epoch] ?? (votes == "first" || !given.isEmpty ? candidate : runID(Character(votes)))
                given[epoch] = vote
                return .array([.integer(down ? 1 : 0), .bulk(vote), .integer(Int64(epoch) ?? 0)])
            }
            servers[peer.port] = h.addServer(peer)
        case "run":
            if arguments.first == "until" {
                let type = arguments[1]
                let limit = option("within").flatMap { Milliseconds($0) } ?? 120_000
                let count = h.events(type).count
                h.run(until: { h.events(type).count > count }, limit: limit, file: file, line: line)
            } else {
                h.run(for: Milliseconds(arguments[0]) ?? 0)
            }
        case "stall":
            h.advance(by: Milliseconds(arguments[0]) ?? 0)
            h.tick()
        case "hang":
            try server(arguments[0]).hung = true
        case "resume":
            h.resume(try server(arguments[0]))
        case "kill":
            let target = try server(arguments[0])
            target.acceptsConnections = false
            h.disconnect(target)
        case "cut":
            let target = try server(arguments[0])
            target.acceptsConnections = false
            h.disconnect(target)
        case "heal":
            try server(arguments[0]).acceptsConnections = true
        case "restart":
            let target = try server(arguments[0])
            target.acceptsConnections = true
            target.runID = runID("f")
        case "promote":
            let target = try server(arguments[0])
            target.role = .master
            target.masterHost = "?"
            target.masterPort = 0
        case "replicate":
            try server(arguments[0]).replicate(try server(arguments[2]))
        case "hello":
            h.deliverHello(arguments[1], via: try server(arguments[0]))
        case "client":
            let client = h.connectClient()
            replies = h.sendAll(client, arguments).map { "> " + Self.describe($0) }
            h.feed(.clientDisconnected(client))
        default:
            throw TranscriptError(description: "unknown command `\(block.command)`")
        }
        return format(Self.story(of: h.effects[before...]) + replies)
    }

    /// What a block shows of the effects: the published events and the log lines, in order
    /// (not the debug events, nor the "saved on disk" line that follows every write).
    static func story(of effects: ArraySlice<SentinelEffect>) -> [String] {
        effects.compactMap { effect in
            switch effect {
            case .event(let event) where event.type.level != .debug: return event.logLine
            case .log(_, let text) where text != "Sentinel new configuration saved on disk": return "log: " + text
            default: return nil
            }
        }
    }

    private func format(_ lines: [String]) -> String {
        lines.map { $0 + "\n" }.joined()
    }

    /// A reply on one line: `+OK`, `-ERR …`, `:3`, `"text"`, `[a, b]`, `(nil)`.
    static func describe(_ value: RESPValue) -> String {
        switch value {
        case .simpleString(let bytes): return "+" + String(decoding: bytes, as: UTF8.self)
        case .error(let bytes): return "-" + String(decoding: bytes, as: UTF8.self)
        case .integer(let number): return ":\(number)"
        case .bulkString(let bytes): return "\"" + String(decoding: bytes, as: UTF8.self) + "\""
        case .array(let items): return "[" + items.map(describe).joined(separator: ", ") + "]"
        case .map(let entries): return "{" + entries.map { "\(describe($0.key)): \(describe($0.value))" }.joined(separator: ", ") + "}"
        case .nullBulkString, .nullArray, .null: return "(nil)"
        default: return "\(value)"
        }
    }
}
