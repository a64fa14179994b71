import SentinelCore

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
    /// The events this incarnation emitted, by type (see `checkMetrics`).
    var eventCounts: [SentinelEventType: UInt64] = [:]

    init(index: Int, host: String, myID: String, persistedText: String) {
        self.index = index
        self.host = host
        self.myID = myID
        self.persistedText = persistedText
    }
}
