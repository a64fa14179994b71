import Glibc

/// Milliseconds on `CLOCK_MONOTONIC`: the `now` every core input carries. Never jumps with the
/// wall clock.
public enum MonotonicClock {
    /// Current monotonic time in milliseconds.
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Current monotonic time in nanoseconds (to time short operations).
    public static func nanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// Milliseconds since the Unix epoch on `CLOCK_REALTIME` (log timestamps, INFO's `run_id` age…).
public enum WallClock {
    /// Current wall-clock time in milliseconds since 1970-01-01 UTC.
    public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
