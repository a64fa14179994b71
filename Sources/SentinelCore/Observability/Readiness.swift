/// `/readyz`: whether this sentinel can do its job, for container readiness probes.
extension Sentinel {
    /// Why this sentinel is not ready, one line each; empty when it is. Ready means: the
    /// configuration is loaded and the first tick has run; every master's command connection
    /// is established; every master has at least quorum − 1 peers that are not down (with
    /// this sentinel, enough to reach its quorum); and the sentinel is not in TILT mode.
    ///
    /// A master that is down fails the probe until the failover gives it a reachable address:
    /// a probe gating traffic should tolerate a failover's duration.
    public func readinessProblems() -> [String] {
        var problems: [String] = []
        if lastTickTime == 0 { problems.append("starting: the first tick has not run yet") }
        if tilt { problems.append("in TILT mode") }
        for masterID in masterOrder {
            guard let master = instances[masterID], let state = masters[masterID] else { continue }
            let name = Sentinel.oneLine(master.name)
            if links.field(master.link, \.commandConnected) != true {
                problems.append("master \(name): no connection to \(announcedHost(master.address)):\(master.address.port)")
            }
            let needed = max(0, state.quorum - 1)
            let usablePeers = state.sentinels.count { id in
                instances.field(id, \.flags).map { !$0.contains(.subjectivelyDown) && !$0.contains(.objectivelyDown) } ?? false
            }
            if usablePeers < needed {
                problems.append("master \(name): \(usablePeers) other sentinels reachable, quorum \(state.quorum) needs \(needed)")
            }
        }
        return problems
    }

    /// `text` with line breaks as spaces, so that a master's name cannot add a line.
    static func oneLine(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
