import FichierAPI
@testable import FichierRPC
import Testing

@Suite("Progress throttling and schedulers")
struct SchedulingTests {
    let ms: UInt64 = 1_000_000

    @Test func progressIsThrottledButKeepsFirstPhaseAndFinal() {
        var state = ProgressState()
        let interval = 250 * ms
        var now: UInt64 = 1_000 * ms
        let value1 = state.report(phase: "uploading", bytesDone: 0, bytesTotal: 1000, attempt: 1, now: now, minIntervalNs: interval)
        #expect(value1)
        _ = state.emit(now: now)
        now += 10 * ms
        let value2 = state.report(phase: "uploading", bytesDone: 10, bytesTotal: 1000, attempt: 1, now: now, minIntervalNs: interval)
        #expect(!value2)
        #expect(state.unsent)
        now += 250 * ms
        let value3 = state.report(phase: "uploading", bytesDone: 500, bytesTotal: 1000, attempt: 1, now: now, minIntervalNs: interval)
        #expect(value3)
        var snapshot = state.emit(now: now)
        #expect(snapshot.bytesDone == 500)
        #expect(snapshot.rateBps != nil)
        now += 1 * ms
        // Lower counts are ignored within an attempt.
        _ = state.report(phase: "uploading", bytesDone: 100, bytesTotal: 1000, attempt: 1, now: now, minIntervalNs: interval)
        #expect(state.bytesDone == 500)
        // Reaching the total is always sent.
        now += 1 * ms
        let value4 = state.report(phase: "uploading", bytesDone: 1000, bytesTotal: 1000, attempt: 1, now: now, minIntervalNs: interval)
        #expect(value4)
        snapshot = state.emit(now: now)
        #expect(snapshot.bytesDone == 1000)
        #expect(snapshot.etaSeconds == 0)
        // A new attempt restarts the count and is sent at once.
        now += 1 * ms
        let value5 = state.report(phase: "uploading", bytesDone: 0, bytesTotal: 1000, attempt: 2, now: now, minIntervalNs: interval)
        #expect(value5)
        let value6 = state.emit(now: now)
        #expect(value6.bytesDone == 0)
    }

    @Test func rateIsAMovingAverageAndHeartbeatsDecayIt() {
        var state = ProgressState()
        var now: UInt64 = 0
        _ = state.report(phase: "uploading", bytesDone: 0, bytesTotal: nil, attempt: 1, now: now, minIntervalNs: 0)
        for step in 1...20 {
            now += 100 * ms
            _ = state.report(phase: "uploading", bytesDone: Int64(step) * 100_000, bytesTotal: nil, attempt: 1,
                             now: now, minIntervalNs: 0)
        }
        let steady = state.emit(now: now).rateBps ?? 0
        #expect(abs(steady - 1_000_000) < 1_000)
        let noTotal = state.emit(now: now)
        #expect(noTotal.etaSeconds == nil)  // no total, no ETA
        let value7 = state.heartbeat(now: now + 1 * ms, intervalNs: 10_000 * ms)
        #expect(!value7)
        let value8 = state.heartbeat(now: now + 5_000 * ms, intervalNs: 1_000 * ms)
        #expect(value8)
        let decayed = state.emit(now: now + 5_000 * ms).rateBps ?? 0
        #expect(decayed < steady / 2)
    }

    @Test func heartbeatsWaitForTheIntervalSinceTheLastEvent() {
        var state = ProgressState()
        let interval = 200 * ms
        state.begin(now: 1_000 * ms)
        let beat101 = state.heartbeat(now: 1_150 * ms, intervalNs: interval)
        #expect(!beat101)
        let beat102 = state.heartbeat(now: 1_200 * ms, intervalNs: interval)
        #expect(beat102)
        let first = state.emit(now: 1_200 * ms)
        #expect(first.phase == "waiting")
        #expect(first.bytesDone == 0)
        let beat103 = state.heartbeat(now: 1_399 * ms, intervalNs: interval)
        #expect(!beat103)
        let beat104 = state.heartbeat(now: 1_400 * ms, intervalNs: interval)
        #expect(beat104)
        _ = state.emit(now: 1_400 * ms)
        // Real progress resets the clock: no heartbeat right after it.
        _ = state.report(phase: "uploading", bytesDone: 10, bytesTotal: nil, attempt: 1, now: 1_500 * ms, minIntervalNs: 250 * ms)
        _ = state.emit(now: 1_500 * ms)
        let beat105 = state.heartbeat(now: 1_600 * ms, intervalNs: interval)
        #expect(!beat105)
        let beat106 = state.heartbeat(now: 1_700 * ms, intervalNs: interval)
        #expect(beat106)
    }

    @Test func sequencerKeepsOrderPerKeyAndRunsOtherKeysInParallel() async throws {
        let sequencer = KeyedSequencer()
        let first = sequencer.reserve(["/a"])
        let second = sequencer.reserve(["/a", "/b"])
        let other = sequencer.reserve(["/c"])
        try await sequencer.acquire(first)
        try await sequencer.acquire(other)  // not blocked by /a
        let started = Locked(false)
        let waiter = Task {
            try await sequencer.acquire(second)
            started.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(!started.withLock { $0 })
        sequencer.release(first)
        try await waiter.value
        #expect(started.withLock { $0 })
        sequencer.release(second)
        sequencer.release(other)
        #expect(sequencer.activeKeys == 0)
    }

    @Test func sequencerWaitCanBeCancelled() async throws {
        let sequencer = KeyedSequencer()
        let holder = sequencer.reserve(["k"])
        try await sequencer.acquire(holder)
        let waiting = sequencer.reserve(["k"])
        let next = sequencer.reserve(["k"])
        let task = Task { try await sequencer.acquire(waiting) }
        try await Task.sleep(for: .milliseconds(20))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        sequencer.release(holder)
        try await sequencer.acquire(next)  // the cancelled ticket no longer blocks
        sequencer.release(next)
        sequencer.release(waiting)
        #expect(sequencer.activeKeys == 0)
    }

    @Test func transferSlotsQueueInArrivalOrder() async throws {
        let slots = TransferSlots(limit: 1)
        let events = Locked<[String]>([])
        var tickets: [WaitTicket] = []
        for name in ["A", "B", "C", "D"] {
            let ticket = WaitTicket(onQueued: { events.withLock { $0.append("\(name) queued") } },
                                    onGranted: { events.withLock { $0.append("\(name) started") } })
            slots.enqueue(ticket)
            tickets.append(ticket)
        }
        #expect(slots.counts == (1, 3))
        // Tasks reach `wait` in any order; the slots still go in arrival order.
        let (ticketB, ticketC, ticketD) = (tickets[1], tickets[2], tickets[3])
        let c = Task { try await slots.wait(ticketC) }
        let b = Task { try await slots.wait(ticketB) }
        let d = Task { try await slots.wait(ticketD) }
        try await slots.wait(tickets[0])
        try await Task.sleep(for: .milliseconds(20))
        d.cancel()
        await #expect(throws: CancellationError.self) { try await d.value }
        slots.finish(tickets[0])
        try await b.value
        slots.finish(tickets[1])
        try await c.value
        slots.finish(tickets[2])
        slots.finish(tickets[3])
        #expect(events.withLock { $0 } == ["A started", "B queued", "C queued", "D queued", "B started", "C started"])
        #expect(slots.counts == (0, 0))
    }
}
