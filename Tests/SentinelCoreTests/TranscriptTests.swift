import XCTest

/// The scenarios of `Transcripts/`, each a story of inputs and what the core did (see
/// `TranscriptRunner`).
final class TranscriptTests: XCTestCase {
    func testFailover() throws { try TranscriptRunner.check("failover.txt") }
    func testSplitVote() throws { try TranscriptRunner.check("split-vote.txt") }
    func testReturningMaster() throws { try TranscriptRunner.check("returning-master.txt") }
    func testTilt() throws { try TranscriptRunner.check("tilt.txt") }
    func testPartitionHeal() throws { try TranscriptRunner.check("partition-heal.txt") }
}
