import RESP
import SentinelCore

/// Fuzz target `info`: an INFO reply's text, parsed alone, then given to a running sentinel as
/// the reply of one of its instances.
///
/// The first byte picks the instance (a master, one of its replicas, the other master); the
/// rest is the text. Checked: what `InfoReport` keeps is within the ranges it promises (ports,
/// durations, run ids), and the sentinel that reads it keeps every `SentinelWorld` invariant
/// through a few ticks of a healthy network afterwards, then passes the final checks
/// (its configuration loads, a restart keeps it).
enum InfoTarget {
    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        guard let control = bytes.first else { return }
        let text = Array(bytes.dropFirst())
        try checkReport(InfoReport.parse(bytes: text))

        var world = FuzzConfigurations.running[Int(control >> 7)]
        let infoAsked = world.connections.indices.filter { world.connections[$0].unanswered.contains { $0.first == "INFO" } }
        guard !infoAsked.isEmpty else { throw FuzzFailure("the running deployment has no INFO to answer") }
        let connection = world.connections[infoAsked[Int(control & 0x7F) % infoAsked.count]].id
        // The commands before the INFO get their healthy answers.
        while let index = world.connections.firstIndex(where: { $0.id == connection }) {
            if world.connections[index].unanswered.first?.first == "INFO" {
                try world.answer(index, with: .bulkString(text))
                break
            }
            guard world.isAnswerable(index) else { break }
            try world.answer(index)
        }
        for _ in 0..<3 {
            try world.tick(after: 100)
            try world.settle(localAddress: "10.0.0.100")
        }
        try world.checkFinalState()
    }

    static func checkReport(_ report: InfoReport) throws(FuzzFailure) {
        if let port = report.masterPort {
            try require((0...65535).contains(port), "INFO master_port read as \(port)")
        }
        for replica in report.replicas {
            try require((1...65535).contains(replica.port), "INFO replica port read as \(replica.port)")
        }
        try require(abs(report.masterLinkDownTime) <= InputLimits.maximumDuration, "master_link_down_since_seconds read as \(report.masterLinkDownTime) ms")
        if let runID = report.runID {
            try require(runID.utf8.count == 40, "INFO run_id read as '\(runID)'")
        }
        if let offset = report.replicationOffset {
            try require(offset >= 0, "slave_repl_offset read as \(offset)")
        }
    }
}
