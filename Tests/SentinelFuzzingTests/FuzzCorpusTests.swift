import SentinelFuzzing
import XCTest

/// Replays every input of every fuzz target's corpus (`Tests/FuzzCorpus/<target>/`) through
/// the target's entry point, so the regular test run keeps the fuzz targets green without
/// building them under libFuzzer (`Scripts/fuzz.sh` does that).
final class FuzzCorpusTests: XCTestCase {
    static let corpusDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzCorpus")

    func testRESPRequestCorpus() throws { try replay(.respRequest) }
    func testRESPReplyCorpus() throws { try replay(.respReply) }
    func testHTTPRequestCorpus() throws { try replay(.httpRequest) }
    func testConfigurationCorpus() throws { try replay(.configuration) }
    func testInfoCorpus() throws { try replay(.info) }
    func testHelloCorpus() throws { try replay(.hello) }
    func testSentinelCorpus() throws { try replay(.sentinel) }

    func replay(_ target: FuzzTarget) throws {
        let directory = FuzzCorpusTests.corpusDirectory.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertFalse(names.isEmpty, "no corpus in \(directory.path)")
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
            do {
                try target.run(bytes)
            } catch {
                XCTFail("\(target.rawValue)/\(name): \(error.description)")
            }
        }
    }
}
