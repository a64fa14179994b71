/// The protocol version a peer speaks, chosen by `HELLO`; it decides how RESP3-only values
/// are written (see `RESPEncoder`).
public enum RESPVersion: Sendable, Hashable {
    /// RESP2, the default of every new connection.
    case resp2
    /// RESP3, after `HELLO 3`.
    case resp3
}
