import RESP

/// A manual failover driven through the old master's own `FAILOVER TO <host> <port> TIMEOUT
/// <ms>` (Redis ≥ 6.2): the master pauses writes (clients get `-READONLY`, never an OK that is
/// later thrown away), waits for the chosen replica to catch up and swaps roles with it by a
/// partial resync. `SENTINEL FAILOVER <name>` uses it when it can: an unreachable master, a
/// Redis without `FAILOVER` or a server-side failover that gives up fall back to the classic
/// `SLAVEOF NO ONE` path, which `SENTINEL FAILOVER <name> FORCE` takes at once.
///
/// `SENTINEL FAILOVER <name> COORDINATED` is Valkey 9's: the master hands over or nothing
/// happens. A master that reports no `FAILOVER` support is refused at once (`-NOGOODPRIMARY`);
/// one that cannot be sent `FAILOVER TO` before one second of the failover-timeout is left
/// aborts the failover with `-failover-abort-master-timeout`; after the command is sent, the
/// failover waits for the promotion like any other and ends with `-failover-abort-slave-timeout`
/// if none comes (a stuck server-side failover is stopped with `FAILOVER ABORT`). Unlike
/// Valkey, no leader is elected first: like every `SENTINEL FAILOVER`, it needs no agreement.
public struct CoordinatedFailover: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// Asked for; the replica is being chosen.
        case requested
        /// `FAILOVER TO` sent to the master at `sentTime`.
        case sent
        /// Given up for the classic path.
        case fellBack
    }

    public var phase: Phase = .requested
    public var sentTime: Milliseconds = 0
    /// The `TIMEOUT` given to the server: how long it may wait for the replica to catch up.
    public var serverTimeout: Milliseconds
    /// False for `COORDINATED` (Valkey's): never fall back to `SLAVEOF NO ONE`.
    public var allowsFallback: Bool
    /// Whether `FAILOVER ABORT` was sent to a stuck server-side failover.
    public var abortSent = false

    public init(serverTimeout: Milliseconds, allowsFallback: Bool = true) {
        self.serverTimeout = serverTimeout
        self.allowsFallback = allowsFallback
    }

    /// How much of the failover-timeout must be left to send `FAILOVER TO` (Valkey's rule).
    static let minimumTimeLeftToSend: Milliseconds = 1000

    /// Grace beyond the server's own timeout before a server-side failover counts as stuck.
    static let stuckGrace: Milliseconds = 2000

    /// Whether a `redis_version:` has `FAILOVER` (6.2.0 and later).
    static func supportsServerFailover(version: String?) -> Bool {
        guard let version else { return false }
        let parts = version.split(separator: ".").map { Int($0) ?? 0 }
        let major = parts.first ?? 0
        let minor = parts.count > 1 ? parts[1] : 0
        return major > 6 || (major == 6 && minor >= 2)
    }
}

/// How `SENTINEL FAILOVER` was asked to run.
enum ManualFailoverMode {
    /// Through the master's `FAILOVER` when possible (the default).
    case coordinated
    /// Only through the master's `FAILOVER` (`COORDINATED`, Valkey's option).
    case coordinatedOnly
    /// Always `SLAVEOF NO ONE` to the replica, without the master (Redis's behaviour).
    case force
}

extension Sentinel {
    /// Why a coordinated failover of this master cannot be used now, or nil when it can.
    func coordinatedFailoverObstacle(_ masterID: InstanceID) -> String? {
        guard let master = instances[masterID], let link = links[master.link] else { return "the master is unknown" }
        if master.flags.contains(.subjectivelyDown) || link.isDisconnected { return "the master is not reachable" }
        if !CoordinatedFailover.supportsServerFailover(version: master.redisVersion) {
            return "the master (redis_version \(master.redisVersion ?? "unknown")) has no FAILOVER command"
        }
        return nil
    }

    /// `send_slaveof_noone` for a coordinated failover: instead of promoting the replica
    /// behind the master's back, ask the master to hand over to it. Returns false when the
    /// classic path must be taken.
    mutating func sendServerFailover(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) -> Bool {
        guard var coordinated = masters[masterID]?.coordinatedFailover, coordinated.phase == .requested,
              let replicaID = masters[masterID]?.promotedReplica, let replica = instances[replicaID] else { return false }
        if let obstacle = coordinatedFailoverObstacle(masterID) {
            guard coordinated.allowsFallback else {
                waitForMasterOrGiveUp(masterID, now: now, turn: &turn)
                return true
            }
            fallBackFromCoordinatedFailover(masterID, reason: obstacle, now: now, turn: &turn)
            return false
        }
        let target = replica.address
        sendCommand(["FAILOVER", "TO", announcedHost(target), String(target.port), "TIMEOUT", String(coordinated.serverTimeout)],
                    to: masterID, expecting: .serverFailover, turn: &turn)
        sendCommand(["INFO"], to: masterID, expecting: .info, turn: &turn)
        coordinated.phase = .sent
        coordinated.sentTime = now
        masters[masterID]?.coordinatedFailover = coordinated
        emitEvent(.coordinatedFailoverSent, about: replica, "timeout \(coordinated.serverTimeout)", turn: &turn)
        emitEvent(.failoverStateWaitPromotion, about: replica, turn: &turn)
        setFailoverState(masterID, .waitPromotion, now: now)
        return true
    }

    /// `COORDINATED`: the master cannot be sent `FAILOVER TO` now; retried on every tick
    /// until less than `minimumTimeLeftToSend` of the failover-timeout is left, then the
    /// failover is aborted (`-failover-abort-master-timeout`).
    mutating func waitForMasterOrGiveUp(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let state = masters[masterID], let master = instances[masterID] else { return }
        guard state.failoverTimeout - (now - state.failoverStateChangeTime) < CoordinatedFailover.minimumTimeLeftToSend else { return }
        emitEvent(.failoverAbortMasterTimeout, about: master, turn: &turn)
        abortFailover(masterID, now: now)
    }

    /// The master's answer to `FAILOVER TO …`: an error (old Redis, a replica not in sync,
    /// another failover running) means the classic path; after `COORDINATED` it is only
    /// logged, and the failover waits for the promotion until its timeout.
    mutating func receiveServerFailoverReply(_ value: RESPValue, from masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard case .error(let bytes) = value, let coordinated = masters[masterID]?.coordinatedFailover, coordinated.phase == .sent,
              masters[masterID]?.failoverState == .waitPromotion, let master = instances[masterID] else { return }
        let reason = String(decoding: bytes, as: UTF8.self)
        guard coordinated.allowsFallback else {
            return log(.warning, "Coordinated failover of '\(master.name)': the master answered FAILOVER with \(reason)", turn: &turn)
        }
        fallBackFromCoordinatedFailover(masterID, reason: "the master answered: \(reason)", now: now, turn: &turn)
        promoteDirectly(masterID, now: now, turn: &turn)
    }

    /// While waiting for the promotion of a coordinated failover: a master that became
    /// unreachable, or whose own failover ended without the switch (it timed out waiting for
    /// the replica), means the classic path; one still in a failover state well past its
    /// timeout is stuck and gets `FAILOVER ABORT` first.
    mutating func checkCoordinatedFailover(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let coordinated = masters[masterID]?.coordinatedFailover, coordinated.phase == .sent,
              let master = instances[masterID] else { return }
        guard coordinated.allowsFallback else { return abortStuckServerFailover(masterID, now: now, turn: &turn) }
        if master.flags.contains(.subjectivelyDown) {
            fallBackFromCoordinatedFailover(masterID, reason: "the master stopped answering", now: now, turn: &turn)
            promoteDirectly(masterID, now: now, turn: &turn)
            return
        }
        guard now - coordinated.sentTime > coordinated.serverTimeout + CoordinatedFailover.stuckGrace,
              master.lastInfoTime > coordinated.sentTime else { return }
        if let serverState = master.serverFailoverState, serverState != "no-failover" {
            sendCommand(["FAILOVER", "ABORT"], to: masterID, expecting: .ignored, turn: &turn)
            fallBackFromCoordinatedFailover(masterID, reason: "the server-side failover is stuck in \(serverState); sent FAILOVER ABORT", now: now, turn: &turn)
        } else {
            fallBackFromCoordinatedFailover(masterID, reason: "the server-side failover ended without a switch (timeout)", now: now, turn: &turn)
        }
        promoteDirectly(masterID, now: now, turn: &turn)
    }

    /// `COORDINATED` waiting for the promotion: a server-side failover still running well past
    /// its timeout is stopped once with `FAILOVER ABORT`, so the master takes writes again;
    /// nothing else is done behind the master's back.
    mutating func abortStuckServerFailover(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let coordinated = masters[masterID]?.coordinatedFailover, !coordinated.abortSent,
              let master = instances[masterID], now - coordinated.sentTime > coordinated.serverTimeout + CoordinatedFailover.stuckGrace,
              master.lastInfoTime > coordinated.sentTime, let serverState = master.serverFailoverState, serverState != "no-failover" else { return }
        sendCommand(["FAILOVER", "ABORT"], to: masterID, expecting: .ignored, turn: &turn)
        masters[masterID]?.coordinatedFailover?.abortSent = true
        log(.warning, "Coordinated failover of '\(master.name)': the server-side failover is stuck in \(serverState); sent FAILOVER ABORT", turn: &turn)
    }

    /// Marks the coordinated failover as given up, logged and published.
    mutating func fallBackFromCoordinatedFailover(_ masterID: InstanceID, reason: String, now: Milliseconds, turn: inout Turn) {
        guard let master = instances[masterID] else { return }
        masters[masterID]?.coordinatedFailover?.phase = .fellBack
        log(.warning, "Coordinated failover of '\(master.name)' falls back to SLAVEOF NO ONE: \(reason)", turn: &turn)
        emitEvent(.coordinatedFailoverFallback, about: master, reason, turn: &turn)
    }

    /// The classic promotion after a fallback in `wait_promotion`: SLAVEOF NO ONE to the
    /// chosen replica (then INFO), with a fresh failover-timeout to see it happen.
    mutating func promoteDirectly(_ masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard masters[masterID]?.failoverState == .waitPromotion, let replicaID = masters[masterID]?.promotedReplica else { return }
        if sendReplicaOf(replicaID, target: nil, turn: &turn) {
            sendCommand(["INFO"], to: replicaID, expecting: .info, turn: &turn)
        }
        setFailoverState(masterID, .waitPromotion, now: now)
    }

    /// Whether an instance takes part in a coordinated failover waiting for its promotion
    /// (its INFO is then polled every tick).
    func isAwaitingCoordinatedSwitch(_ instanceID: InstanceID) -> Bool {
        guard let kind = instances.field(instanceID, \.kind) else { return false }
        let masterID = kind == .master ? instanceID : instances.field(instanceID, \.master)
        guard let masterID, masters.field(masterID, \.failoverState) == .waitPromotion,
              masters[masterID]?.coordinatedFailover?.phase == .sent else { return false }
        return kind == .master || masters.field(masterID, \.promotedReplica) == instanceID
    }
}
