import RESP
import SentinelCore

/// The simulated network: connections with delay, loss, reordering across connections and
/// partitions (one-way or both ways), between sentinels and Redis instances.
extension Simulation {
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
            connections.append(SimulatedConnection(owner: s, ownerIncarnation: sentinels[s].incarnation, coreID: id, target: 0, host: host, state: .closed))
            sentinels[s].outgoing[id.rawValue] = c
            // An address a sentinel left: nothing answers, the attempt times out.
            if vanishedHosts.contains(host) {
                queue.push(.clientSideClosed(connection: c, reason: "connect timeout"), at: now + random.milliseconds(500...3000))
            } else {
                queue.push(.clientSideClosed(connection: c, reason: "unknown host"), at: now + 1)
            }
            return
        }
        connections.append(SimulatedConnection(owner: s, ownerIncarnation: sentinels[s].incarnation, coreID: id, target: target, host: host))
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
        if endpointByHost[connections[c].host] != target {
            // The endpoint left that address (a sentinel moved) while the connection was on its way.
            connections[c].state = .closed
            queue.push(.clientSideClosed(connection: c, reason: "connect timeout"), at: now + random.milliseconds(500...3000))
            return
        }
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
        // The close arrives after everything sent before it on that connection (TCP's order).
        let arrival = max(now + delay(), connections[c].backwardClock)
        queue.push(.clientSideClosed(connection: c, reason: reason), at: arrival)
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
            feed(target, .clientCommand(client, arguments.map(RequestArgument.init)))
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
}
