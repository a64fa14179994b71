import Foundation
import Glibc
import RESP
import XCTest

/// What a command run to completion printed and how it ended.
struct CommandResult: CustomStringConvertible {
    let status: Int32
    let output: String
    let error: String
    var description: String { "exit \(status)\n--- stdout:\n\(output)--- stderr:\n\(error)" }
}

/// Whether `pid` is a live process (a zombie waiting to be reaped counts as gone).
func processIsAlive(_ pid: Int32) -> Bool {
    guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    // "pid (comm) S ...": the state follows the last ')'.
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
    return state != "Z" && state != "X"
}

/// The command line of `pid`, arguments joined by spaces ("" when it is gone).
func processCommandLine(_ pid: Int32) -> String {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
    return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
}

/// A python3 with the redis-py client library, installed with pip on first use when missing.
enum RedisPy {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var checked: String?

    static func python() throws -> String {
        try lock.withLock {
            if let checked { return checked }
            let python = IntegrationTestCase.findExecutable("python3")
            if try runToCompletion(python, ["-c", "import redis"]).status != 0 {
                let install = try runToCompletion(python, ["-m", "pip", "install", "--quiet", "redis"], timeout: 300)
                let again = try runToCompletion(python, ["-c", "import redis"])
                guard again.status == 0 else {
                    throw IntegrationError("redis-py is not importable and `pip install redis` did not help: \(install) \(again)")
                }
            }
            checked = python
            return python
        }
    }
}

/// Runs a program to completion with its output in temporary files; kills it by pid after
/// `timeout` seconds. Spawned with posix_spawn and every descriptor above stderr closed: a daemon
/// it starts must not inherit Foundation's per-process monitoring sockets (Foundation's `Process`
/// sees a child as running until every holder of that socket closes it, so a daemonizing init
/// script would look like it never ends).
func runToCompletion(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                     timeout: Double = 60) throws -> CommandResult {
    var template = Array((NSTemporaryDirectory() + "/swift-sentinel-run.XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw IntegrationError("mkdtemp failed") }
    let scratch = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let outPath = scratch + "/stdout", errPath = scratch + "/stderr"

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    // glibc ≥ 2.34 has it; Swift's Glibc module does not export it.
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
        throw IntegrationError("this libc has no posix_spawn_file_actions_addclosefrom_np")
    }
    _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)

    let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard spawned == 0 else { throw IntegrationError("posix_spawn \(executable): \(String(cString: strerror(spawned)))") }

    let deadline = Date().addingTimeInterval(timeout)
    var status: Int32 = 0
    while true {
        let done = waitpid(pid, &status, WNOHANG)
        if done == pid { break }
        if done < 0 && errno != EINTR { throw IntegrationError("waitpid \(pid): \(String(cString: strerror(errno)))") }
        if Date() > deadline {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            throw IntegrationError("\(executable) \(arguments.joined(separator: " ")) still ran after \(Int(timeout)) s")
        }
        usleep(20_000)
    }
    // WIFEXITED / WEXITSTATUS; a signal death is reported as 128 + signal, as shells do.
    let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let error = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return CommandResult(status: exitStatus, output: output, error: error)
}

extension IntegrationTestCase {
    /// Writes an executable file (mode 0755) into the test's directory; returns its path.
    func writeExecutable(_ name: String, _ text: String) throws -> String {
        let path = "\(directory)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        guard chmod(path, 0o755) == 0 else { throw IntegrationError("chmod \(path): \(String(cString: strerror(errno)))") }
        return path
    }

    /// The lines of a text file, [] while it does not exist.
    func lines(of path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// How many of `keys` exist on the server on `port` (multi-key EXISTS, in batches).
    func countExisting(_ keys: [String], port: Int) throws -> Int {
        let connection = try RedisConnection(port: port, timeout: 30)
        var found = 0
        var start = 0
        while start < keys.count {
            let batch = Array(keys[start..<min(start + 1000, keys.count)])
            let reply = try connection.command(["EXISTS"] + batch)
            guard let count = reply.integerValue else { throw IntegrationError("EXISTS replied \(reply.debugText)") }
            found += Int(count)
            start += batch.count
        }
        return found
    }
}

extension RedisConnection {
    /// Sends a command given as an array and returns its reply.
    @discardableResult
    func command(_ arguments: [String]) throws -> RESPValue {
        try send(arguments)
        return try readReply()
    }
}
