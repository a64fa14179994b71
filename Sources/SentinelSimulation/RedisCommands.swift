import RESP
import SentinelCore

extension Simulation {
    /// Executes one command on Redis node `n` for connection `c`; returns its replies.
    func execute(_ n: Int, _ c: Int, _ arguments: [[UInt8]]) -> [RESPValue] {
        let words = arguments.map { String(decoding: $0, as: UTF8.self) }
        let name = words[0].lowercased()
        let loading = redis[n].loadingUntil > now
        if connections[c].inMulti && name != "exec" && name != "multi" && name != "discard" {
            if loading && (name == "slaveof" || name == "replicaof" || name == "config") {
                connections[c].multiFailed = true
                return [.errorText("LOADING Redis is loading the dataset in memory")]
            }
            connections[c].queued.append(arguments)
            return [.status("QUEUED")]
        }
        switch name {
        case "auth":
            return [.ok]
        case "client":
            let sub = words.count > 1 ? words[1].lowercased() : ""
            if sub == "kill" && words.count >= 4 && words[2].lowercased() == "type" {
                return [.integer(Int64(killClients(of: n, except: c, pubSub: words[3].lowercased() == "pubsub")))]
            }
            return [.ok]
        case "ping":
            if loading { return [.errorText("LOADING Redis is loading the dataset in memory")] }
            if connections[c].subscribed { return [.array([.bulk("pong"), .bulk("")])] }
            return [.status("PONG")]
        case "info":
            return [.bulk(redis[n].infoText(now: now, connectedReplicas: connectedReplicas(of: n)))]
        case "publish":
            guard words.count == 3 else { return [.errorText("ERR wrong number of arguments for 'publish' command")] }
            return [.integer(Int64(publish(on: n, channel: words[1], message: words[2])))]
        case "subscribe":
            connections[c].subscribed = true
            return words.dropFirst().enumerated().map { i, channel in .array([.bulk("subscribe"), .bulk(channel), .integer(Int64(i + 1))]) }
        case "multi":
            connections[c].inMulti = true
            connections[c].multiFailed = false
            connections[c].queued = []
            return [.ok]
        case "exec":
            guard connections[c].inMulti else { return [.errorText("ERR EXEC without MULTI")] }
            connections[c].inMulti = false
            let queued = connections[c].queued
            connections[c].queued = []
            if connections[c].multiFailed {
                return [.errorText("EXECABORT Transaction discarded because of previous errors.")]
            }
            return [.array(queued.flatMap { execute(n, c, $0) })]
        case "slaveof", "replicaof":
            guard words.count == 3 else { return [.errorText("ERR wrong number of arguments")] }
            if loading { return [.errorText("LOADING Redis is loading the dataset in memory")] }
            let target: HostPort? = words[1].lowercased() == "no" && words[2].lowercased() == "one" ? nil : HostPort(host: words[1], port: Int(words[2]) ?? 0)
            if target != redis[n].masterAddress || (target == nil) != (redis[n].role == .master) {
                refreshBadness()
                if redis[n].role == .master && target != nil { lastNotMaster[n] = now }
                redis[n].replicate(target, now: now)
                record("R\(n) SLAVEOF \(target.map { "\($0)" } ?? "NO ONE") (from S\(connections[c].owner))")
                refreshBadness()
            }
            return [.ok]
        case "config":
            if loading { return [.errorText("LOADING Redis is loading the dataset in memory")] }
            if words.count >= 2 && words[1].lowercased() == "rewrite" {
                redis[n].persistedRole = redis[n].role
                redis[n].persistedMasterAddress = redis[n].masterAddress
            }
            return [.ok]
        case "script":
            return [.errorText("NOTBUSY No scripts in execution right now.")]
        default:
            return [.errorText("ERR unknown command '\(words[0])'")]
        }
    }

    /// `CLIENT KILL TYPE normal|pubsub`: closes the other clients of that type.
    func killClients(of n: Int, except caller: Int, pubSub: Bool) -> Int {
        var killed = 0
        for c in incomingByEndpoint[sentinels.count + n] where c != caller && connections[c].state == .open
            && connections[c].subscribed == pubSub && connections[c].targetIncarnation == redis[n].incarnation {
            breakConnection(c, reason: "connection closed by server")
            killed += 1
        }
        return killed
    }

    func publish(on n: Int, channel: String, message: String) -> Int {
        var receivers = 0
        for c in incomingByEndpoint[sentinels.count + n] where connections[c].state == .open && connections[c].subscribed
            && connections[c].targetIncarnation == redis[n].incarnation {
            sendReply(c, .array([.bulk("message"), .bulk(channel), .bulk(message)]))
            receivers += 1
        }
        return receivers
    }

    func node(at address: HostPort) -> Int? {
        guard let endpoint = endpointByHost[address.host], endpoint >= sentinels.count,
              redis[endpoint - sentinels.count].address.port == address.port else { return nil }
        return endpoint - sentinels.count
    }

    func connectedReplicas(of n: Int) -> [(HostPort, Int64)] {
        redis.filter { $0.alive && $0.role == .replica && $0.linkUp && $0.masterAddress == redis[n].address }
            .map { ($0.address, $0.offset) }
    }

    /// Replication every 100 ms: masters' offsets advance; a replica's link is up while its
    /// master is reachable, alive and not loading (after a sync delay), and it copies the offset.
    func redisCron() {
        for n in redis.indices where redis[n].alive && !redis[n].isFrozen(at: now) {
            switch redis[n].role {
            case .master:
                redis[n].offset += 1000
            case .replica:
                guard let address = redis[n].masterAddress else { continue }
                let m = node(at: address)
                let reachable = m.map { m in
                    redis[m].alive && !redis[m].isFrozen(at: now) && redis[m].loadingUntil <= now && redis[n].loadingUntil <= now
                        && !isBlocked(sentinels.count + n, sentinels.count + m) && !isBlocked(sentinels.count + m, sentinels.count + n)
                } ?? false
                if !reachable {
                    if redis[n].linkUp {
                        redis[n].linkUp = false
                        redis[n].linkDownSince = now
                    }
                    redis[n].syncReadyAt = 0
                } else {
                    if redis[n].syncReadyAt == 0 { redis[n].syncReadyAt = now + random.milliseconds(200...1500) }
                    if now >= redis[n].syncReadyAt, let m {
                        redis[n].linkUp = true
                        redis[n].offset = redis[m].offset
                    }
                }
            }
        }
    }
}
