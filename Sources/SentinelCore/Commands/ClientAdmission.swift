extension Sentinel {
    /// Descriptors kept out of the clients' share of the open-files limit for the process's
    /// own files (listeners, epoll, log and configuration writes, links being reopened):
    /// Redis's `CONFIG_MIN_RESERVED_FDS`. At start-up the limit is raised to `maxclients` plus
    /// these, or `maxclients` is lowered to fit.
    public static let reservedFileDescriptors = 32

    /// What a connection refused for lack of room reads before it is closed (Redis's text,
    /// written raw whatever the protocol).
    public static let maximumClientsReply: [UInt8] = Array("-ERR max number of clients reached\r\n".utf8)

    /// `maxclients` in effect (INFO `maxclients`): the configured value, lowered as Redis
    /// lowers it to the open-files limit minus the reserved descriptors.
    var maximumClients: Int {
        guard let limit = environment.openFilesLimit else { return configuration.maxClients }
        return max(0, min(configuration.maxClients, limit - Sentinel.reservedFileDescriptors))
    }

    /// A client connected: beyond `maxclients` it reads `maximumClientsReply` and is closed
    /// (INFO `rejected_connections`, not `total_connections_received`), before any other
    /// check, as in Redis. Unlike Redis, the outgoing links count too: clients and links
    /// together stay within the open-files limit minus the reserve, so clients never take the
    /// descriptors that monitoring needs (with Redis's rule alone, links then fail to connect
    /// and healthy instances look down).
    mutating func admitClient(_ client: ClientID, remoteAddress: String, localAddress: String, at time: Timestamp,
                              turn: inout Turn) {
        guard clients.count < maximumClients, hasDescriptorForAnotherClient else {
            statistics.rejectedConnections += 1
            turn.append(.sendToClient(client, Sentinel.maximumClientsReply))
            closeClient(client, turn: &turn)
            return
        }
        var session = ClientSession(id: client, remoteAddress: remoteAddress, localAddress: localAddress, now: time)
        // As in Redis, a connection made while the default user needs no password is
        // authenticated as `default` for its whole life.
        if !userDirectory.authenticationRequired { session.user = "default" }
        clients[client] = session
        if configuration.protectedMode && !userDirectory.authenticationRequired && !Sentinel.isLoopback(remoteAddress) {
            replyError(to: client, Sentinel.protectedModeMessage, turn: &turn)
            closeClient(client, turn: &turn)
        }
        statistics.totalConnectionsReceived += 1
    }

    /// Whether clients and open outgoing connections together leave room for one more client.
    private var hasDescriptorForAnotherClient: Bool {
        guard let limit = environment.openFilesLimit else { return true }
        return clients.count + connectionOwners.count < limit - Sentinel.reservedFileDescriptors
    }
}
