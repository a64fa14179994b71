/// The protocol's periods and timeouts (SENTINEL-PROTOCOL.md §2). Process-wide, changeable
/// with `SENTINEL DEBUG`, never persisted.
public struct SentinelTimings: Sendable, Equatable {
    /// PING cap, reconnect rate, ×5 replica eligibility.
    public var pingPeriod: Milliseconds = 1000
    /// INFO period; ×2 is "master looks sane".
    public var infoPeriod: Milliseconds = 10000
    /// IS-MASTER-DOWN-BY-ADDR period; ×5 is the answer expiry.
    public var askPeriod: Milliseconds = 1000
    /// Hello period; ×3 pub/sub silence, ×4 convert-to-slave wait.
    public var publishPeriod: Milliseconds = 2000
    public var defaultDownAfter: Milliseconds = 30000
    public var defaultFailoverTimeout: Milliseconds = 180000
    /// A gap between ticks above this enters TILT.
    public var tiltTrigger: Milliseconds = 2000
    /// TILT lasts this long after the last gap.
    public var tiltPeriod: Milliseconds = 30000
    public var replicaReconfigurationTimeout: Milliseconds = 10000
    /// A link younger than this is never closed for health reasons.
    public var minimumLinkReconnectPeriod: Milliseconds = 15000
    public var electionTimeout: Milliseconds = 10000
    public var scriptMaximumRuntime: Milliseconds = 60000
    public var scriptRetryDelay: Milliseconds = 30000

    public init() {}

    /// The `SENTINEL DEBUG` names, in the order Redis lists them, with key paths.
    static var debugParameters: [(name: String, keyPath: WritableKeyPath<SentinelTimings, Milliseconds>)] { [
        ("INFO-PERIOD", \.infoPeriod),
        ("PING-PERIOD", \.pingPeriod),
        ("ASK-PERIOD", \.askPeriod),
        ("PUBLISH-PERIOD", \.publishPeriod),
        ("DEFAULT-DOWN-AFTER", \.defaultDownAfter),
        ("DEFAULT-FAILOVER-TIMEOUT", \.defaultFailoverTimeout),
        ("TILT-TRIGGER", \.tiltTrigger),
        ("TILT-PERIOD", \.tiltPeriod),
        ("SLAVE-RECONF-TIMEOUT", \.replicaReconfigurationTimeout),
        ("MIN-LINK-RECONNECT-PERIOD", \.minimumLinkReconnectPeriod),
        ("ELECTION-TIMEOUT", \.electionTimeout),
        ("SCRIPT-MAX-RUNTIME", \.scriptMaximumRuntime),
        ("SCRIPT-RETRY-DELAY", \.scriptRetryDelay),
    ] }
}
