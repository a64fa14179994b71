/// The Redis release whose replies swift-sentinel gives where two releases answer the same
/// request differently (`redis-compatibility 7.0|7.2`, default 7.0).
///
/// It selects the command table (`COMMAND LIST`, `INFO` and `DOCS`; the arity of the
/// commands whose arity changed), the `redis_version` that `INFO` reports, the `SENTINEL
/// HELP` text and the error texts that changed, and whether `master_reboot` appears among an
/// instance's flags. What one release refused and the next accepts (several options in one
/// `SENTINEL CONFIG SET`, `loglevel`) is accepted in both modes.
public enum RedisCompatibility: String, Sendable, CaseIterable {
    /// redis-sentinel 7.0.15.
    case redis70 = "7.0"
    /// redis-sentinel 7.2.4, the release Valkey forked from.
    case redis72 = "7.2"

    /// What `INFO` reports as `redis_version`.
    public var redisVersion: String {
        switch self {
        case .redis70: return "7.0.15"
        case .redis72: return "7.2.4"
        }
    }
}
