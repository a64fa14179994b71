/// A recurring problem reported at most once per interval, each report saying how many were
/// left out since the one before (so a flood of failures costs one log line per interval).
struct RateLimitedReport {
    let intervalMilliseconds: Int64
    private var lastReport: Int64?
    private var unreported = 0

    init(intervalMilliseconds: Int64) {
        self.intervalMilliseconds = intervalMilliseconds
    }

    /// The line to log for `text` at monotonic time `now`, or nil when one was logged less
    /// than the interval ago.
    mutating func line(for text: String, now: Int64) -> String? {
        if let lastReport, now - lastReport < intervalMilliseconds {
            unreported += 1
            return nil
        }
        let line = unreported > 0 ? "\(text) (and \(unreported) more not reported since the last report)" : text
        lastReport = now
        unreported = 0
        return line
    }
}
