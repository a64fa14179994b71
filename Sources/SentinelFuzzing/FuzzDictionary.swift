/// Values that reach the edges of the code they enter, for the structure-aware targets to pick
/// from: the limits of every integer width Redis and Swift use, addresses valid and not, the
/// names and run ids of the fuzzed deployment, and texts that break framing (CR, LF, spaces,
/// quotes) — the cases of issue 15 and of Redis's and hiredis's CVEs.
enum FuzzDictionary {
    /// Numbers as text: small, limits of 16/32/64 bits signed and unsigned and one past them,
    /// values whose `* 1000` or `+` overflows, and things that are almost numbers.
    static let numbers: [String] = [
        "0", "1", "-1", "2", "3", "10", "100", "1000", "1001", "5000", "10000", "30000", "60000",
        "180000", "65535", "65536", "-65536", "2147483647", "2147483648", "-2147483648",
        "-2147483649", "4294967295", "4294967296", "9223372036854775", "9223372036854776",
        "922337203685477580", "922337203685477581", "9223372036854775806", "9223372036854775807",
        "9223372036854775808", "-9223372036854775807", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "99999999999999999999999999", "1000000000000000", "1000000000000001", "00", "007",
        "+1", "-0", "0x10", "1e3", "1.5", " 1", "1 ", "", "abc", "-", "9" + String(repeating: "9", count: 40),
    ]

    /// The numbers as 64-bit values, for fields a target fills directly.
    static let integers: [Int64] = [
        0, 1, -1, 2, 100, 1000, 65535, 65536, Int64(Int32.max), Int64(Int32.max) + 1,
        Int64(UInt32.max), 1_000_000_000_000_000, 1_000_000_000_000_001,
        922_337_203_685_477_581, Int64.max / 1000 + 1, Int64.max - 1, Int64.max, Int64.min,
    ]

    /// Epochs as text, around the largest ones a peer may send.
    static let epochs: [String] = [
        "0", "1", "2", "3", "10", "4294967296", "9223372036854775805", "9223372036854775806",
        "9223372036854775807", "9223372036854775808", "18446744073709551614",
        "18446744073709551615", "18446744073709551616", "-1", "", "x",
    ]

    /// Hosts: the deployment's own addresses first, then other literals, names, and texts
    /// that are not addresses at all.
    static let hosts: [String] = [
        "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.1", "10.0.1.2", "10.0.0.10", "10.0.0.11",
        "10.0.0.12", "127.0.0.1", "::1", "fe80::1", "::ffff:10.0.0.1", "0.0.0.0",
        "255.255.255.255", "10.1", "010.0.0.1", "0x0a.0.0.1", "1.2.3.4.5", "::", "fe80::1%eth0",
        "host.example", "localhost", "?", "", " ", "evil host", "a\r\nb", "\"quoted\"",
        "10.0.0.1,6379", "10.0.0.1:6379", "[::1]", String(repeating: "a", count: 300),
    ]

    /// Ports as text.
    static let ports: [String] = [
        "6379", "6380", "6381", "26379", "26380", "0", "1", "-1", "65535", "65536", "99999",
        "4294967297", "9223372036854775807", "", "x", "06379", "+6379", " 6379",
    ]

    /// Run ids: the fuzzed sentinel's own, its known peers', others of the right shape, and
    /// wrong shapes.
    static let runIDs: [String] = [
        FuzzConfigurations.ownRunID, FuzzConfigurations.peerRunIDs[0], FuzzConfigurations.peerRunIDs[1],
        String(repeating: "c", count: 40), String(repeating: "d", count: 40),
        "0123456789abcdef0123456789abcdef01234567", "*", "", "x",
        String(repeating: "e", count: 39), String(repeating: "f", count: 41),
        String(repeating: "G", count: 40), String(repeating: "a", count: 39) + " ",
    ]

    /// Master names: the monitored ones first, then new and hostile ones.
    static let masterNames: [String] = [
        "alpha", "beta", "gamma", "ALPHA", "", " ", "a b", "a\r\nb", "*", "alpha*", "\"", "mymaster",
        String(repeating: "n", count: 200),
    ]

    /// Glob patterns (`SENTINEL RESET`, `PSUBSCRIBE`), including CVE-2022-36021's shape.
    static let patterns: [String] = [
        "*", "alpha", "a*", "*a*a*a*a*a*a*a*a*a*a*b", "[a-z]*", "\\*", "?", "[", "[^a]*", "",
        String(repeating: "*", count: 100),
    ]

    /// Pub/sub channels.
    static let channels: [String] = [
        "__sentinel__:hello", "+sdown", "+odown", "+switch-master", "+monitor", "x", "",
    ]

    /// Free texts for passwords, script paths, names and messages.
    static let texts: [String] = [
        "", "x", "secret", "adminpass", "peerpass", "masterpass", "/bin/true", "/nonexistent",
        "a b", "a\r\nb", "\r", "\n", "\u{0}", "é", "\u{FEFF}", "\"'\\", String(repeating: "x", count: 1000),
    ]

    /// `SENTINEL SET` options.
    static let masterOptions: [String] = [
        "down-after-milliseconds", "failover-timeout", "parallel-syncs", "quorum",
        "notification-script", "client-reconfig-script", "auth-pass", "auth-user",
        "rename-command", "master-reboot-down-after-period", "bogus", "",
    ]

    /// `SENTINEL CONFIG SET/GET` parameters.
    static let configParameters: [String] = [
        "resolve-hostnames", "announce-hostnames", "announce-ip", "announce-port", "sentinel-user",
        "sentinel-pass", "loglevel", "*", "bogus",
    ]

    /// `SENTINEL DEBUG` parameters.
    static let debugParameters: [String] = [
        "info-period", "ping-period", "ask-period", "publish-period", "default-down-after",
        "default-failover-timeout", "tilt-trigger", "tilt-period", "slave-reconf-timeout",
        "min-link-reconnect-period", "election-timeout", "script-max-runtime", "script-retry-delay",
        "bogus",
    ]

    /// Milliseconds between two timer ticks of a running sentinel (no TILT).
    static let timerSteps: [Int64] = [0, 1, 10, 52, 100, 101, 250, 500, 999, 1000, 1001, 1500]

    /// Milliseconds the fuzzed clock may advance by at once.
    static let timeSteps: [Int64] = [
        0, 1, 10, 52, 100, 101, 250, 500, 999, 1000, 1001, 1500, 2000, 2001, 3000, 5000, 6000,
        10_000, 12_001, 15_000, 20_000, 30_000, 60_000, 180_000, 600_000, 3_600_000, 86_400_000,
        1 << 32, 1 << 40,
    ]
}
