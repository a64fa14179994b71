import RESP
import SentinelCore

/// The deployments the sentinel-driving targets start from, each prepared once per process:
/// two masters with replicas and peer sentinels; a variant with passwords, ACL users, renamed
/// commands and a master known by host name; and one whose users live in an `aclfile`.
enum FuzzConfigurations {
    static let ownRunID = String(repeating: "5e", count: 20)
    static let peerRunIDs = [String(repeating: "a", count: 40), String(repeating: "b", count: 40)]

    /// No passwords, at most six clients; `alpha` can fail over with one peer's vote, `beta`
    /// needs both peers.
    static let open = """
        port 26379
        protected-mode no
        maxclients 6
        sentinel myid \(ownRunID)
        sentinel deny-scripts-reconfig no
        sentinel monitor alpha 10.0.0.1 6379 1
        sentinel down-after-milliseconds alpha 1000
        sentinel failover-timeout alpha 6000
        sentinel notification-script alpha /bin/true
        sentinel client-reconfig-script alpha /bin/true
        sentinel known-replica alpha 10.0.0.2 6379
        sentinel known-replica alpha 10.0.0.3 6379
        sentinel known-sentinel alpha 10.0.0.10 26379 \(peerRunIDs[0])
        sentinel monitor beta 10.0.1.1 6379 2
        sentinel down-after-milliseconds beta 2000
        sentinel known-replica beta 10.0.1.2 6379
        sentinel known-sentinel beta 10.0.0.10 26379 \(peerRunIDs[0])
        sentinel known-sentinel beta 10.0.0.11 26379 \(peerRunIDs[1])
        sentinel current-epoch 1

        """

    /// Passwords everywhere, an ACL user, a renamed command, announced address and a master
    /// given by host name (`resolve-hostnames yes`).
    static let secured = """
        port 26380
        protected-mode yes
        requirepass secret
        user admin on >adminpass ~* &* +@all
        sentinel myid \(ownRunID)
        sentinel sentinel-user peer
        sentinel sentinel-pass peerpass
        sentinel resolve-hostnames yes
        sentinel announce-ip 10.0.0.100
        sentinel monitor alpha 10.0.0.1 6379 1
        sentinel down-after-milliseconds alpha 1000
        sentinel auth-pass alpha masterpass
        sentinel auth-user alpha sentinel
        sentinel rename-command alpha CONFIG MYCONFIG
        sentinel known-replica alpha 10.0.0.2 6379
        sentinel known-sentinel alpha 10.0.0.10 26379 \(peerRunIDs[0])
        sentinel monitor gamma db.example 6379 1
        sentinel down-after-milliseconds gamma 5000

        """

    /// Users in an `aclfile`, which `ACL SAVE` rewrites and `ACL LOAD` reads back.
    static let withACLFile = """
        port 26381
        protected-mode no
        aclfile /etc/sentinel/users.acl
        sentinel myid \(ownRunID)
        sentinel monitor alpha 10.0.0.1 6379 1
        sentinel down-after-milliseconds alpha 1000
        sentinel known-replica alpha 10.0.0.2 6379
        sentinel known-sentinel alpha 10.0.0.10 26379 \(peerRunIDs[0])

        """

    /// The ACL file of the `withACLFile` deployment.
    static let aclFiles = ["/etc/sentinel/users.acl": Array("user default on nopass ~* &* +@all\nuser admin on >adminpass ~* &* +@all\n".utf8)]

    /// The servers of the deployments.
    static let servers: [HostPort: FakeServer] = {
        var servers: [HostPort: FakeServer] = [:]
        func add(_ host: String, _ port: Int, _ role: FakeServer.Role, of master: HostPort? = nil) {
            let address = HostPort(host: host, port: port)
            var server = FakeServer(runID: SentinelWorld.runID(for: address), role: role)
            if let master {
                server.masterHost = master.host
                server.masterPort = master.port
                servers[master]?.replicas.append(address)
            }
            servers[address] = server
        }
        let alpha = HostPort(host: "10.0.0.1", port: 6379)
        let beta = HostPort(host: "10.0.1.1", port: 6379)
        let gamma = HostPort(host: "10.0.2.1", port: 6379)
        add(alpha.host, alpha.port, .master)
        add("10.0.0.2", 6379, .replica, of: alpha)
        add("10.0.0.3", 6379, .replica, of: alpha)
        add(beta.host, beta.port, .master)
        add("10.0.1.2", 6379, .replica, of: beta)
        add(gamma.host, gamma.port, .master)
        for (index, host) in ["10.0.0.10", "10.0.0.11"].enumerated() {
            servers[HostPort(host: host, port: 26379)] = FakeServer(runID: peerRunIDs[index], role: .master, isSentinel: true)
        }
        return servers
    }()

    static let startTime = Timestamp(monotonic: 1_000_000, wallClock: 1_700_000_000_000)

    /// A started sentinel for `text`, after two restarts so that its file is a fixed point of
    /// the rewrite (the final checks compare a restart's file with the one before it).
    static func makeWorld(_ text: String) -> SentinelWorld {
        var current = Array(text.utf8)
        for _ in 0..<2 {
            var sentinel = makeSentinel(load(current), file: current)
            var turn = Turn()
            sentinel.start(into: &turn)
            current = sentinel.configurationFileToWrite()
        }
        var world = SentinelWorld(sentinel: makeSentinel(load(current), file: current), configurationFile: current,
                                  servers: servers, time: startTime)
        world.aclFiles = aclFiles
        do {
            try world.start()
        } catch {
            fatalError("the fuzzed deployment does not start: \(error)")
        }
        return world
    }

    /// `world` after `duration` ms of ticks every 100 ms with the network answering everything.
    static func settled(_ world: SentinelWorld, for duration: Milliseconds) -> SentinelWorld {
        var world = world
        do {
            var elapsed: Milliseconds = 0
            while elapsed < duration {
                try world.tick(after: 100)
                try world.settle(localAddress: "10.0.0.100")
                elapsed += 100
            }
        } catch {
            fatalError("the fuzzed deployment fails while settling: \(error)")
        }
        return world
    }

    static func load(_ file: [UInt8]) -> SentinelConfiguration {
        do {
            return try SentinelWorld.configurationAtStartup(file, aclFiles: aclFiles, what: "a fuzzed deployment's configuration")
        } catch {
            fatalError(error.description)
        }
    }

    static func makeSentinel(_ configuration: SentinelConfiguration, file: [UInt8]) -> Sentinel {
        Sentinel(configuration: configuration, configurationFile: file,
                 environment: SentinelEnvironment(processID: 4242, listeningPort: configuration.port, openFilesLimit: openFilesLimit(configuration)),
                 randomSeed: 7, now: startTime)
    }

    /// The secured deployment runs with few descriptors (clients and links then compete for
    /// them); the open one without a limit.
    static func openFilesLimit(_ configuration: SentinelConfiguration) -> Int? {
        configuration.port == 26380 ? 64 : nil
    }

    /// The deployments, just started.
    nonisolated(unsafe) static let started: [SentinelWorld] = {
        InputTrace.isPaused = true
        defer { InputTrace.isPaused = false }
        return [makeWorld(open), makeWorld(secured), makeWorld(withACLFile)]
    }()

    /// The deployments after 10 s of a healthy network (every link up, replicas and peers
    /// known), then one more tick a second later: the next INFO of every instance is asked and unanswered.
    nonisolated(unsafe) static let running: [SentinelWorld] = started.map { world in
        InputTrace.isPaused = true
        defer { InputTrace.isPaused = false }
        var world = settled(world, for: 10_000)
        do {
            try world.tick(after: 1000)
        } catch {
            fatalError("the fuzzed deployment fails while settling: \(error)")
        }
        return world
    }
}
