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

/// A sentinel process in the simulation: the real core, the configuration text it last
/// persisted (all that survives a crash), and its client connections.
final class SimulatedSentinel {
    let index: Int
    let host: String
    let myID: String
    var core: Sentinel? { didSet { alive = core != nil } }
    private(set) var alive = false
    var incarnation = 0
    var persistedText: String
    var pausedUntil: Milliseconds = 0
    /// Outgoing connections by the core's ConnectionID, and incoming ones by ClientID.
    var outgoing: [UInt64: Int] = [:]
    var incoming: [UInt64: Int] = [:]
    var nextClientID: UInt64 = 1
    /// The last vote (leader, epoch) and config epoch seen per master (in `masterOrder`
    /// position), to observe votes and epochs.
    var lastLeaders: [String?] = []
    var lastLeaderEpochs: [UInt64] = []
    var lastConfigEpochs: [UInt64] = []
    var lastCurrentEpoch: UInt64 = 0
    /// Armed by a `crashInTurn` fault: the process dies in its next turn that writes its
    /// configuration, after this many of the turn's messages.
    var crashInTurn: Int?
    /// What this incarnation had when it last said anything to anyone (a reply, a command,
    /// a hello): its current epoch, and its vote and config epoch per master name. All of it
    /// must be on disk by then, so a restart must load at least as much.
    var spokenCurrentEpoch: UInt64 = 0
    var spokenVoteEpochs: [String: UInt64] = [:]
    var spokenConfigEpochs: [String: UInt64] = [:]

    init(index: Int, host: String, myID: String, persistedText: String) {
        self.index = index
        self.host = host
        self.myID = myID
        self.persistedText = persistedText
    }
}

/// A TCP connection from a sentinel (client side) to a Redis instance or a peer sentinel.
final class SimulatedConnection {
    enum State { case connecting, open, dead, closed }
    let owner: Int
    let ownerIncarnation: Int
    let coreID: ConnectionID
    /// Endpoint index (sentinels first, then Redis instances).
    let target: Int
    var targetIncarnation = -1
    var state: State = .connecting
    var pendingOutput: [[[UInt8]]] = []
    var requestParser = RESPRequestParser()
    var replyParser = RESPReplyParser()
    var subscribed = false
    var inMulti = false
    var multiFailed = false
    var queued: [[[UInt8]]] = []
    var peerClient: ClientID?
    var forwardClock: Milliseconds = 0
    var backwardClock: Milliseconds = 0

    init(owner: Int, ownerIncarnation: Int, coreID: ConnectionID, target: Int, state: State = .connecting) {
        self.owner = owner
        self.ownerIncarnation = ownerIncarnation
        self.coreID = coreID
        self.target = target
        self.state = state
    }
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
    var leaders: [String: (sentinel: Int, time: Milliseconds)] = [:]
    var votesByVoter: [String: (candidate: String, time: Milliseconds)] = [:]
    var voteCounts: [String: Int] = [:]
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
        let ids = (0..<topology.sentinels).map { _ in Simulation.hexID(&random) }
        for s in 0..<topology.sentinels {
            let host = "10.0.0.\(s + 1)"
            endpointByHost[host] = s
            var lines = ["port 26379", "sentinel myid \(ids[s])"]
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
            sentinels.append(SimulatedSentinel(index: s, host: host, myID: ids[s], persistedText: lines.joined(separator: "\n") + "\n"))
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
            feed(owner, .connectionEstablished(connections[c].coreID, localAddress: sentinels[owner].host))
            let pending = connections[c].pendingOutput
            connections[c].pendingOutput = []
            for arguments in pending { sendRequest(c, arguments) }
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

    // MARK: Network

    func isBlocked(_ from: Int, _ to: Int) -> Bool {
        let f: UInt64 = 1 << UInt64(from), t: UInt64 = 1 << UInt64(to)
        for p in activePartitions {
            if p.a & f != 0 && p.b & t != 0 { return true }
            if !p.oneWay && p.b & f != 0 && p.a & t != 0 { return true }
        }
        return false
    }

    var lossRate: Double { quiet ? 0 : activeLoss.reduce(0) { max($0, $1.rate) } }

    func delay() -> Milliseconds {
        let maximum = quiet ? 3 : activeDelay.reduce(3) { max($0, $1.delay) }
        return random.milliseconds(1...maximum)
    }

    func ownerEndpoint(_ c: Int) -> Int { connections[c].owner }

    func connect(from s: Int, id: ConnectionID, host: String, port: Int) {
        let c = connections.count
        guard let target = endpointByHost[host] else {
            connections.append(SimulatedConnection(owner: s, ownerIncarnation: sentinels[s].incarnation, coreID: id, target: 0, state: .closed))
            sentinels[s].outgoing[id.rawValue] = c
            queue.push(.clientSideClosed(connection: c, reason: "unknown host"), at: now + 1)
            return
        }
        connections.append(SimulatedConnection(owner: s, ownerIncarnation: sentinels[s].incarnation, coreID: id, target: target))
        sentinels[s].outgoing[id.rawValue] = c
        if isBlocked(s, target) || isBlocked(target, s) {
            connections[c].state = .closed
            queue.push(.clientSideClosed(connection: c, reason: "connect timeout"), at: now + random.milliseconds(500...3000))
            return
        }
        queue.push(.accept(connection: c), at: now + delay())
    }

    func accept(_ c: Int) {
        guard connections[c].state == .connecting else { return }
        let target = connections[c].target, owner = connections[c].owner
        let targetAlive = target < sentinels.count ? sentinels[target].alive : redis[target - sentinels.count].alive
        if !targetAlive {
            connections[c].state = .closed
            queue.push(.clientSideClosed(connection: c, reason: "Connection refused"), at: now + delay())
            return
        }
        incomingByEndpoint[target].append(c)
        if target < sentinels.count {
            connections[c].targetIncarnation = sentinels[target].incarnation
            let client = ClientID(sentinels[target].nextClientID)
            sentinels[target].nextClientID += 1
            connections[c].peerClient = client
            sentinels[target].incoming[client.rawValue] = c
            feed(target, .clientConnected(client, remoteAddress: "\(sentinels[owner].host):\(40000 + c)", localAddress: "\(sentinels[target].host):26379"))
        } else {
            connections[c].targetIncarnation = redis[target - sentinels.count].incarnation
        }
        if isBlocked(target, owner) {
            connections[c].state = .closed
            queue.push(.clientSideClosed(connection: c, reason: "connect timeout"), at: now + random.milliseconds(500...3000))
            return
        }
        queue.push(.established(connection: c), at: now + delay())
    }

    /// Sends one command from the client side; held until the connection is established.
    func sendRequest(_ c: Int, _ arguments: [[UInt8]]) {
        switch connections[c].state {
        case .connecting:
            connections[c].pendingOutput.append(arguments)
        case .open:
            guard let arrival = transmit(c, forward: true) else { return }
            queue.push(.request(connection: c, arguments), at: arrival)
        case .dead, .closed:
            break
        }
    }

    func sendReply(_ c: Int, _ value: RESPValue) {
        guard connections[c].state == .open, let arrival = transmit(c, forward: false) else { return }
        queue.push(.reply(connection: c, value), at: arrival)
    }

    /// The arrival time of a message, or nil when the network ate it: a partition black-holes
    /// the connection, a loss breaks it (TCP never loses a message silently).
    func transmit(_ c: Int, forward: Bool) -> Milliseconds? {
        let owner = ownerEndpoint(c), target = connections[c].target
        let (from, to) = forward ? (owner, target) : (target, owner)
        if isBlocked(from, to) {
            setDead(c, true)
            if random.chance(0.3) {
                queue.push(.clientSideClosed(connection: c, reason: "connection timed out"), at: now + random.milliseconds(1000...8000))
            }
            return nil
        }
        let rate = lossRate
        if rate > 0 && random.chance(rate) {
            breakConnection(c, reason: "connection reset by peer")
            return nil
        }
        var arrival = now + delay()
        if forward {
            arrival = max(arrival, connections[c].forwardClock)
            connections[c].forwardClock = arrival
        } else {
            arrival = max(arrival, connections[c].backwardClock)
            connections[c].backwardClock = arrival
        }
        return arrival
    }

    func setDead(_ c: Int, _ dead: Bool) {
        let wasDead = connections[c].state == .dead
        guard wasDead != dead else { return }
        if dead {
            guard connections[c].state == .open else { return }
            connections[c].state = .dead
        }
        let owner = connections[c].owner, target = connections[c].target
        refreshBadness()
        deadConnections[owner][target] += dead ? 1 : -1
        refreshBadness()
    }

    /// The connection broke on the wire: the client side hears of it (unless the way back is
    /// cut, then it stays black-holed), the server side forgets it.
    func breakConnection(_ c: Int, reason: String) {
        guard connections[c].state == .open || connections[c].state == .connecting else { return }
        if isBlocked(connections[c].target, connections[c].owner) {
            if connections[c].state == .open { setDead(c, true) } else { connections[c].state = .closed }
            return
        }
        connections[c].state = .closed
        queue.push(.clientSideClosed(connection: c, reason: reason), at: now + delay())
        tellServerSide(c)
    }

    /// The owner closed its connection.
    func closeByOwner(_ c: Int) {
        if connections[c].state == .dead { setDead(c, false) }
        let wasOpen = connections[c].state == .open
        connections[c].state = .closed
        if wasOpen { tellServerSide(c) }
    }

    func tellServerSide(_ c: Int) {
        if connections[c].target < sentinels.count && connections[c].peerClient != nil {
            queue.push(.serverSideClosed(connection: c), at: now + delay())
        }
    }

    func deliverRequest(_ c: Int, _ arguments: [[UInt8]]) {
        guard connections[c].state == .open, !arguments.isEmpty else { return }
        let target = connections[c].target
        if target < sentinels.count {
            guard sentinels[target].incarnation == connections[c].targetIncarnation, let client = connections[c].peerClient else { return }
            feed(target, .clientCommand(client, arguments))
            return
        }
        let n = target - sentinels.count
        guard redis[n].alive, redis[n].incarnation == connections[c].targetIncarnation else { return }
        if redis[n].isFrozen(at: now) {
            queue.push(.request(connection: c, arguments), at: redis[n].frozenUntil)
            return
        }
        if options.trace {
            trace.append("\(Simulation.timeText(now)) R\(n) <- S\(connections[c].owner): \(arguments.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " "))")
        }
        for value in execute(n, c, arguments) { sendReply(c, value) }
    }

    // MARK: Faults

    func resolve(_ target: RedisTarget) -> Int {
        switch target {
        case .node(let n): return n
        case .currentMaster(let group):
            let members = redis.indices.filter { redis[$0].group == group }
            return members.first { redis[$0].alive && redis[$0].role == .master } ?? members[0]
        }
    }

    func startFault(_ i: Int) {
        guard !quiet else { return }
        let fault = faults[i]
        refreshBadness()
        var text = fault.description
        switch fault.kind {
        case .partition(let a, let b, let oneWay):
            activePartitions.append((i, a, b, oneWay))
        case .isolateRedis(let target):
            let n = resolve(target)
            let mask: UInt64 = 1 << UInt64(sentinels.count + n)
            let all: UInt64 = (1 << UInt64(sentinels.count + redis.count)) - 1
            activePartitions.append((i, mask, all & ~mask, false))
            text += " → R\(n)"
        case .crashRedis(let target):
            let n = resolve(target)
            crashRedis(n)
            crashedByFault[i] = [n]
            text += " → R\(n)"
        case .freezeRedis(let target):
            let n = resolve(target)
            redis[n].frozenUntil = max(redis[n].frozenUntil, now + fault.duration)
            text += " → R\(n)"
        case .crashSentinel(let s):
            if sentinels[s].alive { crashSentinel(s); crashedByFault[i] = [s] }
        case .crashSentinelInTurn(let s, let messages):
            if sentinels[s].alive { sentinels[s].crashInTurn = messages; crashedByFault[i] = [s] }
        case .pauseSentinel(let s):
            if sentinels[s].alive { sentinels[s].pausedUntil = max(sentinels[s].pausedUntil, now + fault.duration) }
        case .loss(let rate):
            activeLoss.append((i, rate))
        case .delay(let d):
            activeDelay.append((i, d))
        }
        record("FAULT \(text)")
        refreshBadness()
    }

    func endFault(_ i: Int) {
        guard !quiet else { return }
        refreshBadness()
        switch faults[i].kind {
        case .partition, .isolateRedis:
            activePartitions.removeAll { $0.fault == i }
        case .crashRedis:
            for n in crashedByFault[i] ?? [] where !redis[n].alive { restartRedis(n) }
        case .crashSentinel, .crashSentinelInTurn:
            for s in crashedByFault[i] ?? [] {
                if sentinels[s].alive { sentinels[s].crashInTurn = nil } else { startSentinel(s) }
            }
        case .loss:
            activeLoss.removeAll { $0.fault == i }
        case .delay:
            activeDelay.removeAll { $0.fault == i }
        case .freezeRedis, .pauseSentinel:
            break
        }
        record("HEAL \(faults[i].description)")
        refreshBadness()
    }

    /// Every fault heals: partitions, losses and delays end, crashed processes restart,
    /// frozen ones resume. Then the agreement is sampled until the end.
    func beginQuietPeriod() {
        refreshBadness()
        quiet = true
        activePartitions = []
        activeLoss = []
        activeDelay = []
        for n in redis.indices {
            if !redis[n].alive { restartRedis(n) }
            redis[n].frozenUntil = min(redis[n].frozenUntil, now)
        }
        for s in sentinels.indices {
            if !sentinels[s].alive { startSentinel(s) }
            sentinels[s].pausedUntil = min(sentinels[s].pausedUntil, now)
            sentinels[s].crashInTurn = nil
        }
        record("QUIET: every fault healed")
        refreshBadness()
        queue.push(.agreementSample, at: now)
    }

    func crashRedis(_ n: Int) {
        guard redis[n].alive else { return }
        refreshBadness()
        redis[n].alive = false
        redis[n].incarnation += 1
        redis[n].frozenUntil = 0
        let endpoint = sentinels.count + n
        for c in incomingByEndpoint[endpoint] where connections[c].state == .open || connections[c].state == .connecting {
            breakConnection(c, reason: "connection reset")
        }
        incomingByEndpoint[endpoint] = []
        refreshBadness()
    }

    func restartRedis(_ n: Int) {
        refreshBadness()
        redis[n].alive = true
        redis[n].runID = Simulation.hexID(&random)
        redis[n].loadingUntil = now + random.milliseconds(0...3000)
        redis[n].role = redis[n].persistedRole
        redis[n].masterAddress = redis[n].persistedMasterAddress
        redis[n].linkUp = false
        redis[n].linkDownSince = now
        redis[n].syncReadyAt = 0
        if redis[n].role != .master { lastNotMaster[n] = now }
        record("R\(n) restarts as \(redis[n].role == .master ? "master" : "replica of \(redis[n].masterAddress!)")")
        refreshBadness()
    }
}
