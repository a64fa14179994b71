import RESP
import SentinelCore

/// Something that happens at one simulated moment.
enum SimulationEvent {
    case tick(sentinel: Int, incarnation: Int)
    /// An input for a sentinel core (persist results, inputs held while it was paused).
    case sentinelInput(sentinel: Int, incarnation: Int, SentinelInput)
    /// A connection attempt reaches its target.
    case accept(connection: Int)
    /// The connecting side learns that its connection is established.
    case established(connection: Int)
    /// A command reaches the server side of a connection.
    case request(connection: Int, [[UInt8]])
    /// A reply or push reaches the client side of a connection.
    case reply(connection: Int, RESPValue)
    /// The client side learns that its connection broke (RST, refusal, timeout).
    case clientSideClosed(connection: Int, reason: String)
    /// The server side (a sentinel) learns that the client closed.
    case serverSideClosed(connection: Int)
    case faultStart(Int)
    case faultEnd(Int)
    case quietStart
    case redisCron
    case restartSentinel(Int)
    case agreementSample
}

/// A min-heap of events ordered by (time, sequence number): one history, one order.
struct EventQueue {
    private var heap: [(time: Milliseconds, sequence: UInt64, event: SimulationEvent)] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(_ event: SimulationEvent, at time: Milliseconds) {
        heap.append((time, nextSequence, event))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if less(child, parent) { heap.swapAt(child, parent); child = parent } else { break }
        }
    }

    mutating func pop() -> (time: Milliseconds, event: SimulationEvent)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && less(left, smallest) { smallest = left }
            if right < heap.count && less(right, smallest) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return (top.time, top.event)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        heap[a].time != heap[b].time ? heap[a].time < heap[b].time : heap[a].sequence < heap[b].sequence
    }
}
