import XCTest

/// A reader of the Prometheus text format 0.0.4 for the tests: it checks the rules a scraper
/// relies on and returns the samples.
struct PrometheusExposition {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Families in order, with their type.
    private(set) var families: [(name: String, type: String, help: String)] = []
    private(set) var samples: [Sample] = []

    /// Parses `text`; throws what breaks the format: a sample before its family's `# TYPE`, a
    /// family declared twice or whose samples are not together, a histogram without `+Inf`
    /// or with decreasing buckets, a series twice, a malformed line.
    init(_ text: String) throws {
        guard text.hasSuffix("\n") else { throw FormatError("the text does not end with a line feed") }
        var current: (name: String, type: String)?
        var helpFor: String?
        var seen = Set<String>()
        var series = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# HELP ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                helpFor = String(parts[0])
                guard parts.count == 2, !parts[1].isEmpty else { throw FormatError("empty help: \(line)") }
                continue
            }
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[1]) else {
                    throw FormatError("bad TYPE line: \(line)")
                }
                let name = String(parts[0])
                guard helpFor == name else { throw FormatError("TYPE without HELP just before: \(line)") }
                guard seen.insert(name).inserted else { throw FormatError("family declared twice: \(name)") }
                current = (name, String(parts[1]))
                families.append((name, String(parts[1]), ""))
                continue
            }
            let sample = try Self.parseSample(String(line))
            guard let family = current else { throw FormatError("sample before any TYPE: \(line)") }
            let belongs = family.type == "histogram"
                ? [family.name + "_bucket", family.name + "_sum", family.name + "_count"].contains(sample.name)
                : sample.name == family.name
            guard belongs else { throw FormatError("\(sample.name) is not of the family \(family.name) it follows") }
            if family.type == "counter" { guard family.name.hasSuffix("_total") else { throw FormatError("counter without _total: \(family.name)") } }
            let key = sample.name + "|" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            guard series.insert(key).inserted else { throw FormatError("series twice: \(line)") }
            samples.append(sample)
        }
        try checkHistograms()
    }

    /// Every histogram's buckets are cumulative and end with `+Inf`, whose count is `_count`.
    private func checkHistograms() throws {
        for family in families where family.type == "histogram" {
            var groups: [String: [(le: Double, count: Double)]] = [:]
            for sample in samples where sample.name == family.name + "_bucket" {
                guard let le = sample.labels["le"] else { throw FormatError("bucket without le") }
                var others = sample.labels
                others["le"] = nil
                let key = others.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                groups[key, default: []].append((le == "+Inf" ? .infinity : Double(le) ?? .nan, sample.value))
            }
            for (key, buckets) in groups {
                guard buckets.last?.le == .infinity else { throw FormatError("\(family.name){\(key)} has no +Inf bucket last") }
                for (a, b) in zip(buckets, buckets.dropFirst()) where !(a.le < b.le && a.count <= b.count) {
                    throw FormatError("\(family.name){\(key)} buckets are not cumulative")
                }
            }
        }
    }

    /// `name{a="b",…} value`, with the format's escapes in label values.
    static func parseSample(_ line: String) throws -> Sample {
        var bytes = Substring(line)
        let name = bytes.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        bytes = bytes.dropFirst(name.count)
        guard !name.isEmpty else { throw FormatError("no metric name: \(line)") }
        var labels: [String: String] = [:]
        if bytes.first == "{" {
            bytes = bytes.dropFirst()
            while bytes.first != "}" {
                let label = bytes.prefix { $0 != "=" }
                bytes = bytes.dropFirst(label.count)
                guard bytes.hasPrefix("=\"") else { throw FormatError("bad label in \(line)") }
                bytes = bytes.dropFirst(2)
                var value = ""
                while let character = bytes.first, character != "\"" {
                    bytes = bytes.dropFirst()
                    if character == "\\" {
                        switch bytes.first {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw FormatError("bad escape in \(line)")
                        }
                        bytes = bytes.dropFirst()
                    } else {
                        guard character != "\n" else { throw FormatError("raw line feed in a label value") }
                        value.append(character)
                    }
                }
                guard bytes.first == "\"" else { throw FormatError("unterminated label value in \(line)") }
                bytes = bytes.dropFirst()
                guard labels.updateValue(value, forKey: String(label)) == nil else { throw FormatError("label twice in \(line)") }
                if bytes.first == "," { bytes = bytes.dropFirst() }
            }
            bytes = bytes.dropFirst()
        }
        guard bytes.first == " " else { throw FormatError("no space before the value: \(line)") }
        let text = bytes.dropFirst()
        let value: Double? = text == "+Inf" ? .infinity : (text == "-Inf" ? -.infinity : Double(text))
        guard let value else { throw FormatError("bad value in \(line)") }
        return Sample(name: String(name), labels: labels, value: value)
    }

    /// The value of the one sample named `name` whose labels include `labels`.
    func value(_ name: String, _ labels: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> Double? {
        let matches = samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        if matches.count > 1 { XCTFail("\(matches.count) samples of \(name) match \(labels)", file: file, line: line) }
        return matches.first?.value
    }

    func type(of family: String) -> String? { families.first { $0.name == family }?.type }

    struct FormatError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
