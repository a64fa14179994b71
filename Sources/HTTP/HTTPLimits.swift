/// Size limits that keep an HTTP client from making the parser hold unbounded memory or work.
public struct HTTPLimits: Sendable, Equatable {
    /// Bytes of a request's head (request line, header lines and the blank line that ends
    /// them) that may arrive before the blank line must have been seen.
    public var maximumHeadLength: Int
    /// Header lines a request may have.
    public var maximumHeaderCount: Int

    public init(maximumHeadLength: Int, maximumHeaderCount: Int) {
        self.maximumHeadLength = maximumHeadLength
        self.maximumHeaderCount = maximumHeaderCount
    }

    /// What a scraper or a probe needs, with room to spare: Prometheus sends five headers in
    /// about 300 bytes, curl three.
    public static let metricsEndpoint = HTTPLimits(maximumHeadLength: 8 * 1024, maximumHeaderCount: 64)
}
