import RESP
import SentinelCore

/// A TCP connection from a sentinel (client side) to a Redis instance or a peer sentinel.
final class SimulatedConnection {
    enum State { case connecting, open, dead, closed }
    let owner: Int
    let ownerIncarnation: Int
    let coreID: ConnectionID
    /// Endpoint index (sentinels first, then Redis instances).
    let target: Int
    /// The host it was opened to: an endpoint that has left that host before the connection
    /// is accepted (a sentinel that moved) does not answer it at its new address.
    let host: String
    var targetIncarnation = -1
    var state: State = .connecting
    var pendingOutput: [[[UInt8]]] = []
    var requestParser = RESPRequestParser()
    var replyParser = RESPReplyParser()
    var subscribed = false
    var inMulti = false
    var multiFailed = false
    var queued: [[[UInt8]]] = []
    var peerClient: ClientID?
    var forwardClock: Milliseconds = 0
    var backwardClock: Milliseconds = 0

    init(owner: Int, ownerIncarnation: Int, coreID: ConnectionID, target: Int, host: String, state: State = .connecting) {
        self.owner = owner
        self.ownerIncarnation = ownerIncarnation
        self.coreID = coreID
        self.target = target
        self.host = host
        self.state = state
    }
}
