/// How an instance's host from outside is accepted — a `monitor`, `known-replica` or
/// `known-sentinel` line, `SENTINEL MONITOR`, a peer's hello, a replica listed in a master's
/// INFO — following Redis's `createSentinelAddr`.
///
/// With `resolve-hostnames no` the host must be an IP literal. With `resolve-hostnames yes` it
/// may also be a host name; Redis then resolves it on the spot and refuses a name that does not
/// resolve, while here resolution happens later in the shell, so a name is refused only when it
/// cannot be one (`isHostname`). Either way nothing that would break a reply, a log line or a
/// rewritten configuration line (spaces, quotes, control characters) is ever stored.
enum InstanceAddress {
    /// The longest host name accepted (RFC 1035's limit for a name in text form).
    static let maximumHostnameLength = 253

    /// The host to store for `host`: the canonical spelling of an IP literal (or `host` itself
    /// when `announce-hostnames` makes Redis keep the name as given), a host name as given
    /// when names are allowed, else nil.
    static func acceptedHost(_ host: String, resolveHostnames: Bool, announceHostnames: Bool) -> String? {
        if let canonical = IPAddressLiteral.canonical(host) {
            return announceHostnames ? host : canonical
        }
        guard resolveHostnames, isHostname(host) else { return nil }
        return host
    }

    /// Whether `text` has the shape of a DNS host name: 1…253 characters, dot-separated labels
    /// of at most 63 letters, digits, `-` and `_`, no empty label (a final dot is allowed), no
    /// label starting with `-`.
    static func isHostname(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumHostnameLength else { return false }
        var labelLength = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "."):
                if labelLength == 0 { return false }
                labelLength = 0
            case UInt8(ascii: "-"):
                if labelLength == 0 { return false }
                labelLength += 1
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                labelLength += 1
            default:
                return false
            }
            if labelLength > 63 { return false }
        }
        return true
    }
}
