import RESP

/// What the core knows about one client of the sentinel port.
struct ClientSession: Sendable {
    let id: ClientID
    let remoteAddress: String
    let localAddress: String
    let createdAt: Timestamp
    var lastCommandTime: Milliseconds
    /// `CLIENT SETNAME`.
    var name: String?
    /// `CLIENT SETINFO lib-name` / `lib-ver`.
    var libraryName: String?
    var libraryVersion: String?
    /// RESP2 until `HELLO 3`.
    var protocolVersion: RESPVersion = .resp2
    /// The user this client is authenticated as (nil while authentication is required).
    var user: String?
    /// Channels and patterns subscribed to, in subscription order.
    var channels = InsertionOrderedSet<String>()
    var patterns = InsertionOrderedSet<String>()
    /// `CLIENT REPLY`.
    var replyMode: ReplyMode = .on
    /// The last command's name (CLIENT LIST `cmd=`).
    var lastCommand = "NULL"
    /// Closed by the core (`CLIENT KILL`, a revoked user, …): it is closed once its replies
    /// are written, and commands it sent meanwhile are not run.
    var closing = false

    init(id: ClientID, remoteAddress: String, localAddress: String, now: Timestamp) {
        self.id = id
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.createdAt = now
        self.lastCommandTime = now.monotonic
    }

    enum ReplyMode: Sendable { case on, off, skipNext }

    var subscriptionCount: Int { channels.count + patterns.count }

    /// One `CLIENT LIST` / `CLIENT INFO` line, fields as Redis 7.0 prints them.
    func listLine(now: Milliseconds) -> String {
        let age = (now - createdAt.monotonic) / 1000
        let idle = (now - lastCommandTime) / 1000
        let flags = subscriptionCount > 0 ? "P" : "N"
        return "id=\(id) addr=\(remoteAddress) laddr=\(localAddress) fd=-1 name=\(name ?? "") age=\(age) idle=\(idle) flags=\(flags) db=0 sub=\(channels.count) psub=\(patterns.count) ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=\(lastCommand) user=\(user ?? "default") redir=-1 resp=\(protocolVersion == .resp3 ? 3 : 2)"
    }
}
