/// One per account: spaces API call starts, backs off after retryable failures and holds every
/// caller during a flood pause. Callers `acquire()` a start before each API request and report
/// the outcome.
actor Pacer {
    private var schedule: PacerSchedule
    let floodPause: Duration
    private let events: EventBroadcaster<PacerEvent>
    private let clock = ContinuousClock()

    init(pace: Duration, maxBackoff: Duration, floodPause: Duration, events: EventBroadcaster<PacerEvent>) {
        schedule = PacerSchedule(pace: pace, maxBackoff: maxBackoff)
        self.floodPause = floodPause
        self.events = events
    }

    /// Waits for this caller's start. Throws `.cancelled` if the task is cancelled meanwhile.
    func acquire() async throws(FichierError) {
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
                return
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
}
