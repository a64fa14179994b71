extension Sentinel {
    /// The SLAVEOF transaction (§8.6), exactly in this order, replies ignored:
    /// MULTI, SLAVEOF host port (or NO ONE), CONFIG REWRITE, CLIENT KILL TYPE normal,
    /// CLIENT KILL TYPE pubsub, EXEC. Command names go through the rename table.
    @discardableResult
    mutating func sendReplicaOf(_ instanceID: InstanceID, target: HostPort?, turn: inout Turn) -> Bool {
        guard let instance = instances[instanceID], let link = links[instance.link], link.commandConnected else { return false }
        let replicaOf = target.map { ["SLAVEOF", announcedHost($0), String($0.port)] } ?? ["SLAVEOF", "NO", "ONE"]
        for arguments in [["MULTI"], replicaOf, ["CONFIG", "REWRITE"], ["CLIENT", "KILL", "TYPE", "normal"], ["CLIENT", "KILL", "TYPE", "pubsub"], ["EXEC"]] {
            sendCommand(arguments, to: instanceID, expecting: .ignored, turn: &turn)
        }
        return true
    }
}
