import Glibc

/// A failed system call, with a readable message in the style of Redis's logs
/// (`"<what>: <strerror(errno)>"`).
public struct SystemError: Error, CustomStringConvertible, Equatable {
    /// The full human readable message, e.g. "Could not create server TCP listening socket
    /// 127.0.0.1:26379: Address already in use".
    public let message: String
    /// The `errno` behind the failure, or 0 when the failure is not a system call's.
    public let code: Int32

    public init(message: String, code: Int32 = 0) {
        self.message = message
        self.code = code
    }

    /// `"<context>: <strerror(code)>"`.
    public init(_ context: String, code: Int32) {
        self.message = "\(context): \(SystemError.describe(code))"
        self.code = code
    }

    public var description: String { message }

    /// `strerror(code)` as a Swift string.
    public static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "Unknown error \(code)" }
        return String(cString: text)
    }
}
