/// The kinds of metric family the text format declares with `# TYPE`.
enum MetricType: String {
    case counter
    case gauge
    case histogram
}

/// Label pairs as they appear between a sample's braces, `name="value",…`, rendered once and
/// reused for every sample that carries them (a master's name and address label ~25 samples).
struct LabelSet {
    /// The rendered pairs, without the braces.
    private(set) var text: [UInt8] = []

    init() {}

    init(_ name: String, _ value: String) {
        append(name, value)
    }

    var isEmpty: Bool { text.isEmpty }

    /// Adds `name="value"`. Label values are escaped as the format requires: backslash,
    /// double quote and line feed become `\\`, `\"` and `\n` (names are ours, never escaped).
    mutating func append(_ name: String, _ value: String) {
        if !text.isEmpty { text.append(UInt8(ascii: ",")) }
        text.append(contentsOf: name.utf8)
        text.append(UInt8(ascii: "="))
        text.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): text += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\""): text += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\n"): text += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            default: text.append(byte)
            }
        }
        text.append(UInt8(ascii: "\""))
    }

    /// These pairs and `name="value"`.
    func adding(_ name: String, _ value: String) -> LabelSet {
        var copy = self
        copy.append(name, value)
        return copy
    }
}

/// Writes the Prometheus text exposition format, version 0.0.4: each family as `# HELP` and
/// `# TYPE` lines followed by all its samples, one `name{labels} value` line each; histograms
/// as cumulative `_bucket{le}` samples ending with `le="+Inf"`, then `_sum` and `_count`.
struct PrometheusTextWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Starts a family. `help` is one line of our own text (its backslashes and line feeds
    /// would be escaped by the format; ours have none).
    mutating func family(_ name: String, _ type: MetricType, _ help: String) {
        append("# HELP ")
        append(name)
        bytes.append(UInt8(ascii: " "))
        append(help)
        append("\n# TYPE ")
        append(name)
        bytes.append(UInt8(ascii: " "))
        append(type.rawValue)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// A sample without labels.
    mutating func sample(_ name: String, _ value: some BinaryInteger) {
        sample(name, LabelSet(), UInt64(clamping: value))
    }

    mutating func sample(_ name: String, _ value: Bool) {
        sample(name, LabelSet(), value)
    }

    mutating func sample(_ name: String, _ labels: LabelSet, _ value: Int) {
        sampleStart(name, labels)
        append(String(value))
        bytes.append(UInt8(ascii: "\n"))
    }

    mutating func sample(_ name: String, _ labels: LabelSet, _ value: UInt64) {
        sampleStart(name, labels)
        append(String(value))
        bytes.append(UInt8(ascii: "\n"))
    }

    mutating func sample(_ name: String, _ labels: LabelSet, _ value: Bool) {
        sample(name, labels, value ? 1 : 0)
    }

    mutating func sample(_ name: String, _ labels: LabelSet, _ value: Double) {
        sampleStart(name, labels)
        append(Self.format(value))
        bytes.append(UInt8(ascii: "\n"))
    }

    /// The samples of one histogram: `<name>_bucket{labels,le="…"}` for each bound and `+Inf`
    /// (cumulative counts), `<name>_sum` and `<name>_count`.
    mutating func histogram(_ name: String, _ labels: LabelSet, _ histogram: Histogram) {
        let bucketName = name + "_bucket"
        var cumulative: UInt64 = 0
        for (index, bound) in histogram.upperBounds.enumerated() {
            cumulative &+= histogram.bucketCounts[index]
            sample(bucketName, labels.adding("le", Self.format(bound)), cumulative)
        }
        sample(bucketName, labels.adding("le", "+Inf"), histogram.count)
        sample(name + "_sum", labels, histogram.sum)
        sample(name + "_count", labels, histogram.count)
    }

    private mutating func sampleStart(_ name: String, _ labels: LabelSet) {
        append(name)
        if !labels.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            bytes.append(contentsOf: labels.text)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A float as Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes it, which Prometheus's own
    /// clients use (so `le="1"`, not `le="1.0"`: bucket bounds are matched as strings): whole
    /// numbers without a fraction, others in their shortest form, `+Inf`, `-Inf`, `NaN`.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }
}
