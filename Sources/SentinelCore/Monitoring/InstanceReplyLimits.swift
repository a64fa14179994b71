import RESP

extension RESPLimits {
    /// The largest replies the sentinel's commands to masters, replicas and peers can get
    /// (§1.3): an INFO text, a three-element pub/sub message or `IS-MASTER-DOWN-BY-ADDR`
    /// answer, the flat reply array of the `SLAVEOF` transaction. Anything larger, or nested
    /// deeper, comes from a broken or hostile instance; the link is then closed (and reconnected
    /// later), so one reply can never make the sentinel hold more than a few times these bounds.
    public static let instanceReplies = RESPLimits(
        maxMultibulkLength: 1024,
        maxBulkLength: 64 * 1024 * 1024,
        maxInlineLength: 64 * 1024,
        maxNestingDepth: 2
    )
}
