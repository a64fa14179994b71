/// The queue of notification and client-reconfig script runs (SENTINEL-PROTOCOL.md §13):
/// at most 16 running and 256 queued (the oldest waiting job is dropped when full), killed
/// after the maximum runtime, retried after exit code 1 or a signal with a doubling delay.
struct ScriptQueue: Sendable {
    static let maximumRunning = 16
    static let maximumQueued = 256
    static let maximumAttempts = 10

    struct Job: Sendable {
        let id: ScriptID
        let arguments: [String]
        var isRunning = false
        var startTime: Milliseconds = 0
        /// Runs that already failed with a retryable status.
        var retryCount = 0
        /// Not started before this time (retries).
        var notBefore: Milliseconds = 0
        /// The process id once running.
        var pid: Int32 = 0
    }

    private(set) var jobs: [Job] = []
    private var nextID: UInt64 = 1

    var runningCount: Int { jobs.reduce(0) { $0 + ($1.isRunning ? 1 : 0) } }
    var queuedCount: Int { jobs.count - runningCount }

    mutating func enqueue(_ arguments: [String]) {
        jobs.append(Job(id: ScriptID(nextID), arguments: arguments))
        nextID += 1
        if jobs.count > ScriptQueue.maximumQueued, let oldestWaiting = jobs.firstIndex(where: { !$0.isRunning }) {
            jobs.remove(at: oldestWaiting)
        }
    }

    /// Starts due jobs while fewer than the maximum are running; returns the jobs to start.
    mutating func startDueJobs(now: Milliseconds) -> [Job] {
        var started: [Job] = []
        var running = runningCount
        for index in jobs.indices where running < ScriptQueue.maximumRunning {
            guard !jobs[index].isRunning, jobs[index].notBefore <= now else { continue }
            jobs[index].isRunning = true
            jobs[index].startTime = now
            started.append(jobs[index])
            running += 1
        }
        return started
    }

    mutating func recordStarted(_ id: ScriptID, pid: Int32) {
        if let index = jobs.firstIndex(where: { $0.id == id }) { jobs[index].pid = pid }
    }

    /// What happened to a finished job.
    enum Outcome: Equatable {
        case done
        case willRetry
        case failed(signal: Int32, exitCode: Int32)
    }

    /// Records how a job ended: exit 0 is done; exit 1 or a signal is retried after
    /// `retryDelay × 2^(attempt−1)` up to 10 attempts; anything else fails.
    mutating func finish(_ id: ScriptID, _ termination: ScriptTermination, now: Milliseconds, retryDelay: Milliseconds) -> (job: Job, outcome: Outcome)? {
        guard let index = jobs.firstIndex(where: { $0.id == id }) else { return nil }
        var job = jobs[index]
        let retryable: Bool
        var signal: Int32 = 0
        var exitCode: Int32 = 0
        switch termination {
        case .exited(let code):
            if code == 0 {
                jobs.remove(at: index)
                return (job, .done)
            }
            exitCode = code
            retryable = code == 1
        case .signaled(let number):
            signal = number
            retryable = true
        case .spawnFailed:
            exitCode = 2
            retryable = false
        }
        job.retryCount += 1
        if retryable && job.retryCount < ScriptQueue.maximumAttempts {
            job.isRunning = false
            job.pid = 0
            job.notBefore = now + retryDelay << Milliseconds(job.retryCount - 1)
            jobs[index] = job
            return (job, .willRetry)
        }
        jobs.remove(at: index)
        return (job, .failed(signal: signal, exitCode: exitCode))
    }

    /// Running jobs older than `maximumRuntime`.
    func overdueJobs(now: Milliseconds, maximumRuntime: Milliseconds) -> [Job] {
        jobs.filter { $0.isRunning && now - $0.startTime > maximumRuntime }
    }
}

extension Sentinel {
    /// Starts every script that is due.
    mutating func runDueScripts(now: Milliseconds, turn: inout Turn) {
        for job in scriptQueue.startDueJobs(now: now) {
            turn.append(.runScript(job.id, arguments: job.arguments))
        }
    }

    /// Kills scripts running longer than the maximum runtime (`-script-timeout`).
    mutating func killOverdueScripts(now: Milliseconds, turn: inout Turn) {
        for job in scriptQueue.overdueJobs(now: now, maximumRuntime: timings.scriptMaximumRuntime) {
            turn.append(.killScript(job.id))
            emitEvent(.scriptTimeout, message: "\(job.arguments[0]) \(job.pid)", turn: &turn)
        }
    }

    mutating func handleScriptFinished(_ id: ScriptID, _ termination: ScriptTermination, now: Milliseconds, turn: inout Turn) {
        guard let (job, outcome) = scriptQueue.finish(id, termination, now: now, retryDelay: timings.scriptRetryDelay) else { return }
        metrics.countScriptRun(outcome)
        if case .failed(let signal, let exitCode) = outcome {
            emitEvent(.scriptError, message: "\(job.arguments[0]) \(signal) \(exitCode)", turn: &turn)
        }
        runDueScripts(now: now, turn: &turn)
    }

    /// Runs the client-reconfig script (§13): `<master> leader|observer start <from-ip>
    /// <from-port> <to-ip> <to-port>`.
    mutating func runClientReconfigScript(_ masterID: InstanceID, role: String, from: HostPort, to: HostPort, turn: inout Turn) {
        guard let script = masters[masterID]?.clientReconfigScript, let master = instances[masterID] else { return }
        scheduleScript([script, master.name, role, "start", announcedHost(from), String(from.port), announcedHost(to), String(to.port)], turn: &turn)
    }
}
