/// The hello message sentinels publish on `__sentinel__:hello` (SENTINEL-PROTOCOL.md §4):
/// eight comma-separated fields, no spaces —
/// `ip,port,runid,current_epoch,master_name,master_ip,master_port,master_config_epoch`.
public struct HelloMessage: Sendable, Equatable {
    /// The pub/sub channel of hellos.
    public static let channel = "__sentinel__:hello"

    public var sentinelAddress: HostPort
    public var sentinelRunID: String
    public var currentEpoch: UInt64
    public var masterName: String
    public var masterAddress: HostPort
    public var masterConfigEpoch: UInt64

    public init(sentinelAddress: HostPort, sentinelRunID: String, currentEpoch: UInt64, masterName: String, masterAddress: HostPort, masterConfigEpoch: UInt64) {
        self.sentinelAddress = sentinelAddress
        self.sentinelRunID = sentinelRunID
        self.currentEpoch = currentEpoch
        self.masterName = masterName
        self.masterAddress = masterAddress
        self.masterConfigEpoch = masterConfigEpoch
    }

    /// The wire text.
    public var text: String {
        "\(sentinelAddress.host),\(sentinelAddress.port),\(sentinelRunID),\(currentEpoch),\(masterName),\(masterAddress.host),\(masterAddress.port),\(masterConfigEpoch)"
    }

    /// Parses a hello; nil unless it has exactly eight fields, ports within 1…65535, epochs
    /// within `InputLimits.maximumEpoch`, a well-formed run id (`RunIdentifier`) and a master
    /// name (a malformed peer message is ignored, never trusted). The hosts are checked where
    /// the hello is applied, which knows whether host names are allowed.
    public init?(parsing text: String) {
        self.init(parsing: Array(text.utf8))
    }

    /// Parses a hello from its bytes (they arrive a few times a second per master and peer).
    public init?(parsing bytes: [UInt8]) {
        var fields: [ArraySlice<UInt8>] = []
        fields.reserveCapacity(8)
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ",") {
            fields.append(bytes[start..<index])
            if fields.count > 8 { return nil }
            start = index + 1
        }
        func text(_ field: ArraySlice<UInt8>) -> String { String(decoding: field, as: UTF8.self) }
        guard fields.count == 8,
              let port = Int(text(fields[1])), port >= 1, port <= 65535,
              let epoch = UInt64(text(fields[3])), epoch <= InputLimits.maximumEpoch,
              let masterPort = Int(text(fields[6])), masterPort >= 1, masterPort <= 65535,
              let configEpoch = UInt64(text(fields[7])), configEpoch <= InputLimits.maximumEpoch,
              RunIdentifier.isValid(fields[2]), !fields[4].isEmpty else { return nil }
        self.init(
            sentinelAddress: HostPort(host: text(fields[0]), port: port),
            sentinelRunID: text(fields[2]),
            currentEpoch: epoch,
            masterName: text(fields[4]),
            masterAddress: HostPort(host: text(fields[5]), port: masterPort),
            masterConfigEpoch: configEpoch)
    }
}
