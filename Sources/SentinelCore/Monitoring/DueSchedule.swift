/// When the periodic work (`runPeriodicWork`) must next look at each master, each instance
/// and each master's agreement/failover/forgetting step: a binary min-heap of masters by due
/// time (lazy deletion: an entry counts only while its time is the master's `masterDue`), and
/// per instance and per master step the earliest monotonic time at which a visit could do
/// anything. A tick visits only the due masters, in `masterOrder`, and inside them only the
/// due instances; a visit that finds nothing to do just reschedules, so being early is always
/// safe, being late is a bug (`Sentinel.visitsEveryInstance` and the simulator's schedule
/// check compare against visiting everything).
///
/// Due times are computed after each visit from the facts the visit reads
/// (`Sentinel.nextVisitTime(of:now:)`, `Sentinel.nextStepTime(of:now:)`). Facts that change
/// outside a visit are covered by the **wake-up rule**: every input that can make something due
/// earlier than scheduled marks it due now.
///
/// - A reply on a command connection wakes the instance it answers and its master's step
///   (a peer's answer on a master being down carries its vote; an epoch probe's and a
///   coordinated failover's replies move their state on). A hello's reply that is an error
///   wakes its instance: it ends the pending hello that kept the next one from being sent
///   and leaves the last publish time as it was, so the next hello is due at once. A valid PING reply wakes every user of its link when peers are forgotten
///   (`forget-after`: a peer becoming alive can raise the most sentinels seen alive under
///   every master it is listed in); otherwise a PING reply needs none (see below).
/// - An INFO reply wakes its instance's whole master: it records roles, replicas and offsets,
///   adds replicas and may advance the failover.
/// - A connection established or closed (by the peer or by us: `forgetConnection`) wakes every
///   user of the link: reconnecting, the periodic commands and the health checks read it.
/// - A hello (on a pub/sub connection or by `PUBLISH`) that adds, removes or re-addresses a
///   sentinel, or carries a newer configuration, wakes the whole master it names (added
///   entries are due anyway: an instance never scheduled is due). A hello that only refreshes
///   its sender's last hello needs no wake-up: only input handlers and forgetting (later) read it.
/// - `SENTINEL IS-MASTER-DOWN-BY-ADDR` wakes the master it asks about (a vote).
/// - Every other `SENTINEL` subcommand that is not a read-only query (SET, RESET, REMOVE,
///   MONITOR, FAILOVER, DEBUG, CONFIG SET, SIMULATE-FAILURE, FLUSHCONFIG, …) and a resolved
///   hostname wake everything: they change instances, timings and addresses anywhere.
/// - Adding an instance wakes its master (the new entry has no due time: it is due).
/// - TILT, and learning the epochs after a start without state: every tick visits everything
///   (their timings and gates are global), and the due times computed meanwhile are the next
///   tick, so the tick after either ends visits everything too.
/// - During a tick, a visit that closes a connection wakes the link's other users (same rule);
///   a master found active (SDOWN, ODOWN, failing over, failover state, peers' down reports or
///   votes held) has all its instances visited at every tick, so a change of its flags reaches
///   its replicas' INFO period in the same tick.
///
/// Inputs that can only make things due later need no wake-up: the old due time comes, the
/// visit finds nothing and reschedules. These are: a PING reply without forget-after (it
/// moves the reply times forward and ends the outstanding PING, which only postpones the next
/// PING, SDOWN and the close check; an SDOWN instance is due at every tick anyway; `-BUSY`
/// sends its SCRIPT KILL at once), a hello's successful reply while the ping period is shorter than
/// the publish period (the next hello is due a publish period later, while on a connected
/// link a PING is always due within a ping period, and that visit reschedules; on a link not
/// fully connected nothing is sent until a connection is established, which wakes it), the greeting's replies (AUTH, CLIENT SETNAME: read by
/// nothing but the pending count, and a link at its pending limit is due at every tick),
/// a configuration write's result, ACL file
/// results, scripts started or finished (the script queue is run at every tick), client
/// connections and read-only queries, a pub/sub greeting reply, a hello that changes nothing
/// but its sender's last hello, a new current epoch (read by periodic work only for active
/// masters, visited every tick).
struct DueSchedule {
    /// One heap entry: the master is due at `time` if that is still its `masterDue`.
    private struct Entry {
        var time: Milliseconds
        var master: InstanceID
    }

    private var heap: [Entry] = []
    /// The time of each master's valid heap entry; absent while the master is not scheduled.
    private var masterDue: [InstanceID: Milliseconds] = [:]
    /// When each instance's visit could next do anything; absent means due.
    private var instanceDue: [InstanceID: Milliseconds] = [:]
    /// When each master's agreement/failover/forgetting step could next do anything; absent
    /// means due.
    private var stepDue: [InstanceID: Milliseconds] = [:]
    /// Masters woken whole (every instance and the step) since their last visit.
    private var wokenMasters: Set<InstanceID> = []
    /// Set when every master must be visited at the next tick (at start, and by inputs that
    /// change global timings or many instances).
    var everythingDue = true

    /// How many instance visits the ticks made (tests count them instead of timing).
    private(set) var instanceVisits = 0

    func isInstanceDue(_ id: InstanceID, now: Milliseconds) -> Bool {
        (instanceDue[id] ?? .min) <= now
    }

    /// When an instance's visit could next do anything (the smallest time when never computed).
    func instanceDueTime(_ id: InstanceID) -> Milliseconds {
        instanceDue[id] ?? .min
    }

    func isStepDue(_ master: InstanceID, now: Milliseconds) -> Bool {
        (stepDue[master] ?? .min) <= now
    }

    /// When a master's step could next do anything (the smallest time when never computed).
    func stepDueTime(_ master: InstanceID) -> Milliseconds {
        stepDue[master] ?? .min
    }

    /// Whether the master was woken whole since its last visit.
    func isWokenWhole(_ master: InstanceID) -> Bool {
        wokenMasters.contains(master)
    }

    /// Whether the master was woken whole since its last visit; clears it.
    mutating func takeWholeMasterWake(_ master: InstanceID) -> Bool {
        wokenMasters.remove(master) != nil
    }

    mutating func countVisit() { instanceVisits += 1 }

    /// Marks one instance, and with `step` its master's step, due at `time`.
    mutating func wake(instance id: InstanceID, master: InstanceID, step: Bool = true, at time: Milliseconds) {
        if (instanceDue[id] ?? .min) > time { instanceDue[id] = time }
        if step && (stepDue[master] ?? .min) > time { stepDue[master] = time }
        schedule(master, at: time)
    }

    /// Marks a master, all its instances and its step due at `time`.
    mutating func wake(wholeMaster master: InstanceID, at time: Milliseconds) {
        wokenMasters.insert(master)
        schedule(master, at: time)
    }

    /// Marks everything due at the next tick.
    mutating func wakeEverything() {
        everythingDue = true
    }

    /// Records when an instance's visit could next do anything.
    mutating func setInstanceDue(_ id: InstanceID, _ time: Milliseconds) {
        instanceDue[id] = time
    }

    mutating func setStepDue(_ master: InstanceID, _ time: Milliseconds) {
        stepDue[master] = time
    }

    /// Forgets a removed instance (and, for a master, its step).
    mutating func remove(_ id: InstanceID) {
        instanceDue[id] = nil
        stepDue[id] = nil
        masterDue[id] = nil
        wokenMasters.remove(id)
    }

    /// Puts a master in the heap at `time` unless it is already due no later.
    mutating func schedule(_ master: InstanceID, at time: Milliseconds) {
        if let due = masterDue[master], due <= time { return }
        masterDue[master] = time
        push(Entry(time: time, master: master))
        if heap.count > 4 * masterDue.count + 1024 { compact() }
    }

    /// Removes and returns every master due at `now` or before (each once, unscheduled until
    /// its visit schedules it again).
    mutating func popDueMasters(upTo now: Milliseconds) -> [InstanceID] {
        var due: [InstanceID] = []
        while let top = heap.first, top.time <= now {
            popFirst()
            guard masterDue[top.master] == top.time else { continue }
            masterDue[top.master] = nil
            due.append(top.master)
        }
        return due
    }

    /// Forgets every heap entry (before a tick that visits and reschedules everything).
    mutating func clearMasters() {
        heap.removeAll(keepingCapacity: true)
        masterDue.removeAll(keepingCapacity: true)
        wokenMasters.removeAll()
        everythingDue = false
    }

    // MARK: The heap

    private static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        a.time != b.time ? a.time < b.time : a.master.rawValue < b.master.rawValue
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popFirst() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(from: 0)
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count && Self.precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard Self.precedes(heap[smallest], heap[parent]) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }

    /// Drops the stale entries: one entry per scheduled master, rebuilt bottom-up.
    private mutating func compact() {
        heap = masterDue.map { Entry(time: $0.value, master: $0.key) }
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(from: index)
        }
    }
}
