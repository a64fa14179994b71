import Dispatch
import Foundation
import SentinelCore
import SentinelSimulation

/// sentinel-sim: runs seeded histories of the real sentinel core under faults and checks
/// the invariants; prints each failing seed with the command that replays it.
func usage() -> Never {
    print("""
    usage: sentinel-sim --seeds N [--from S] [--sentinels K] [--masters M] [--replicas R] [--quorum Q]
                        [--faults all|none|partition,oneway,crash,sentinel-crash,freeze,pause,loss,delay,mass-crash,turn-crash,state-wipe]
                        [--fault-seconds F] [--quiet-seconds Q] [--jobs J]
                        [--forget-after random|on|off|MS] [--state-file yes|no] [--stable-identity yes|no]
                        [--defect vote-twice|majority-ignores-dead|send-before-persist|metrics-miss-failover-end|votes-at-once|forgetting-lowers-majority|schedule-misses-link-wake]
                        [--check-schedule]
           sentinel-sim --seed S [same options] [--trace]     replay one history (full event trace with --trace)
    """)
    exit(2)
}
func bad<T>() -> T { usage() }
func yesNo(_ word: String) -> Bool {
    switch word {
    case "yes": return true
    case "no": return false
    default: usage()
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
var count = 0
var first: UInt64 = 1
var single: UInt64?
var template = SimulationOptions(seed: 0)
var jobs = max(1, ProcessInfo.processInfo.activeProcessorCount)
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    func value() -> String { arguments.isEmpty ? bad() : arguments.removeFirst() }
    func number() -> Int { Int(value()) ?? bad() }
    switch flag {
    case "--seeds": count = number()
    case "--from": first = UInt64(value()) ?? bad()
    case "--seed": single = UInt64(value()) ?? bad()
    case "--sentinels": template.sentinels = number()
    case "--masters": template.masters = number()
    case "--replicas": template.replicas = number()
    case "--quorum": template.quorum = number()
    case "--faults": template.faults = FaultKinds(list: value()) ?? bad()
    case "--fault-seconds": template.faultDuration = Milliseconds(number()) * 1000
    case "--quiet-seconds": template.quietDuration = Milliseconds(number()) * 1000
    case "--jobs": jobs = max(1, number())
    case "--trace": template.trace = true
    case "--check-schedule": template.checkSchedule = true
    case "--forget-after": template.forgetAfter = ForgetAfterChoice(text: value()) ?? bad()
    case "--state-file": template.stateFile = yesNo(value())
    case "--stable-identity": template.stableIdentity = yesNo(value())
    case "--defect":
        switch value() {
        case "vote-twice": template.defects.insert(.voteTwicePerEpoch)
        case "majority-ignores-dead": template.defects.insert(.majorityIgnoresDeadPeers)
        case "send-before-persist": template.defects.insert(.sendBeforePersisting)
        case "metrics-miss-failover-end": template.defects.insert(.metricsMissFailoverEnd)
        case "votes-at-once": template.defects.insert(.votesAtOnceAfterStateLoss)
        case "forgetting-lowers-majority": template.defects.insert(.forgettingLowersMajority)
        case "schedule-misses-link-wake": template.defects.insert(.scheduleMissesLinkWake)
        default: usage()
        }
    default: usage()
    }
}

func printFailure(_ result: SimulationResult, lastLines: Int) {
    print("FAIL seed \(result.seed): \(result.topology)")
    for violation in result.violations { print("  \(violation)") }
    print("  history (last \(min(lastLines, result.history.count)) of \(result.history.count) lines):")
    for line in result.history.suffix(lastLines) { print("    \(line)") }
    print("  replay: \(result.replayCommand)")
}

if let single {
    var options = template
    options.seed = single
    let result = Simulation(options: options).run()
    for line in options.trace ? result.trace : result.history { print(line) }
    print("---")
    print("seed \(single): \(result.topology); \(result.steps) steps, \(result.failoversCompleted) failover(s) completed, agreement after \(result.timeToAgreement.map { "\($0) ms" } ?? "never")")
    if result.violations.isEmpty {
        print("OK")
    } else {
        for violation in result.violations { print("VIOLATION \(violation)") }
        exit(1)
    }
    exit(0)
}
guard count > 0 else { usage() }

final class Collector: @unchecked Sendable {
    let lock = NSLock()
    var done = 0
    var failures: [SimulationResult] = []
    var failovers = 0
    var steps = 0
    var agreement: [Int64] = []
    /// The seed that took longest to agree (to replay with `--seed S --trace`).
    var slowest: (time: Int64, seed: UInt64)?
    var never = 0
}
let collector = Collector()
let started = Date()
let options = template
let total = count, firstSeed = first, jobCount = jobs
print("sentinel-sim: \(count) seeds from \(first), faults \(options.faults.listText), \(options.faultDuration / 1000) s faults + \(options.quietDuration / 1000) s quiet, \(jobs) jobs")
let step = max(1, total / 10)
DispatchQueue.concurrentPerform(iterations: jobCount) { job in
    var index = job
    while index < total {
        var seedOptions = options
        seedOptions.seed = firstSeed + UInt64(index)
        let result = Simulation(options: seedOptions).run()
        collector.lock.lock()
        collector.done += 1
        collector.steps += result.steps
        collector.failovers += result.failoversCompleted
        if let t = result.timeToAgreement {
            collector.agreement.append(t)
            if t > (collector.slowest?.time ?? -1) { collector.slowest = (t, seedOptions.seed) }
        } else {
            collector.never += 1
        }
        if !result.violations.isEmpty {
            collector.failures.append(result)
            printFailure(result, lastLines: 40)
        }
        if collector.done % step == 0 || collector.done == total {
            print(String(format: "  %d/%d seeds, %d failure(s), %d failovers, %.1f s", collector.done, total, collector.failures.count, collector.failovers, Date().timeIntervalSince(started)))
        }
        collector.lock.unlock()
        index += jobCount
    }
}
let elapsed = Date().timeIntervalSince(started)
let sorted = collector.agreement.sorted()
func percentile(_ p: Double) -> String {
    guard !sorted.isEmpty else { return "-" }
    let value = sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    return String(format: "%.2f s", Double(value) / 1000)
}
print("""
summary: \(total) histories in \(String(format: "%.1f", elapsed)) s (\(collector.steps) steps), \(collector.failovers) failovers completed, \
time to agreement after the quiet period began: median \(percentile(0.5)), p99 \(percentile(0.99)), max \(percentile(1.0))\(collector.slowest.map { " (seed \($0.seed))" } ?? "")\(collector.never > 0 ? ", never: \(collector.never)" : "")
""")
if collector.failures.isEmpty {
    print("all invariants held")
} else {
    print("\(collector.failures.count) failing seed(s):")
    for result in collector.failures.sorted(by: { $0.seed < $1.seed }) {
        print("  seed \(result.seed): \(result.violations.first.map { "\($0)" } ?? "")")
        print("    replay: \(result.replayCommand)")
    }
    exit(1)
}
