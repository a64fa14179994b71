/// The options of a sentinel whose disk or address may not survive a restart (a container
/// with a read-only configuration and an ephemeral disk, a pod that comes back with a new
/// IP): swift-sentinel's own `sentinel` directives. With none of them set, the sentinel
/// behaves as Redis's does.
public struct ContainerOptions: Sendable, Equatable {
    /// `sentinel state-config-file <path>` (the name of the open Redis PR #15422 and Valkey PR
    /// #4085): every state change is written to this file instead of the main configuration,
    /// which is never written then (it may be read-only). Made absolute by the shell at start.
    public var stateConfigFile: String?
    /// `sentinel forget-after-milliseconds <ms>`: a peer sentinel unreachable this
    /// long is forgotten (0, the default: never, as Redis). The majority of an election never
    /// drops below the most sentinels seen alive at once (`MasterConfiguration.votersSeen`).
    public var forgetAfterMilliseconds: Milliseconds = 0
    /// `sentinel myid-from-name <name>`: the run id is the SHA-1 of this name (what charts do
    /// by hand with `sha1(hostname)`), so a sentinel that lost its state comes back with the
    /// same identity.
    public var myIDName: String?

    public init() {}

    /// Whether any option is set: then a sentinel started without its state learns the
    /// current epoch from its peers before it votes (`StateLossLearning`).
    public var isEnabled: Bool {
        stateConfigFile != nil || forgetAfterMilliseconds > 0 || myIDName != nil
    }
}

extension Sentinel {
    /// The run id `sentinel myid-from-name <name>` gives: the SHA-1 of the name, 40 lowercase
    /// hex digits. Caveat: two sentinels given the same name share one identity, and every
    /// peer then counts them as one voter — the name must be unique in the fleet (a pod's
    /// stable hostname in a StatefulSet, not a Deployment's generated one).
    public static func runID(derivedFrom name: String) -> String {
        SHA1.hexDigest(Array(name.utf8))
    }
}
