import Foundation
import Glibc

/// One named network namespace (`ip netns add`), made and deleted by `PartitionNetwork`.
struct NetworkNamespace {
    let name: String

    /// setns(2) flag for a network namespace (`CLONE_NEWNET` in <sched.h>, which Swift's Glibc
    /// module does not export).
    private static let cloneNewNet: Int32 = 0x4000_0000

    /// `executable arguments` run inside this namespace: `ip netns exec` execs it, so the
    /// process started keeps its pid and is stopped by it.
    func command(_ executable: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        (PartitionNetwork.ipTool, ["netns", "exec", name, executable] + arguments)
    }

    /// A TCP socket that belongs to this namespace: created while the calling thread is inside
    /// it, after which the thread returns to its own namespace (a socket stays in the namespace
    /// it was created in). The test reaches a process in a namespace only this way, never from
    /// the machine's own network.
    func makeSocket() throws -> Int32 {
        typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "setns") else { throw IntegrationError("this libc has no setns") }
        let setNamespace = unsafeBitCast(symbol, to: SetNamespace.self)
        let own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard own >= 0 else { throw IntegrationError("open /proc/thread-self/ns/net: \(String(cString: strerror(errno)))") }
        defer { Glibc.close(own) }
        let target = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw IntegrationError("open /run/netns/\(name): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(target) }
        guard setNamespace(target, Self.cloneNewNet) == 0 else {
            throw IntegrationError("setns into \(name): \(String(cString: strerror(errno)))")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let socketError = errno
        guard setNamespace(own, Self.cloneNewNet) == 0 else {
            preconditionFailure("setns back from \(name) failed (\(String(cString: strerror(errno)))): this thread is stuck in it")
        }
        guard fd >= 0 else { throw IntegrationError("socket() in \(name): \(String(cString: strerror(socketError)))") }
        return fd
    }
}

/// Hosts on one private network: each host a network namespace with one veth into a bridge
/// that lives in a namespace of its own. The addresses (10.99.0.0/24) exist only inside the
/// namespaces. `cut` disables a host's bridge port — its link stays up, but nothing passes in
/// either direction, as when a switch drops the host — and `heal` enables it again.
final class PartitionNetwork {
    private(set) var hosts: [String: NetworkNamespace] = [:]
    private(set) var addresses: [String: String] = [:]
    private let bridge: NetworkNamespace

    static var ipTool: String { locate("ip") }
    static var bridgeTool: String { locate("bridge") }

    /// What the partition test needs from the machine, named in every failure to build the
    /// network: the test fails (never skips) where it cannot partition.
    static let requirement = "the partition test builds network namespaces: it needs root with CAP_SYS_ADMIN and CAP_NET_ADMIN (in a container: --privileged, or --cap-add SYS_ADMIN --cap-add NET_ADMIN) and iproute2 (`ip`, `bridge`; Scripts/test.sh installs it)"

    /// Fails with a clear message when namespaces cannot be made here: not root, no `ip` or
    /// `bridge` (iproute2), or `ip netns` not working.
    static func checkAvailable() throws {
        guard geteuid() == 0 else {
            throw IntegrationError("\(requirement); it runs as uid \(geteuid())")
        }
        for tool in [ipTool, bridgeTool] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw IntegrationError("\(requirement); \(tool) is missing")
        }
        let listed = try runToCompletion(ipTool, ["netns", "list"])
        guard listed.status == 0 else { throw IntegrationError("\(requirement); `ip netns list` fails: \(listed)") }
    }

    /// Makes the bridge namespace `<prefix>-bridge` and a namespace `<prefix>-<host>` for each
    /// host, with the addresses 10.99.0.1, .2, … in order; on failure deletes what it made.
    init(prefix: String, hosts hostNames: [String]) throws {
        bridge = NetworkNamespace(name: "\(prefix)-bridge")
        do {
            try Self.ip(["netns", "add", bridge.name])
            try Self.ip(["-n", bridge.name, "link", "set", "lo", "up"])
            try Self.ip(["-n", bridge.name, "link", "add", "br0", "type", "bridge"])
            try Self.ip(["-n", bridge.name, "link", "set", "br0", "up"])
            for (index, host) in hostNames.enumerated() {
                let namespace = NetworkNamespace(name: "\(prefix)-\(host)")
                try Self.ip(["netns", "add", namespace.name])
                hosts[host] = namespace
                let address = "10.99.0.\(index + 1)"
                addresses[host] = address
                try Self.ip(["-n", namespace.name, "link", "set", "lo", "up"])
                try Self.ip(["link", "add", "veth0", "netns", namespace.name, "type", "veth",
                             "peer", "name", Self.portName(host), "netns", bridge.name])
                try Self.ip(["-n", bridge.name, "link", "set", Self.portName(host), "master", "br0"])
                try Self.ip(["-n", bridge.name, "link", "set", Self.portName(host), "up"])
                try Self.ip(["-n", namespace.name, "addr", "add", address + "/24", "dev", "veth0"])
                try Self.ip(["-n", namespace.name, "link", "set", "veth0", "up"])
            }
        } catch {
            delete()
            throw IntegrationError("\(Self.requirement); building the network failed: \(error)")
        }
    }

    /// Disables `host`'s bridge port (STP port state 0, disabled): the host is cut off from the
    /// others.
    func cut(_ host: String) throws { try setPortState(host, "0") }

    /// Enables `host`'s bridge port again (STP port state 3, forwarding).
    func heal(_ host: String) throws { try setPortState(host, "3") }

    /// Deletes every namespace of the network (stop the processes in them first: a namespace
    /// lives on while a process is in it).
    func delete() {
        for namespace in Array(hosts.values) + [bridge] {
            _ = try? runToCompletion(Self.ipTool, ["netns", "delete", namespace.name])
        }
        hosts = [:]
    }

    private static func portName(_ host: String) -> String { "port-\(host)" }

    private func setPortState(_ host: String, _ state: String) throws {
        let result = try runToCompletion(Self.bridgeTool, ["-n", bridge.name, "link", "set", "dev", Self.portName(host), "state", state])
        guard result.status == 0 else { throw IntegrationError("bridge link set \(Self.portName(host)) state \(state): \(result)") }
    }

    private static func ip(_ arguments: [String]) throws {
        let result = try runToCompletion(ipTool, arguments)
        guard result.status == 0 else { throw IntegrationError("ip \(arguments.joined(separator: " ")): \(result)") }
    }

    /// `tool` on PATH, else in /usr/sbin or /sbin (where iproute2 puts it; not always on a
    /// test runner's PATH).
    private static func locate(_ tool: String) -> String {
        let onPath = IntegrationTestCase.findExecutable(tool)
        if FileManager.default.isExecutableFile(atPath: onPath) { return onPath }
        for directory in ["/usr/sbin", "/sbin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(tool)") {
            return "\(directory)/\(tool)"
        }
        return onPath
    }
}
