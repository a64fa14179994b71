import XCTest
@testable import SentinelCore

/// The text format 0.0.4 as `PrometheusTextWriter` writes it: HELP and TYPE, label escapes,
/// numbers, histograms.
final class PrometheusTextWriterTests: XCTestCase {
    func testFamilySamplesAndEscapes() {
        var writer = PrometheusTextWriter(capacity: 0)
        writer.family("a_total", .counter, "Things.")
        var labels = LabelSet("name", "q\"b\\s\nl")
        labels.append("other", "é")
        writer.sample("a_total", labels, UInt64(3))
        writer.sample("a_total", 4)
        writer.sample("a_total", LabelSet("x", ""), true)
        XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), """
            # HELP a_total Things.
            # TYPE a_total counter
            a_total{name="q\\"b\\\\s\\nl",other="é"} 3
            a_total 4
            a_total{x=""} 1

            """)
    }

    /// Numbers as Go's `FormatFloat(v, 'g', -1, 64)` writes them, as Prometheus's clients do.
    func testNumberFormat() {
        XCTAssertEqual(PrometheusTextWriter.format(1), "1")
        XCTAssertEqual(PrometheusTextWriter.format(0.25), "0.25")
        XCTAssertEqual(PrometheusTextWriter.format(0.0001), "0.0001")
        XCTAssertEqual(PrometheusTextWriter.format(0.00001), "1e-05")
        XCTAssertEqual(PrometheusTextWriter.format(600), "600")
        XCTAssertEqual(PrometheusTextWriter.format(-2), "-2")
        XCTAssertEqual(PrometheusTextWriter.format(.infinity), "+Inf")
        XCTAssertEqual(PrometheusTextWriter.format(-.infinity), "-Inf")
        XCTAssertEqual(PrometheusTextWriter.format(.nan), "NaN")
    }

    func testHistogramIsCumulativeWithInfSumAndCount() {
        var histogram = Histogram(upperBounds: [0.5, 1])
        histogram.observe(0.2)
        histogram.observe(0.7)
        histogram.observe(3)
        var writer = PrometheusTextWriter(capacity: 0)
        writer.family("d_seconds", .histogram, "Durations.")
        writer.histogram("d_seconds", LabelSet("phase", "p"), histogram)
        XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), """
            # HELP d_seconds Durations.
            # TYPE d_seconds histogram
            d_seconds_bucket{phase="p",le="0.5"} 1
            d_seconds_bucket{phase="p",le="1"} 2
            d_seconds_bucket{phase="p",le="+Inf"} 3
            d_seconds_sum{phase="p"} 3.9
            d_seconds_count{phase="p"} 3

            """)
    }
}
