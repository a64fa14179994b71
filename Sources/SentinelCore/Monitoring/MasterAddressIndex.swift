/// The masters by address, for `SENTINEL IS-MASTER-DOWN-BY-ADDR`, which names a master only by
/// its address (§6): while masters are down, every peer asks about each of them every second,
/// and a sentinel with thousands of masters must not search them all for each question.
///
/// Hosts are compared as `Sentinel.sameHost` compares two IP literals or two names, ignoring
/// ASCII case. The masters at one address (names that share a server) are kept in the order
/// they were added, which is `masterOrder`'s: instance ids grow with every entry added.
struct MasterAddressIndex: Sendable {
    private struct Key: Hashable {
        var host: String
        var port: Int

        init(_ address: HostPort) {
            host = address.host.lowercased()
            port = address.port
        }
    }

    private var mastersByAddress: [Key: [InstanceID]] = [:]
    /// Masters whose host is a name, not an IP literal: `sameHost` may match them to an IP
    /// through the resolver, so a lookup cannot rely on this index while there are any.
    private(set) var hostnameCount = 0

    mutating func insert(_ id: InstanceID, at address: HostPort) {
        let key = Key(address)
        var ids = mastersByAddress[key] ?? []
        let position = ids.firstIndex { $0.rawValue > id.rawValue } ?? ids.endIndex
        ids.insert(id, at: position)
        mastersByAddress[key] = ids
        if !IPAddressLiteral.isLiteral(address.host) { hostnameCount += 1 }
    }

    mutating func remove(_ id: InstanceID, at address: HostPort) {
        let key = Key(address)
        guard var ids = mastersByAddress[key], let position = ids.firstIndex(of: id) else { return }
        ids.remove(at: position)
        mastersByAddress[key] = ids.isEmpty ? nil : ids
        if !IPAddressLiteral.isLiteral(address.host) { hostnameCount -= 1 }
    }

    /// The masters at `address`, first added first.
    func masters(at address: HostPort) -> [InstanceID] {
        mastersByAddress[Key(address)] ?? []
    }
}

extension Sentinel {
    /// The first master, in `masterOrder`, at `host:port` as `sameHost` compares hosts. The
    /// index answers when the question names an IP literal and every master is monitored by
    /// its IP (the usual case); else the masters are searched.
    func masterID(atHost host: String, port: Int) -> InstanceID? {
        if masterAddresses.hostnameCount == 0 && IPAddressLiteral.isLiteral(host) {
            return masterAddresses.masters(at: HostPort(host: host, port: port)).first
        }
        return masterOrder.first { id in
            instances[id].map { $0.address.port == port && sameHost($0.address.host, host) } ?? false
        }
    }
}
