/// Fuzz target `sentinel`: a whole sentinel driven by arbitrary sequences of time, network
/// events, instance replies, peer hellos and client commands (`SentinelSteps`), with the
/// `SentinelWorld` invariants checked after every input and the final checks at the end.
///
/// The first byte picks the deployment (`FuzzConfigurations`: open, secured or with an ACL
/// file, by its low seven bits modulo 3; just started, or already running when its top bit
/// is set).
enum SentinelTarget {
    /// Steps per input at most (a 4 KiB input decodes to fewer).
    static let maximumSteps = 2000

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        var input = FuzzInput(bytes)
        let choice = Int(input.byte())
        let deployments = choice & 0x80 == 0 ? FuzzConfigurations.started : FuzzConfigurations.running
        var world = deployments[(choice & 0x7F) % deployments.count]
        var steps = 0
        while !input.isExhausted && !world.exited && steps < maximumSteps {
            try SentinelSteps.apply(&input, to: &world)
            steps += 1
        }
        try world.checkFinalState()
    }
}
