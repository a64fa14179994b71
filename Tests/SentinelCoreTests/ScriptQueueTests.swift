import RESP
import XCTest
@testable import SentinelCore

/// The queue of notification and client-reconfig script runs (`Runtime/ScriptQueue.swift`,
/// SENTINEL-PROTOCOL.md §13): at most 16 running and 256 queued, retried after exit code 1 or
/// a signal with a doubling delay up to 10 runs, failed on any other exit, killed when
/// overdue; and `SENTINEL PENDING-SCRIPTS`.
final class ScriptQueueTests: MonitoringTestCase {
    /// A queue holding `count` jobs (`["/bin/notify", "<n>"]`, n from 1), none started.
    func queue(of count: Int) -> ScriptQueue {
        var queue = ScriptQueue()
        for index in 1...count { queue.enqueue(["/bin/notify", String(index)]) }
        return queue
    }

    // MARK: The queue

    func testJobsStartInQueueOrderAtMostSixteenAtOnce() {
        var queue = queue(of: 20)
        XCTAssertEqual(queue.queuedCount, 20)
        let started = queue.startDueJobs(now: 1000)
        XCTAssertEqual(started.map(\.arguments[1]), (1...16).map(String.init))
        XCTAssertTrue(started.allSatisfy { $0.isRunning && $0.startTime == 1000 })
        XCTAssertEqual(queue.runningCount, 16)
        XCTAssertEqual(queue.queuedCount, 4)
        XCTAssertTrue(queue.startDueJobs(now: 2000).isEmpty)
        // A job that ends makes room for the oldest waiting one.
        XCTAssertEqual(queue.finish(started[3].id, .exited(code: 0), now: 2000, retryDelay: 30000)?.outcome, .done)
        XCTAssertEqual(queue.startDueJobs(now: 2000).map(\.arguments[1]), ["17"])
        XCTAssertEqual(queue.jobs.count, 19)
    }

    func testAFullQueueDropsItsOldestWaitingJob() {
        var queue = queue(of: 16)
        _ = queue.startDueJobs(now: 0)
        for index in 17...ScriptQueue.maximumQueued { queue.enqueue(["/bin/notify", String(index)]) }
        XCTAssertEqual(queue.jobs.count, ScriptQueue.maximumQueued)
        queue.enqueue(["/bin/notify", "newest"])
        XCTAssertEqual(queue.jobs.count, ScriptQueue.maximumQueued)
        // The running jobs stay; job 17, the oldest waiting, is gone; the newest is last.
        XCTAssertEqual(queue.runningCount, 16)
        XCTAssertEqual(queue.jobs.map(\.arguments[1]).prefix(17), ArraySlice((1...16).map(String.init) + ["18"]))
        XCTAssertEqual(queue.jobs.last?.arguments[1], "newest")
    }

    func testRecordsThePidOfAStartedJob() {
        var queue = queue(of: 2)
        let started = queue.startDueJobs(now: 0)
        queue.recordStarted(started[1].id, pid: 4321)
        queue.recordStarted(ScriptID(99), pid: 1)
        XCTAssertEqual(queue.jobs.map(\.pid), [0, 4321])
    }

    // MARK: Ends, retries and failures

    func testExitOneAndSignalsAreRetriedWithADoublingDelayUpToTenRuns() throws {
        var queue = queue(of: 1)
        var now: Milliseconds = 1000
        var delays: [Milliseconds] = []
        for run in 1...ScriptQueue.maximumAttempts {
            let started = queue.startDueJobs(now: now)
            XCTAssertEqual(started.count, 1, "run \(run)")
            now += 500
            let termination: ScriptTermination = run % 2 == 0 ? .signaled(signal: 9) : .exited(code: 1)
            let (job, outcome) = try XCTUnwrap(queue.finish(started[0].id, termination, now: now, retryDelay: 30000))
            XCTAssertEqual(job.retryCount, run)
            if run < ScriptQueue.maximumAttempts {
                XCTAssertEqual(outcome, .willRetry, "run \(run)")
                delays.append(job.notBefore - now)
                // Not started again before the delay is over.
                XCTAssertTrue(queue.startDueJobs(now: job.notBefore - 1).isEmpty)
                now = job.notBefore
            } else {
                XCTAssertEqual(outcome, .failed(signal: 9, exitCode: 0))
            }
        }
        XCTAssertEqual(delays, (0..<9).map { 30000 << Milliseconds($0) })
        XCTAssertTrue(queue.jobs.isEmpty)
    }

    func testOtherExitCodesAndSpawnFailuresFailAtOnce() throws {
        for (termination, outcome) in [(ScriptTermination.exited(code: 2), ScriptQueue.Outcome.failed(signal: 0, exitCode: 2)),
                                       (.exited(code: 127), .failed(signal: 0, exitCode: 127)),
                                       (.exited(code: -1), .failed(signal: 0, exitCode: -1)),
                                       (.spawnFailed(reason: "No such file or directory"), .failed(signal: 0, exitCode: 2)),
                                       (.exited(code: 0), .done)] {
            var queue = queue(of: 1)
            let started = queue.startDueJobs(now: 0)
            XCTAssertEqual(queue.finish(started[0].id, termination, now: 10, retryDelay: 30000)?.outcome, outcome, "\(termination)")
            XCTAssertTrue(queue.jobs.isEmpty, "\(termination)")
        }
        var queue = queue(of: 1)
        XCTAssertNil(queue.finish(ScriptID(99), .exited(code: 0), now: 0, retryDelay: 30000))
    }

    func testOnlyRunningJobsPastTheMaximumRuntimeAreOverdue() {
        var queue = queue(of: 17)
        _ = queue.startDueJobs(now: 1000)
        XCTAssertTrue(queue.overdueJobs(now: 61_000, maximumRuntime: 60_000).isEmpty)
        XCTAssertEqual(queue.overdueJobs(now: 61_001, maximumRuntime: 60_000).count, 16)
        XCTAssertEqual(queue.overdueJobs(now: 1_000_000, maximumRuntime: 60_000).count, 16, "the waiting job is never overdue")
    }

    // MARK: Through the sentinel

    static let script = "sentinel notification-script mymaster /bin/notify"

    /// The scripts the sentinel asked to start since `index` of its effects.
    func scriptsStarted(_ h: SentinelHarness, since index: Int = 0) -> [(id: ScriptID, arguments: [String])] {
        h.effects[index...].compactMap { effect in
            if case .runScript(let id, let arguments) = effect { return (id, arguments) } else { return nil }
        }
    }

    func pendingScripts(_ h: SentinelHarness) -> [[String: String]] {
        let client = h.connectClient()
        return (h.send(client, "SENTINEL", "PENDING-SCRIPTS").elements ?? []).map(fieldDictionary)
    }

    /// A sentinel with a notification script, after its first tick, its startup scripts
    /// (`+monitor`) ended.
    func makeNotifyingHarness() throws -> SentinelHarness {
        let (h, _) = try makeHarness(Self.script)
        let startup = scriptsStarted(h)
        XCTAssertEqual(startup.map(\.arguments), [["/bin/notify", "+monitor", "master mymaster 127.0.0.1 6379 quorum 2"]])
        for script in startup { h.feed(.scriptFinished(script.id, .exited(code: 0))) }
        h.run(for: 100)
        return h
    }

    /// Makes a warning event (`+set`) and starts its notification script as process `pid`.
    func startScript(in h: SentinelHarness, pid: Int32) throws -> ScriptID {
        let before = h.effects.count
        XCTAssertEqual(h.send(h.connectClient(), "SENTINEL", "SET", "mymaster", "quorum", "1"), .ok)
        let script = try XCTUnwrap(scriptsStarted(h, since: before).first)
        XCTAssertEqual(script.arguments, ["/bin/notify", "+set", "master mymaster 127.0.0.1 6379 quorum 1"])
        h.feed(.scriptStarted(script.id, pid: pid))
        return script.id
    }

    func testRetriesWaitTheRetryDelay() throws {
        let h = try makeNotifyingHarness()
        let script = try startScript(in: h, pid: 4000)
        h.run(for: 1_000)
        let running = try XCTUnwrap(pendingScripts(h).first)
        let entry = h.send(h.connectClient(), "SENTINEL", "PENDING-SCRIPTS").elements?.first?.elements ?? []
        XCTAssertEqual(Array(entry.prefix(2)), [.bulk("argv"), .array(["/bin/notify", "+set", "master mymaster 127.0.0.1 6379 quorum 1"].map { .bulk($0) })])
        XCTAssertEqual(running["flags"], "running")
        XCTAssertEqual(running["pid"], "4000")
        XCTAssertEqual(running["run-time"], "1000")
        XCTAssertNil(running["run-delay"])
        // Exit code 1: scheduled again after SCRIPT-RETRY-DELAY.
        h.feed(.scriptFinished(script, .exited(code: 1)))
        let scheduled = try XCTUnwrap(pendingScripts(h).first)
        XCTAssertEqual(scheduled["flags"], "scheduled")
        XCTAssertEqual(scheduled["run-delay"], "30000")
        XCTAssertEqual(scheduled["retry-num"], "1")
        XCTAssertNil(scheduled["run-time"])
        let before = h.effects.count
        h.run(for: 29_900)
        XCTAssertTrue(scriptsStarted(h, since: before).isEmpty)
        h.run(for: 200)
        XCTAssertEqual(scriptsStarted(h, since: before).map(\.id), [script])
        XCTAssertTrue(h.events("-script-error").isEmpty)
    }

    func testAFailedScriptIsReportedAndLeavesTheQueue() throws {
        let h = try makeNotifyingHarness()
        let script = try startScript(in: h, pid: 4000)
        h.feed(.scriptFinished(script, .exited(code: 2)))
        XCTAssertEqual(h.events("-script-error"), ["/bin/notify 0 2"])
        XCTAssertEqual(pendingScripts(h).count, 0)
    }

    func testAnOverdueScriptIsKilledOnEveryTickUntilItEnds() throws {
        let h = try makeNotifyingHarness()
        let script = try startScript(in: h, pid: 4000)
        func kills() -> Int {
            h.effects.filter { if case .killScript(let id) = $0 { id == script } else { false } }.count
        }
        h.run(for: 60_000)
        XCTAssertEqual(kills(), 0)
        XCTAssertTrue(h.events("-script-timeout").isEmpty)
        h.run(for: 300)
        XCTAssertGreaterThanOrEqual(kills(), 2)
        XCTAssertEqual(h.events("-script-timeout").count, kills())
        XCTAssertTrue(h.events("-script-timeout").allSatisfy { $0.hasPrefix("/bin/notify ") })
        // The kill ends it with a signal: it is retried like any signalled run.
        h.feed(.scriptFinished(script, .signaled(signal: 9)))
        let killed = kills()
        h.run(for: 1_000)
        XCTAssertEqual(kills(), killed)
        XCTAssertEqual(pendingScripts(h).first?["flags"], "scheduled")
    }

    // MARK: Where redis-sentinel 7.0.15 differs (these fail until the sources are fixed)

    /// The `+monitor` scripts are queued by `start`, before the first tick: their start time
    /// must be the start's, not 0 (which makes the first tick find them running for the whole
    /// monotonic uptime and kill them).
    func testAScriptQueuedAtStartupIsNotKilledByTheFirstTick() throws {
        let (h, _) = try makeHarness(Self.script)
        let startup = try XCTUnwrap(scriptsStarted(h).first)
        h.feed(.scriptStarted(startup.id, pid: 4000))
        h.run(for: 1_000)
        XCTAssertEqual(h.events("-script-timeout"), [])
        XCTAssertFalse(h.effects.contains { if case .killScript = $0 { true } else { false } })
        XCTAssertEqual(pendingScripts(h).first?["run-time"], "1000")
    }

    /// `-script-timeout <path> <pid>` (§11.1): the process id, as Redis's event has it.
    func testScriptTimeoutNamesThePid() throws {
        let h = try makeNotifyingHarness()
        _ = try startScript(in: h, pid: 4000)
        h.run(for: 60_100)
        XCTAssertEqual(h.events("-script-timeout").first, "/bin/notify 4000")
    }

    /// redis-sentinel counts a run when it starts (`retry-num` 1 while the first run is in
    /// progress) and forgets the pid of a run that ended (`pid` 0 while a retry waits).
    func testPendingScriptsCountsRunsAndForgetsEndedPidsLikeRedis() throws {
        let h = try makeNotifyingHarness()
        let script = try startScript(in: h, pid: 4000)
        XCTAssertEqual(pendingScripts(h).first?["retry-num"], "1")
        h.feed(.scriptFinished(script, .exited(code: 1)))
        let scheduled = try XCTUnwrap(pendingScripts(h).first)
        XCTAssertEqual(scheduled["pid"], "0")
        XCTAssertEqual(scheduled["retry-num"], "1")
    }
}
