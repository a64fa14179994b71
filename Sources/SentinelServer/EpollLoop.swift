import CSystem
import Glibc

/// Interest in readiness of a file descriptor.
public struct IOEvents: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let readable = IOEvents(rawValue: 1)
    public static let writable = IOEvents(rawValue: 2)
}

/// Callbacks for one registered file descriptor. Each is optional; an event with no callback is
/// ignored (error/hang-up with no `onErrorOrHangup` falls back to `onReadable`, where a read
/// reports the error or EOF).
public struct IOHandler {
    public var onReadable: (() -> Void)?
    public var onWritable: (() -> Void)?
    public var onErrorOrHangup: (() -> Void)?

    public init(onReadable: (() -> Void)? = nil, onWritable: (() -> Void)? = nil, onErrorOrHangup: (() -> Void)? = nil) {
        self.onReadable = onReadable
        self.onWritable = onWritable
        self.onErrorOrHangup = onErrorOrHangup
    }
}

/// A registration on an `EpollLoop`. Ids are never reused, so an event for a registration
/// removed earlier in the same epoll batch is dropped even if its fd number was reused.
public struct IORegistration: Hashable, Sendable {
    public let id: UInt64
    public let fd: Int32
}

/// A timer on an `EpollLoop`; pass it to `cancelTimer` to cancel.
public struct TimerID: Hashable, Sendable {
    public let rawValue: UInt64
}

/// A single-threaded, level-triggered epoll event loop (like Redis's `ae`).
///
/// Timers are kept in a min-heap and served by one one-shot `timerfd`, re-armed to the earliest
/// deadline after every change. Callbacks run on the thread that calls `run`; the loop is not
/// `Sendable` and must stay on that thread.
public final class EpollLoop {
    private struct Entry {
        let fd: Int32
        var handler: IOHandler
        var events: IOEvents
    }

    private struct PendingTimer {
        let deadline: Int64
        let id: UInt64
    }

    private let epollFD: Int32
    private let timerFD: Int32
    private var entries: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 1
    private var stopped = false
    private var eventBuffer: [epoll_event]

    private var timerCallbacks: [UInt64: () -> Void] = [:]
    private var timerHeap: [PendingTimer] = []
    private var armedDeadline: Int64? = nil
    private static let timerToken: UInt64 = 0

    /// A scratch buffer shared by all readers on this loop (single-threaded, so one suffices).
    /// Its contents are valid only until the reader's callback returns.
    let readBuffer: UnsafeMutableRawBufferPointer

    /// Creates the epoll instance and its timerfd (both close-on-exec).
    public init(maxEventsPerWait: Int = 256, readBufferSize: Int = 16 * 1024) throws {
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        if epollFD < 0 { throw SystemError("epoll_create1", code: csystem_errno()) }
        let timerFD = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        if timerFD < 0 {
            let code = csystem_errno()
            Glibc.close(epollFD)
            throw SystemError("timerfd_create", code: code)
        }
        var event = csystem_epoll_event(csystem_epollin(), EpollLoop.timerToken)
        if epoll_ctl(epollFD, EPOLL_CTL_ADD, timerFD, &event) != 0 {
            let code = csystem_errno()
            Glibc.close(timerFD)
            Glibc.close(epollFD)
            throw SystemError("epoll_ctl(timerfd)", code: code)
        }
        self.epollFD = epollFD
        self.timerFD = timerFD
        self.eventBuffer = [epoll_event](repeating: epoll_event(), count: max(1, maxEventsPerWait))
        self.readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1024, readBufferSize), alignment: 16)
    }

    deinit {
        Glibc.close(timerFD)
        Glibc.close(epollFD)
        readBuffer.deallocate()
    }

    // MARK: - File descriptors

    /// Watches `fd` for `events`. The loop does not own `fd`: unregister it before closing it.
    public func register(fd: Int32, events: IOEvents, handler: IOHandler) throws -> IORegistration {
        let id = nextID
        nextID += 1
        var event = csystem_epoll_event(Self.mask(events), id)
        if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) != 0 {
            throw SystemError("epoll_ctl(ADD, fd \(fd))", code: csystem_errno())
        }
        entries[id] = Entry(fd: fd, handler: handler, events: events)
        return IORegistration(id: id, fd: fd)
    }

    /// Changes the events a registration waits for. No-op when unchanged or unregistered.
    public func modify(_ registration: IORegistration, events: IOEvents) throws {
        guard var entry = entries[registration.id], entry.events != events else { return }
        var event = csystem_epoll_event(Self.mask(events), registration.id)
        if epoll_ctl(epollFD, EPOLL_CTL_MOD, entry.fd, &event) != 0 {
            throw SystemError("epoll_ctl(MOD, fd \(entry.fd))", code: csystem_errno())
        }
        entry.events = events
        entries[registration.id] = entry
    }

    /// Replaces a registration's callbacks.
    public func setHandler(_ registration: IORegistration, _ handler: IOHandler) {
        entries[registration.id]?.handler = handler
    }

    /// The events a registration waits for (nil once unregistered).
    public func events(of registration: IORegistration) -> IOEvents? {
        entries[registration.id]?.events
    }

    /// Stops watching; pending events of this registration in the current batch are dropped.
    /// Safe to call twice and from inside any callback.
    public func unregister(_ registration: IORegistration) {
        guard let entry = entries.removeValue(forKey: registration.id) else { return }
        var event = csystem_epoll_event(0, 0)
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, entry.fd, &event)
    }

    /// Number of live registrations (timerfd excluded).
    public var registrationCount: Int { entries.count }

    private static func mask(_ events: IOEvents) -> UInt32 {
        var mask: UInt32 = 0
        if events.contains(.readable) { mask |= csystem_epollin() }
        if events.contains(.writable) { mask |= csystem_epollout() }
        return mask
    }

    // MARK: - Timers

    /// Calls `callback` once, no earlier than `afterMilliseconds` from now (monotonic).
    /// A delay of 0 runs it on the next loop iteration, never synchronously.
    @discardableResult
    public func scheduleTimer(afterMilliseconds delay: Int64, _ callback: @escaping () -> Void) -> TimerID {
        let id = nextID
        nextID += 1
        timerCallbacks[id] = callback
        heapPush(PendingTimer(deadline: MonotonicClock.now() + max(0, delay), id: id))
        rearmTimer()
        return TimerID(rawValue: id)
    }

    /// Cancels a timer that has not fired; no-op otherwise.
    public func cancelTimer(_ timer: TimerID) {
        guard timerCallbacks.removeValue(forKey: timer.rawValue) != nil else { return }
        if timerHeap.count > 64 && timerHeap.count > 2 * timerCallbacks.count {
            // Drop cancelled entries so the heap does not grow without bound.
            timerHeap = timerHeap.filter { timerCallbacks[$0.id] != nil }
            heapify()
        }
        rearmTimer()
    }

    /// Number of timers scheduled and not yet fired or cancelled.
    public var pendingTimerCount: Int { timerCallbacks.count }

    private func rearmTimer() {
        while let top = timerHeap.first, timerCallbacks[top.id] == nil { _ = heapPop() }
        let deadline = timerHeap.first?.deadline
        guard deadline != armedDeadline else { return }
        armedDeadline = deadline
        var spec = itimerspec()
        if let deadline {
            // Absolute deadline; never all-zero (that would disarm the timer).
            let target = max(deadline, 0)
            spec.it_value.tv_sec = Int(target / 1000)
            spec.it_value.tv_nsec = Int(target % 1000) * 1_000_000
            if spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0 { spec.it_value.tv_nsec = 1 }
        }
        _ = timerfd_settime(timerFD, Int32(TFD_TIMER_ABSTIME), &spec, nil)
    }

    private func fireDueTimers() {
        var expirations: UInt64 = 0
        _ = read(timerFD, &expirations, MemoryLayout<UInt64>.size)
        armedDeadline = nil
        let now = MonotonicClock.now()
        var due: [() -> Void] = []
        while let top = timerHeap.first, top.deadline <= now {
            _ = heapPop()
            if let callback = timerCallbacks.removeValue(forKey: top.id) { due.append(callback) }
        }
        rearmTimer()
        for callback in due { callback() }
    }

    private func heapPush(_ timer: PendingTimer) {
        timerHeap.append(timer)
        var child = timerHeap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if less(timerHeap[child], timerHeap[parent]) {
                timerHeap.swapAt(child, parent)
                child = parent
            } else { break }
        }
    }

    private func heapPop() -> PendingTimer? {
        guard !timerHeap.isEmpty else { return nil }
        timerHeap.swapAt(0, timerHeap.count - 1)
        let top = timerHeap.removeLast()
        siftDown(0)
        return top
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < timerHeap.count && less(timerHeap[left], timerHeap[smallest]) { smallest = left }
            if right < timerHeap.count && less(timerHeap[right], timerHeap[smallest]) { smallest = right }
            if smallest == parent { return }
            timerHeap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private func heapify() {
        var index = timerHeap.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private func less(_ a: PendingTimer, _ b: PendingTimer) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.id < b.id
    }

    // MARK: - Running

    /// Runs until `stop()` is called (from a callback).
    public func run() throws {
        stopped = false
        while !stopped {
            try runOnce(timeoutMilliseconds: -1)
        }
    }

    /// Makes `run()` return after the current callback and batch.
    public func stop() {
        stopped = true
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever, 0: poll) for one batch of events and
    /// dispatches it. Returns the number of events received.
    @discardableResult
    public func runOnce(timeoutMilliseconds: Int32) throws -> Int {
        let count = eventBuffer.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds)
        }
        if count < 0 {
            let code = csystem_errno()
            if code == EINTR { return 0 }
            throw SystemError("epoll_wait", code: code)
        }
        let errorMask = csystem_epollerr() | csystem_epollhup()
        for index in 0..<Int(count) {
            let (mask, token) = eventBuffer.withUnsafeBufferPointer { buffer in
                (csystem_epoll_event_events(buffer.baseAddress! + index), csystem_epoll_event_data(buffer.baseAddress! + index))
            }
            if token == Self.timerToken {
                fireDueTimers()
                continue
            }
            dispatch(token: token, mask: mask, errorMask: errorMask)
        }
        return Int(count)
    }

    private func dispatch(token: UInt64, mask: UInt32, errorMask: UInt32) {
        // Each callback may unregister this or any other registration: look it up again
        // before every call.
        if mask & errorMask != 0, let handler = entries[token]?.handler, let onError = handler.onErrorOrHangup {
            onError()
            return
        }
        if mask & (csystem_epollin() | errorMask) != 0, let onReadable = entries[token]?.handler.onReadable {
            onReadable()
        }
        if mask & (csystem_epollout() | errorMask) != 0, let entry = entries[token], entry.events.contains(.writable),
           let onWritable = entry.handler.onWritable {
            onWritable()
        }
    }

    /// Runs the loop until `condition()` holds or `timeoutMilliseconds` pass. Returns whether the
    /// condition held. Meant for tests and startup/shutdown sequences, not for the main loop.
    @discardableResult
    public func run(until condition: () -> Bool, timeoutMilliseconds: Int64) throws -> Bool {
        let deadline = MonotonicClock.now() + timeoutMilliseconds
        while !condition() {
            let remaining = deadline - MonotonicClock.now()
            if remaining <= 0 { return false }
            try runOnce(timeoutMilliseconds: Int32(min(remaining, 100)))
        }
        return true
    }
}
