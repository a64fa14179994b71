import SentinelCore

/// A sentinel process in the simulation: the real core, the configuration text it last
/// persisted and its state file (all that survives a crash; a state wipe loses the state),
/// and its client connections.
final class SimulatedSentinel {
    let index: Int
    /// Its address now (a state wipe may restart it at a new one).
    var host: String
    /// The run id of its current incarnation (a new one after a state wipe, unless stable).
    var myID: String
    var core: Sentinel? { didSet { alive = core != nil } }
    /// The reference copy of the core that visits everything at every tick
    /// (`--check-schedule`), fed the same inputs; nil when not checked or after a difference.
    var shadow: ShadowSentinel?
    private(set) var alive = false
    var incarnation = 0
    /// The main configuration file: rewritten in Redis's mode, never written with a state file.
    var persistedText: String
    /// The main file as first written (the container's image of it, to restart from after a
    /// state wipe without a state file).
    let originalText: String
    /// The state file (`state-config-file`), nil while it does not exist.
    var stateText: String?
    /// How many times it moved to a new address.
    var addressGeneration = 0
    /// Set by a state wipe that restarts it at a new address.
    var movesOnRestart = false
    /// Its state was wiped and it has not restarted since.
    var stateLost = false
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

    init(index: Int, host: String, myID: String, persistedText: String, stateText: String?) {
        self.index = index
        self.host = host
        self.myID = myID
        self.persistedText = persistedText
        self.originalText = persistedText
        self.stateText = stateText
    }
}
