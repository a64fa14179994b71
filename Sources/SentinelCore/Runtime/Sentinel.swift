import RESP

/// The whole sentinel as a pure state machine: inputs (with the time they happened) in,
/// effects out. No IO, no clock, no globals; randomness comes from the injected generator.
public struct Sentinel {
    public private(set) var configuration: SentinelConfiguration
    public let environment: SentinelEnvironment
    var random: SplitMix64

    public init(configuration: SentinelConfiguration, originalConfigurationText: String, environment: SentinelEnvironment, randomSeed: UInt64) {
        self.configuration = configuration
        self.environment = environment
        self.random = SplitMix64(seed: randomSeed)
    }

    /// Called once before the first input: generates and persists `myid` if needed, logs the
    /// start-up lines and schedules the first tick.
    public mutating func start(at time: Timestamp, effects: inout [SentinelEffect]) {
        effects.append(.scheduleTick(afterMilliseconds: 100))
    }

    /// Feeds one input to the core and appends what must happen to `effects`.
    public mutating func handle(_ input: SentinelInput, at time: Timestamp, effects: inout [SentinelEffect]) {
        switch input {
        case .tick:
            effects.append(.scheduleTick(afterMilliseconds: 100))
        default:
            break
        }
    }
}
