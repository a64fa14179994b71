/// The `aclfile` format (Redis's `ACLLoadFromFile` and `ACLSaveToFile`): one
/// `user <name> <rule> …` line per user, words separated by single spaces (no quoting);
/// blank lines are allowed, nothing else is.
public enum ACLFile {
    /// The users of an ACL file, `[name, rule…]` each, passwords turned into hashes as for
    /// configuration `user` lines; or every problem found, in Redis's words, ending with
    /// "no change … was performed" (the file loads whole or not at all).
    public static func parse(_ bytes: [UInt8], fileName: String, compatibility: RedisCompatibility) -> Result<[[String]], ACLFileError> {
        parse(bytes, fileName: fileName, table: CommandTable.table(for: compatibility))
    }

    /// `parse` with rules checked against `table`.
    static func parse(_ bytes: [UInt8], fileName: String, table: CommandTable) -> Result<[[String]], ACLFileError> {
        var errors = ""
        var users: [[String]] = []
        for (index, rawLine) in ConfigurationLines.split(bytes).enumerated() {
            let lineNumber = index + 1
            let line = ConfigurationLines.trimmed(rawLine)
            if line.isEmpty { continue }
            let words = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map { Array($0) }
            guard words.count >= 2, words[0].elementsEqual("user".utf8) else {
                errors += "\(fileName):\(lineNumber) should start with user keyword followed by the username. "
                continue
            }
            let name = String(decoding: words[1], as: UTF8.self)
            if ACLSelector.hasSpaces(words[1]) {
                errors += "'\(fileName):\(lineNumber): username '\(name)' contains invalid characters. "
                continue
            }
            if users.contains(where: { $0.first == name }) {
                errors += "WARNING: Duplicate user '\(name)' found on line \(lineNumber). "
                continue
            }
            // Each rule is trimmed of tabs, CR and LF, as Redis does.
            let rules = words.dropFirst(2).map { Array(ConfigurationLines.trimmed($0[...])) }
            switch UserDirectory.loadableLine([words[1]] + rules, table: table) {
            case .success(let user):
                users.append(user)
            case .failure(let failure) where failure.message == ACLRuleError.unknownCommandOrCategory.message:
                errors += "\(fileName):\(lineNumber): Error in applying operation '\(failure.rule)': \(failure.message). "
            case .failure(let failure):
                errors += "\(fileName):\(lineNumber): \(failure.message). "
            }
        }
        guard errors.isEmpty else {
            return .failure(ACLFileError(message: errors + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed"))
        }
        return .success(users)
    }

    /// The file `ACL SAVE` writes: `user <name> <rules as ACL LIST shows them>` per user,
    /// sorted by name.
    static func render(_ users: [ACLUser], table: CommandTable) -> [UInt8] {
        var output: [UInt8] = []
        for user in users {
            output += Array((["user", user.name] + user.describedRules(in: table)).joined(separator: " ").utf8)
            output.append(UInt8(ascii: "\n"))
        }
        return output
    }
}

/// Why an ACL file was not loaded, as Redis words it.
public struct ACLFileError: Error, Equatable, Sendable {
    public var message: String
}
