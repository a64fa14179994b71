/// A Prometheus histogram of durations: how many observations fell at or below each upper
/// bound, their sum and their count. Bounds are fixed when it is made; counts are kept per
/// bucket and made cumulative when rendered.
public struct Histogram: Sendable, Equatable {
    /// Upper bounds in seconds, increasing; `+Inf` is implied.
    public let upperBounds: [Double]
    /// Observations per bucket: `bucketCounts[i]` in (upperBounds[i-1], upperBounds[i]], the
    /// last one above every bound.
    public private(set) var bucketCounts: [UInt64]
    public private(set) var count: UInt64 = 0
    /// The sum in nanoseconds: whole numbers add up exactly (0.022, not 0.022000000000000002).
    private var sumNanoseconds: Int64 = 0

    public init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        self.bucketCounts = Array(repeating: 0, count: upperBounds.count + 1)
    }

    /// The sum of the observations, in seconds.
    public var sum: Double { Double(sumNanoseconds) / 1e9 }

    /// Records one duration in seconds (a negative one counts as 0: the difference of two
    /// readings of different inputs may be, a duration is not).
    public mutating func observe(_ seconds: Double) {
        let seconds = max(0, seconds)
        let bucket = upperBounds.firstIndex { seconds <= $0 } ?? upperBounds.count
        bucketCounts[bucket] &+= 1
        sumNanoseconds &+= seconds < 9e9 ? Int64((seconds * 1e9).rounded()) : Int64(9e18)
        count &+= 1
    }

    /// Records a duration given in milliseconds.
    public mutating func observe(milliseconds: Milliseconds) {
        observe(Double(milliseconds) / 1000)
    }

    /// Failover phases: from a tenth of a second (an election among fast peers) to ten
    /// minutes (a slow reconfiguration of many replicas).
    static let failoverPhaseBounds: [Double] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
    /// How late a tick ran: from one millisecond to past the 2 s that mean TILT.
    static let timerLagBounds: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5]
    /// A configuration write (write, fsync, rename, directory fsync): from 100 µs to 5 s.
    static let configurationWriteBounds: [Double] = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5]
}
