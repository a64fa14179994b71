import RESP
import SentinelCore

/// One broken invariant, with the history that led to it.
public struct Violation: Sendable, CustomStringConvertible {
    public var invariant: String
    public var time: Milliseconds
    public var message: String
    public var description: String { "[\(invariant)] at t=\(Simulation.timeText(time)): \(message)" }
}

/// What one history produced.
public struct SimulationResult: Sendable {
    public var seed: UInt64
    public var topology: Topology
    public var faults: [Fault]
    public var violations: [Violation]
    public var failoversCompleted: Int
    /// Milliseconds from the start of the quiet period until the final agreement held for good.
    public var timeToAgreement: Milliseconds?
    /// Faults and the sentinels' notable events (always kept).
    public var history: [String]
    /// Every step of the history (only with `SimulationOptions.trace`).
    public var trace: [String]
    public var steps: Int
    public var replayCommand: String
}

/// The simulated world: a clock, an event queue, a network of links with delay, loss,
/// reordering and partitions, simulated Redis instances, and real sentinel cores. Everything
/// is single-threaded and drawn from the seed, so one seed is one history.
public final class Simulation {
    public let options: SimulationOptions
    public let topology: Topology
    public let faults: [Fault]
    var random: SplitMix64
    var now: Milliseconds = 0
    static let wallClockBase: Milliseconds = 1_700_000_000_000
    var queue = EventQueue()
    var sentinels: [SimulatedSentinel] = []
    var redis: [SimulatedRedis] = []
    var connections: [SimulatedConnection] = []
    /// Connections per target endpoint, in creation order.
    var incomingByEndpoint: [[Int]]
    var endpointByHost: [String: Int] = [:]
    /// Addresses sentinels left when a state wipe moved them: nothing answers there.
    var vanishedHosts: Set<String> = []
    /// Which sentinel each run id ever used belongs to.
    var runIDOwner: [String: Int] = [:]
    let groupNames: [String]
    var activeFaults: [Int: (a: UInt64, b: UInt64, oneWay: Bool)] = [:]
    var activePartitions: [(fault: Int, a: UInt64, b: UInt64, oneWay: Bool)] = []
    var activeLoss: [(fault: Int, rate: Double)] = []
    var activeDelay: [(fault: Int, delay: Milliseconds)] = []
    var crashedByFault: [Int: [Int]] = [:]
    var quiet = false
    var stopped = false
    var endTime: Milliseconds

    // MARK: Checker state
    var violations: [Violation] = []
    var history: [String] = []
    var trace: [String] = []
    var steps = 0
    var failoversCompleted = 0
    /// Who was elected leader of each master in each epoch (the epochs still remembered).
    var leaders: [ElectionKey: (sentinel: Int, time: Milliseconds)] = [:]
    /// Each sentinel's vote per master and epoch, across its incarnations (a sentinel that lost
    /// its state is still the same voter).
    var votesByVoter: [VoterKey: (candidate: String, runID: String, time: Milliseconds)] = [:]
    /// Votes per candidate run id, master and epoch.
    var voteCounts: [CandidateKey: Int] = [:]
    /// When each sentinel last began an election for each master (`+try-failover`).
    var electionStarts: [VoterKey: Milliseconds] = [:]
    /// The last time sentinel a could send to sentinel b (both alive, no partition a → b).
    var lastOpen: [[Milliseconds]] = []
    /// Per (sentinel, Redis node): dead (black-holed) connections, and the last time the pair
    /// could not talk.
    var deadConnections: [[Int]]
    var lastBad: [[Milliseconds]]
    var lastNotMaster: [Milliseconds]
    var agreementSince: Milliseconds?

    public init(options: SimulationOptions) {
        self.options = options
        var scheduleRandom = SplitMix64(seed: options.seed ^ 0x5EED_5EED_5EED_5EED)
        let topology = ScheduleGenerator.topology(for: options, random: &scheduleRandom)
        self.topology = topology
        self.faults = ScheduleGenerator.faults(for: options, topology: topology, random: &scheduleRandom)
        self.random = SplitMix64(seed: options.seed)
        self.groupNames = (0..<topology.masters).map { "master\($0)" }
        self.endTime = options.faultDuration + options.quietDuration
        let redisCount = topology.replicasPerMaster.reduce(0) { $0 + $1 + 1 }
        self.incomingByEndpoint = Array(repeating: [], count: topology.sentinels + redisCount)
        self.deadConnections = Array(repeating: Array(repeating: 0, count: topology.sentinels + redisCount), count: topology.sentinels)
        self.lastBad = Array(repeating: Array(repeating: 0, count: redisCount), count: topology.sentinels)
        self.lastNotMaster = Array(repeating: 0, count: redisCount)
        self.lastOpen = Array(repeating: Array(repeating: 0, count: topology.sentinels), count: topology.sentinels)
        buildWorld()
    }

    static func hexID(_ random: inout SplitMix64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: (0..<40).map { _ in digits[Int(random.next() & 0xF)] }, as: UTF8.self)
    }

    public static func timeText(_ t: Milliseconds) -> String {
        let ms = String(t % 1000)
        return "\(t / 1000).\(String(repeating: "0", count: 3 - ms.count))\(ms)"
    }

    func buildWorld() {
        var index = 0
        for group in 0..<topology.masters {
            let masterAddress = HostPort(host: "10.0.1.\(index + 1)", port: 6379)
            for r in 0...topology.replicasPerMaster[group] {
                let address = HostPort(host: "10.0.1.\(index + 1)", port: 6379)
                redis.append(SimulatedRedis(index: index, group: group, address: address, runID: Simulation.hexID(&random),
                                            masterAddress: r == 0 ? nil : masterAddress, priority: random.pick([100, 100, 100, 90, 110])))
                endpointByHost[address.host] = topology.sentinels + index
                index += 1
            }
        }
        let container = topology.container
        var ids = (0..<topology.sentinels).map { _ in Simulation.hexID(&random) }
        if container.stableIdentity { ids = (0..<topology.sentinels).map { Sentinel.runID(derivedFrom: "sentinel-\($0)") } }
        for s in 0..<topology.sentinels {
            let host = "10.0.0.\(s + 1)"
            endpointByHost[host] = s
            var lines = ["port 26379"]
            // With a state file, the id is the state's (a main file written once by a chart
            // names no id); without one, the main file holds it as in Redis.
            if !container.stateFile { lines.append("sentinel myid \(ids[s])") }
            if container.stateFile { lines.append("sentinel state-config-file /state/sentinel-\(s).conf") }
            if container.forgetAfter > 0 { lines.append("sentinel forget-after-milliseconds \(container.forgetAfter)") }
            if container.stableIdentity { lines.append("sentinel myid-from-name sentinel-\(s)") }
            var node = 0
            for group in 0..<topology.masters {
                let name = groupNames[group]
                lines.append("sentinel monitor \(name) \(redis[node].address.host) 6379 \(topology.quorum)")
                lines.append("sentinel down-after-milliseconds \(name) \(topology.downAfter)")
                lines.append("sentinel failover-timeout \(name) \(topology.failoverTimeout)")
                lines.append("sentinel parallel-syncs \(name) \(topology.parallelSyncs)")
                for peer in 0..<topology.sentinels where peer != s {
                    lines.append("sentinel known-sentinel \(name) 10.0.0.\(peer + 1) 26379 \(ids[peer])")
                }
                node += topology.replicasPerMaster[group] + 1
            }
            sentinels.append(SimulatedSentinel(index: s, host: host, myID: ids[s], persistedText: lines.joined(separator: "\n") + "\n",
                                               stateText: container.stateFile ? "sentinel myid \(ids[s])\n" : nil))
            runIDOwner[ids[s]] = s
        }
    }

    // MARK: Running

    public func run() -> SimulationResult {
        record("topology: \(topology)")
        for (i, fault) in faults.enumerated() {
            queue.push(.faultStart(i), at: fault.start)
            queue.push(.faultEnd(i), at: fault.start + fault.duration)
        }
        queue.push(.quietStart, at: options.faultDuration)
        queue.push(.redisCron, at: 100)
        for s in 0..<sentinels.count { startSentinel(s) }
        while !stopped, let (time, event) = queue.pop() {
            if time > endTime { break }
            now = time
            steps += 1
            dispatch(event)
        }
        if !stopped { checkFinalAgreement() }
        if !stopped { checkMetrics() }
        return SimulationResult(
            seed: options.seed, topology: topology, faults: faults, violations: violations,
            failoversCompleted: failoversCompleted,
            timeToAgreement: agreementSince.map { $0 - options.faultDuration },
            history: history, trace: trace, steps: steps, replayCommand: options.replayCommand())
    }

    func dispatch(_ event: SimulationEvent) {
        switch event {
        case .tick(let s, let incarnation):
            guard sentinels[s].incarnation == incarnation else { return }
            feed(s, .tick)
        case .sentinelInput(let s, let incarnation, let input):
            guard sentinels[s].incarnation == incarnation else { return }
            feed(s, input)
        case .accept(let c):
            accept(c)
        case .established(let c):
            guard connections[c].state == .connecting else { return }
            connections[c].state = .open
            let owner = connections[c].owner
            guard sentinels[owner].incarnation == connections[c].ownerIncarnation else { return }
            // What was written while connecting leaves first, as TCP sends it.
            let pending = connections[c].pendingOutput
            connections[c].pendingOutput = []
            for arguments in pending { sendRequest(c, arguments) }
            feed(owner, .connectionEstablished(connections[c].coreID, localAddress: sentinels[owner].host))
        case .request(let c, let arguments):
            deliverRequest(c, arguments)
        case .reply(let c, let value):
            let connection = connections[c]
            guard connection.state == .open, sentinels[connection.owner].incarnation == connection.ownerIncarnation else { return }
            feed(connection.owner, .connectionReply(connection.coreID, value))
        case .clientSideClosed(let c, let reason):
            let connection = connections[c]
            if connection.state == .dead { setDead(c, false); connections[c].state = .closed }
            guard sentinels[connection.owner].incarnation == connection.ownerIncarnation else { return }
            feed(connection.owner, .connectionClosed(connection.coreID, reason: reason))
        case .serverSideClosed(let c):
            let connection = connections[c]
            guard connection.target < sentinels.count, let client = connection.peerClient,
                  sentinels[connection.target].incarnation == connection.targetIncarnation else { return }
            sentinels[connection.target].incoming[client.rawValue] = nil
            feed(connection.target, .clientDisconnected(client))
        case .faultStart(let i):
            startFault(i)
        case .faultEnd(let i):
            endFault(i)
        case .quietStart:
            beginQuietPeriod()
        case .redisCron:
            redisCron()
            queue.push(.redisCron, at: now + 100)
        case .restartSentinel(let s):
            if !sentinels[s].alive { startSentinel(s) }
        case .agreementSample:
            sampleAgreement()
            queue.push(.agreementSample, at: now + 250)
        }
    }
}
