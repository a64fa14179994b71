import RESP
import SentinelCore

/// The due-time schedule's proof (`--check-schedule`): every sentinel runs beside a shadow
/// copy of its core with `visitsEveryInstance` set — the reference that visits every master
/// and instance at every tick — fed the very same inputs at the same times, with the results
/// of its writes and starts replayed from the real run. After each input the two must have
/// carried out the same effects in the same order (the same bytes on the same connections,
/// the same configuration files, the same events, the same next tick). Both copies start from
/// the same generator state, so they draw the same numbers while they make the same calls.
struct ShadowSentinel {
    var core: Sentinel
    /// The shadow's turn for the input being handled, until the real turn is carried out.
    var pendingTurn = Turn()

    init(copying core: Sentinel) {
        self.core = core
        self.core.visitsEveryInstance = true
    }
}

/// One thing a turn's executor did, as the schedule check compares it.
enum ExecutedEffect {
    case configuration(destination: String, file: [UInt8])
    case aclFile(path: String, contents: [UInt8])
    case effect(SentinelEffect)

    func isSame(as other: ExecutedEffect) -> Bool {
        switch (self, other) {
        case (.configuration(let d1, let f1), .configuration(let d2, let f2)): return d1 == d2 && f1 == f2
        case (.aclFile(let p1, let c1), .aclFile(let p2, let c2)): return p1 == p2 && c1 == c2
        case (.effect(let e1), .effect(let e2)): return ExecutedEffect.same(e1, e2)
        default: return false
        }
    }

    static func same(_ a: SentinelEffect, _ b: SentinelEffect) -> Bool {
        switch (a, b) {
        case (.sendToClient(let c1, let b1), .sendToClient(let c2, let b2)): return c1 == c2 && b1 == b2
        case (.closeClient(let c1), .closeClient(let c2)): return c1 == c2
        case (.connect(let c1, let h1, let p1, let s1), .connect(let c2, let h2, let p2, let s2)): return c1 == c2 && h1 == h2 && p1 == p2 && s1 == s2
        case (.resolveHostname(let h1), .resolveHostname(let h2)): return h1 == h2
        case (.sendOnConnection(let c1, let b1), .sendOnConnection(let c2, let b2)): return c1 == c2 && b1 == b2
        case (.closeConnection(let c1), .closeConnection(let c2)): return c1 == c2
        case (.persistConfiguration(let t1), .persistConfiguration(let t2)): return t1 == t2
        case (.readACLFile(let p1, let t1), .readACLFile(let p2, let t2)): return p1 == p2 && t1 == t2
        case (.writeACLFile(let p1, let c1, let t1), .writeACLFile(let p2, let c2, let t2)): return p1 == p2 && c1 == c2 && t1 == t2
        case (.log(let l1, let m1), .log(let l2, let m2)): return l1 == l2 && m1 == m2
        case (.event(let e1), .event(let e2)): return e1 == e2
        case (.setLogLevel(let l1), .setLogLevel(let l2)): return l1 == l2
        case (.runScript(let s1, let a1), .runScript(let s2, let a2)): return s1 == s2 && a1 == a2
        case (.killScript(let s1), .killScript(let s2)): return s1 == s2
        case (.scheduleTick(let d1), .scheduleTick(let d2)): return d1 == d2
        case (.exit(let c1), .exit(let c2)): return c1 == c2
        default: return false
        }
    }

    /// A short text for a violation report (byte payloads shown as text, cut).
    var summary: String {
        switch self {
        case .configuration(let destination, let file): return "write \(destination) (\(file.count) bytes)"
        case .aclFile(let path, _): return "write ACL file \(path)"
        case .effect(.sendOnConnection(let connection, let bytes)): return "send on \(connection): \(String(decoding: bytes.prefix(120), as: UTF8.self).debugDescription)"
        case .effect(.sendToClient(let client, let bytes)): return "reply to \(client): \(String(decoding: bytes.prefix(120), as: UTF8.self).debugDescription)"
        case .effect(let effect): return String(String(describing: effect).prefix(200))
        }
    }
}

/// What the real run's executor was told by the world, in order, to tell the shadow the same.
struct ExecutionResults {
    var configurationWrites: [String?] = []
    var aclWrites: [String?] = []
    var performs: [Bool] = []
    var starts: [[SentinelInput]] = []
}

/// Carries out a turn through the world's IO and records what was done and what came back.
struct RecordingIO<Base: SentinelIO>: SentinelIO {
    var base: Base
    var executed: [ExecutedEffect] = []
    var results = ExecutionResults()

    mutating func writeConfiguration(_ file: [UInt8], to destination: ConfigurationDestination) -> String? {
        executed.append(.configuration(destination: "\(destination)", file: file))
        let result = base.writeConfiguration(file, to: destination)
        results.configurationWrites.append(result)
        return result
    }

    mutating func writeACLFile(path: String, contents: [UInt8]) -> String? {
        executed.append(.aclFile(path: path, contents: contents))
        let result = base.writeACLFile(path: path, contents: contents)
        results.aclWrites.append(result)
        return result
    }

    mutating func perform(_ message: SentinelEffect) -> Bool {
        let result = base.perform(message)
        // A message the process did not live to carry out is not recorded.
        if result { executed.append(.effect(message)) }
        results.performs.append(result)
        return result
    }

    mutating func start(_ effect: SentinelEffect) -> [SentinelInput] {
        executed.append(.effect(effect))
        let inputs = base.start(effect)
        results.starts.append(inputs)
        return inputs
    }
}

/// Carries out the shadow's turn: records what it would do and answers with the real run's
/// results (the defaults once they run out: the comparison reports the difference anyway).
struct ReplayIO: SentinelIO {
    var results: ExecutionResults
    var executed: [ExecutedEffect] = []

    mutating func writeConfiguration(_ file: [UInt8], to destination: ConfigurationDestination) -> String? {
        executed.append(.configuration(destination: "\(destination)", file: file))
        return results.configurationWrites.isEmpty ? nil : results.configurationWrites.removeFirst()
    }

    mutating func writeACLFile(path: String, contents: [UInt8]) -> String? {
        executed.append(.aclFile(path: path, contents: contents))
        return results.aclWrites.isEmpty ? nil : results.aclWrites.removeFirst()
    }

    mutating func perform(_ message: SentinelEffect) -> Bool {
        let result = results.performs.isEmpty ? true : results.performs.removeFirst()
        if result { executed.append(.effect(message)) }
        return result
    }

    mutating func start(_ effect: SentinelEffect) -> [SentinelInput] {
        executed.append(.effect(effect))
        return results.starts.isEmpty ? [] : results.starts.removeFirst()
    }
}

extension Simulation {
    /// Carries out the shadow's pending turn with the real run's results and compares what
    /// both did.
    func checkSchedule(of s: Int, real: [ExecutedEffect], results: ExecutionResults, input: String) {
        guard var shadow = sentinels[s].shadow else { return }
        // Held alone while it runs, so that its tables are changed in place, not copied.
        sentinels[s].shadow = nil
        var replay = ReplayIO(results: results)
        var turn = shadow.pendingTurn
        shadow.pendingTurn = Turn()
        TurnExecutor.run(&turn, core: &shadow.core, io: &replay, at: timestamp)
        sentinels[s].shadow = shadow
        let shadowEffects = replay.executed
        let common = min(real.count, shadowEffects.count)
        guard let first = (0..<common).first(where: { !real[$0].isSame(as: shadowEffects[$0]) }) ?? (real.count != shadowEffects.count ? common : nil) else { return }
        func show(_ effects: [ExecutedEffect]) -> String {
            effects[first..<min(effects.count, first + 3)].map(\.summary).joined(separator: " | ")
        }
        fail("schedule-equivalence", "S\(s) after \(input): effect #\(first) differs from visiting everything; scheduled: [\(show(real))] (\(real.count) effects), reference: [\(show(shadowEffects))] (\(shadowEffects.count) effects)")
        sentinels[s].shadow = nil
    }
}
