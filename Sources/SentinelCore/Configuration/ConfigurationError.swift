/// A fatal error in `sentinel.conf` (or a file it includes): where it is and Redis's message.
///
/// Redis prints such an error on four lines (`*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***`,
/// `Reading the configuration file, at line N`, `>>> 'line'`, message) and exits with status 1;
/// `description` says the same on one line.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the line comes from (the main file, or the file an `include` names).
    public var fileName: String
    /// The 1-based number of the line inside `fileName`.
    public var lineNumber: Int
    /// The line, trimmed of surrounding spaces, tabs, CR and LF as Redis prints it.
    public var lineText: String
    /// Redis's message, e.g. `Quorum must be 1 or greater.`.
    public var message: String

    public init(fileName: String, lineNumber: Int, lineText: String, message: String) {
        self.fileName = fileName
        self.lineNumber = lineNumber
        self.lineText = lineText
        self.message = message
    }

    /// `<file>:<line>: <message> ('<line text>')`.
    public var description: String {
        "\(fileName):\(lineNumber): \(message) ('\(lineText)')"
    }
}

/// Where a directive was read: enough to report an error about it later.
public struct ConfigurationSource: Sendable, Equatable {
    public var fileName: String
    public var lineNumber: Int
    public var lineText: String

    public init(fileName: String, lineNumber: Int, lineText: String) {
        self.fileName = fileName
        self.lineNumber = lineNumber
        self.lineText = lineText
    }

    /// A `ConfigurationError` at this line with `message`.
    public func error(_ message: String) -> ConfigurationError {
        ConfigurationError(fileName: fileName, lineNumber: lineNumber, lineText: lineText, message: message)
    }
}
