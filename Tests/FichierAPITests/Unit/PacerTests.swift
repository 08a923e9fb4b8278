import Testing
@testable import FichierAPI

@Suite struct PacerScheduleTests {
    let zero = ContinuousClock.now

    @Test func spacesStartsByThePace() {
        var schedule = PacerSchedule(pace: .milliseconds(400), maxBackoff: .seconds(5))
        let first = schedule.reserve(now: zero)
        let second = schedule.reserve(now: zero)
        let third = schedule.reserve(now: zero + .milliseconds(100))
        #expect(first == zero)
        #expect(second == zero + .milliseconds(400))
        #expect(third == zero + .milliseconds(800))
        // A caller arriving after a quiet period starts at once.
        #expect(schedule.reserve(now: zero + .seconds(5)) == zero + .seconds(5))
    }

    @Test func zeroPaceNeverWaits() {
        var schedule = PacerSchedule(pace: .zero, maxBackoff: .seconds(5))
        for _ in 0..<10 { #expect(schedule.reserve(now: zero) == zero) }
    }

    @Test func backoffDoublesToTheCapAndDecays() {
        var schedule = PacerSchedule(pace: .milliseconds(400), maxBackoff: .seconds(5))
        #expect(schedule.failed() == .milliseconds(800))
        #expect(schedule.failed() == .milliseconds(1600))
        #expect(schedule.failed() == .milliseconds(3200))
        #expect(schedule.failed() == .seconds(5))
        #expect(schedule.failed() == .seconds(5))
        #expect(schedule.interval == .seconds(5))
        schedule.succeeded()
        #expect(schedule.interval == .milliseconds(2500))
        schedule.succeeded()
        schedule.succeeded()
        #expect(schedule.interval == .milliseconds(625))
        schedule.succeeded()
        #expect(schedule.interval == .milliseconds(400))
        #expect(schedule.backoff == .zero)
    }

    @Test func backoffWithoutPaceStartsAtTheMinimumStep() {
        var schedule = PacerSchedule(pace: .zero, maxBackoff: .milliseconds(500))
        #expect(schedule.failed() == .milliseconds(200))
        #expect(schedule.failed() == .milliseconds(400))
        #expect(schedule.failed() == .milliseconds(500))
        _ = schedule.reserve(now: zero)
        #expect(schedule.reserve(now: zero) == zero + .milliseconds(500))
    }

    @Test func floodPauseHoldsEveryStart() {
        var schedule = PacerSchedule(pace: .milliseconds(100), maxBackoff: .seconds(5))
        let early = schedule.reserve(now: zero)
        schedule.pause(now: zero, for: .seconds(30))
        #expect(!schedule.mayStart(now: early))
        let next = schedule.reserve(now: zero + .seconds(1))
        #expect(next == zero + .seconds(30))
        #expect(schedule.mayStart(now: next))
        #expect(schedule.reserve(now: zero + .seconds(1)) == zero + .seconds(30) + .milliseconds(100))
        // A shorter pause doesn't shorten a longer one.
        schedule.pause(now: zero + .seconds(2), for: .seconds(1))
        #expect(!schedule.mayStart(now: zero + .seconds(29)))
    }

    @Test func aLateStartPushesTheNextOnesBack() {
        var schedule = PacerSchedule(pace: .milliseconds(100), maxBackoff: .seconds(5))
        let first = schedule.reserve(now: zero)
        let second = schedule.reserve(now: zero)
        #expect(second == zero + .milliseconds(100))
        // The first caller only got going 80 ms late.
        #expect(schedule.mayStart(now: first + .milliseconds(80)))
        schedule.started(at: first + .milliseconds(80))
        // The second wakes on its slot but must keep the interval from the real start.
        #expect(!schedule.mayStart(now: second))
        let again = schedule.reserve(now: second)
        #expect(again == zero + .milliseconds(200))
        #expect(schedule.mayStart(now: again))
    }
}

@Suite struct PacerTimingTests {
    @Test func actorSpacesConcurrentCallers() async throws {
        let pacer = Pacer(pace: .milliseconds(50), maxBackoff: .seconds(1), floodPause: .seconds(1),
                          events: EventBroadcaster())
        let clock = ContinuousClock()
        let start = clock.now
        let times = try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    try await pacer.acquire()
                    return clock.now
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }.sorted()
        }
        for (index, time) in times.enumerated() {
            #expect(time - start >= .milliseconds(50 * index) - .milliseconds(2))
        }
        #expect(times.last! - start < .seconds(2))
    }

    @Test func floodPausesWaitingCallersAndIsAnnounced() async throws {
        let events = EventBroadcaster<PacerEvent>()
        let stream = events.stream()
        let pacer = Pacer(pace: .zero, maxBackoff: .seconds(1), floodPause: .milliseconds(300), events: events)
        let clock = ContinuousClock()
        try await pacer.acquire()
        let start = clock.now
        let pause = await pacer.flooded(providerCode: 374)
        #expect(pause == .milliseconds(300))
        try await pacer.acquire()
        #expect(clock.now - start >= .milliseconds(290))
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == .paused(duration: .milliseconds(300), providerCode: 374))
    }

    @Test func cancelledWaitThrowsCancelled() async {
        let pacer = Pacer(pace: .seconds(10), maxBackoff: .seconds(10), floodPause: .seconds(1), events: EventBroadcaster())
        try? await pacer.acquire()
        let task = Task { try await pacer.acquire() }
        try? await Task.sleep(for: .milliseconds(20))
        task.cancel()
        do {
            try await task.value
            Issue.record("the wait was not cancelled")
        } catch {
            #expect((error as? FichierError)?.kind == .cancelled)
        }
    }
}
