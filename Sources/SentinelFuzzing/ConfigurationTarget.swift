import SentinelCore

/// Fuzz target `config`: `sentinel.conf` bytes through the parser, the renderer and a sentinel
/// started from them; an input with a `#@state-file` line is a main file and, after that line,
/// the file of `sentinel state-config-file` overlaid on it (see `runWithStateFile`).
///
/// Any file may be refused; what loads must survive the rewrites a running sentinel makes:
/// - the renderer's file over the original loads again, with the same meaning, and from the
///   second rendering on the file is a fixed point (README: a file ending in a newline gains
///   one blank last line on its first rewrite);
/// - a sentinel started from the configuration writes a file that loads, and a sentinel
///   restarted from that file writes it again unchanged from the second restart on — a
///   restart neither loses nor alters what was persisted.
enum ConfigurationTarget {
    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        if let separator = bytes.firstRange(of: stateFileSeparator) {
            return try runWithStateFile(main: Array(bytes[..<separator.lowerBound]) + [UInt8(ascii: "\n")],
                                        state: Array(bytes[separator.upperBound...]))
        }
        guard let original = try? load(bytes) else { return }

        let firstFile = ConfigurationRenderer.render(original, over: bytes)
        let first = try loadRewritten(firstFile, what: "the first rewrite")
        try require(comparable(first) == comparable(original),
                    "the first rewrite changes the configuration:\n\(difference(original, first))\n--- rewritten:\n\(printable(firstFile))")
        let secondFile = ConfigurationRenderer.render(first, over: firstFile)
        let second = try loadRewritten(secondFile, what: "the second rewrite")
        let thirdFile = ConfigurationRenderer.render(second, over: secondFile)
        try require(thirdFile == secondFile, "the rewrite is not a fixed point:\n--- second:\n\(printable(secondFile))\n--- third:\n\(printable(thirdFile))")

        try checkRestarts(original, file: bytes)
    }

    /// The included files the fuzzed configurations may name: one that adds directives, one
    /// that includes itself (to the depth limit), one with an error; any other name fails to open.
    static func readInclude(_ path: String) throws -> [UInt8] {
        switch path {
        case "a.conf": return Array("port 7000\nsentinel monitor included 10.0.0.9 6379 1\nsentinel known-replica included 10.0.0.8 6379\n".utf8)
        case "self.conf": return Array("include self.conf\n".utf8)
        case "bad.conf": return Array("no-such-directive 1\n".utf8)
        default: throw FuzzFailure("no such file")
        }
    }

    static func load(_ file: [UInt8]) throws(ConfigurationError) -> SentinelConfiguration {
        try ConfigurationParser.parse(bytes: file, fileName: "sentinel.conf", readInclude: readInclude)
    }

    /// Loads a file the sentinel itself wrote: it must load.
    static func loadRewritten(_ file: [UInt8], what: String) throws(FuzzFailure) -> SentinelConfiguration {
        do throws(ConfigurationError) {
            return try load(file)
        } catch {
            throw FuzzFailure("\(what) does not load: \(error)\n--- file:\n\(printable(file))")
        }
    }

    /// A configuration without what depends on line positions (where scripts were named) and
    /// without the lines Redis's rewrite drops on purpose: `save` lines (a sentinel saves no
    /// dataset) and options of modules that are not loaded (commented out as `# ??? …`).
    /// `user` lines are compared in name order, the order the rewrite writes them in. Of the
    /// script references, only the one in effect per master and kind (the last) is compared:
    /// an earlier line naming that master's script is checked at load, as Redis checks it,
    /// but the rewrite writes only the script in effect.
    static func comparable(_ configuration: SentinelConfiguration) -> SentinelConfiguration {
        var result = configuration
        result.ignoredDirectives.removeAll { $0.name == "save" || $0.name.contains(".") }
        result.aclUsers.sort { ($0.first ?? "").utf8.lexicographicallyPrecedes(($1.first ?? "").utf8) }
        var inEffect: [ScriptReference] = []
        for reference in result.scriptReferences.reversed()
        where !inEffect.contains(where: { $0.kind == reference.kind && $0.masterName == reference.masterName }) {
            var comparable = reference
            comparable.source = ConfigurationSource(fileName: "", lineNumber: 0, lineText: "")
            inEffect.append(comparable)
        }
        func key(_ reference: ScriptReference) -> [UInt8] {
            Array(reference.masterName.utf8) + [0, reference.kind == .notification ? 0 : 1]
        }
        result.scriptReferences = inEffect.sorted { key($0).lexicographicallyPrecedes(key($1)) }
        return result
    }

    /// The fields that differ, for failure messages.
    static func difference(_ old: SentinelConfiguration, _ new: SentinelConfiguration) -> String {
        var lines: [String] = []
        let oldMirror = Mirror(reflecting: comparable(old)).children.map { ($0.label ?? "?", String(describing: $0.value)) }
        let newMirror = Mirror(reflecting: comparable(new)).children.map { ($0.label ?? "?", String(describing: $0.value)) }
        for (oldField, newField) in zip(oldMirror, newMirror) where oldField.1 != newField.1 {
            lines.append("\(oldField.0): \(oldField.1) → \(newField.1)")
        }
        return lines.joined(separator: "\n")
    }

    /// Starts a sentinel from `configuration`, then restarts it from each file it writes.
    static func checkRestarts(_ configuration: SentinelConfiguration, file: [UInt8]) throws(FuzzFailure) {
        try checkRestarts(configuration, file: file, what: "file") { sentinel, round throws(FuzzFailure) in
            let newFile = sentinel.configurationFileToWrite()
            return (newFile, try loadRewritten(newFile, what: "the file written after start \(round)"), newFile)
        }
    }

    /// Starts a sentinel from `configuration` and `file` three times, each time from what the
    /// start before wrote: `restart` takes the sentinel just started and its round, and gives
    /// what it wrote and the configuration and file the next start is made from. From the
    /// second restart on, what is written must not change (a restart neither loses nor alters
    /// what was persisted).
    static func checkRestarts(
        _ configuration: SentinelConfiguration, file: [UInt8], what: String,
        restart: (inout Sentinel, Int) throws(FuzzFailure) -> (written: [UInt8], configuration: SentinelConfiguration, file: [UInt8])
    ) throws(FuzzFailure) {
        var written: [[UInt8]] = []
        var current = (configuration: configuration, file: file)
        for round in 1...3 {
            var sentinel = makeSentinel(current.configuration, file: current.file)
            var turn = Turn()
            sentinel.start(into: &turn)
            let next = try restart(&sentinel, round)
            current = (next.configuration, next.file)
            written.append(next.written)
        }
        try require(written[2] == written[1], "a restart changes the \(what):\n--- after restart 1:\n\(printable(written[1]))\n--- after restart 2:\n\(printable(written[2]))")
    }

    static func makeSentinel(_ configuration: SentinelConfiguration, file: [UInt8]) -> Sentinel {
        Sentinel(configuration: configuration, configurationFile: file,
                 environment: SentinelEnvironment(processID: 1, listeningPort: configuration.port),
                 randomSeed: 1, now: Timestamp(monotonic: 1_000_000, wallClock: 1_700_000_000_000))
    }

    /// The line that ends the main file and starts the state file in an input.
    static let stateFileSeparator = Array("\n#@state-file\n".utf8)

    /// Where a main file that names no state file gets one.
    static let defaultStatePath = "/state/sentinel-state.conf"

    /// A main file and a state file, loaded as the daemon loads them: the state file overlays
    /// the main file (which gets a `sentinel state-config-file` line when it names none). Either
    /// may be refused; when both load, a sentinel started from them writes only the state file,
    /// never the main file, that state file loads over the same main file, and from the second
    /// restart on the sentinel writes it again unchanged.
    static func runWithStateFile(main: [UInt8], state: [UInt8]) throws(FuzzFailure) {
        guard var mainConfiguration = try? load(main) else { return }
        var mainFile = main
        if mainConfiguration.container.stateConfigFile == nil {
            mainFile += Array("sentinel state-config-file \(defaultStatePath)\n".utf8)
            guard let named = try? load(mainFile) else { return }
            mainConfiguration = named
        }
        guard let statePath = mainConfiguration.container.stateConfigFile,
              let overlaid = try? overlay(state, on: mainConfiguration, path: statePath) else { return }
        try checkRestarts(overlaid, file: mainFile, what: "state file") { sentinel, round throws(FuzzFailure) in
            let write = sentinel.configurationWrite()
            try require(write.destination == .stateFile(path: statePath),
                        "start \(round) writes \(write.destination), not the state file \(statePath)")
            do throws(ConfigurationError) {
                return (write.file, try overlay(write.file, on: mainConfiguration, path: statePath), mainFile)
            } catch {
                throw FuzzFailure("the state file written after start \(round) does not load: \(error)\n--- main file:\n\(printable(mainFile))\n--- state file:\n\(printable(write.file))")
            }
        }
    }

    static func overlay(_ state: [UInt8], on main: SentinelConfiguration, path: String) throws(ConfigurationError) -> SentinelConfiguration {
        var configuration = main
        try StateFileOverlay.apply(state, fileName: path, to: &configuration)
        return configuration
    }
}
