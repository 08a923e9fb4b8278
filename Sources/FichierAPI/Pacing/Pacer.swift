/// One per account: spaces API call starts, backs off after retryable failures and holds every
/// caller during a flood pause. Callers `acquire()` a start before each API request and report
/// the outcome.
actor Pacer {
    private var schedule: PacerSchedule
    let floodPause: Duration
    private let events: EventBroadcaster<PacerEvent>
    private let clock = ContinuousClock()
    /// The latest starts handed out, oldest first (at most `startRecordCapacity`), for
    /// diagnostics and for tests that check the spacing on the pacer's own clock.
    private(set) var recentStarts: [ContinuousClock.Instant] = []
    static let startRecordCapacity = 64

    init(pace: Duration, maxBackoff: Duration, floodPause: Duration, events: EventBroadcaster<PacerEvent>) {
        schedule = PacerSchedule(pace: pace, maxBackoff: maxBackoff)
        self.floodPause = floodPause
        self.events = events
    }

    /// Waits for this caller's start and returns it (on `ContinuousClock`). Consecutive starts
    /// are at least `currentInterval − PacerSchedule.wakeTolerance` apart and none falls in a
    /// flood pause. Throws `.cancelled` if the task is cancelled meanwhile.
    @discardableResult
    func acquire() async throws(FichierError) -> ContinuousClock.Instant {
        while true {
            let start = schedule.reserve(now: clock.now)
            if start > clock.now {
                do {
                    try await clock.sleep(until: start, tolerance: .milliseconds(1))
                } catch {
                    throw FichierError.cancelled()
                }
            } else if Task.isCancelled {
                throw FichierError.cancelled()
            }
            let now = clock.now
            if schedule.mayStart(now: now) {
                schedule.started(at: now)
                recentStarts.append(now)
                if recentStarts.count > Self.startRecordCapacity {
                    recentStarts.removeFirst(recentStarts.count - Self.startRecordCapacity)
                }
                return now
            }
        }
    }

    func succeeded() {
        schedule.succeeded()
    }

    /// Records a retryable failure; returns the wait the next start will see.
    func failed() -> Duration {
        schedule.failed()
    }

    /// 1fichier said "Flood detected": every caller pauses for `floodPause` (or `at least`).
    func flooded(providerCode: Int?, atLeast: Duration? = nil) -> Duration {
        let duration = max(floodPause, atLeast ?? .zero)
        schedule.pause(now: clock.now, for: duration)
        events.publish(.paused(duration: duration, providerCode: providerCode))
        return duration
    }

    func publish(_ event: PacerEvent) {
        events.publish(event)
    }

    var currentInterval: Duration { schedule.interval }

    /// The latest start booked for a waiting caller.
    var lastBooked: ContinuousClock.Instant? { schedule.lastBooked }
}
