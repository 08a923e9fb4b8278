/// The pacer's arithmetic, free of clocks and tasks so it can be tested with plain instants.
///
/// - Call starts are spaced by `interval = max(pace, backoff)`, measured between the moments
///   callers actually start (a caller that wakes late pushes the next ones back).
/// - A retryable failure doubles `backoff` (first step `max(2 × pace, 200 ms)`), capped at
///   `maxBackoff`; each success halves it until it falls under `pace` (then it is zero).
/// - A flood lock stops every start until `pausedUntil`.
struct PacerSchedule: Sendable {
    var pace: Duration
    var maxBackoff: Duration
    private(set) var backoff: Duration = .zero
    /// The latest start handed out to a waiting caller.
    private(set) var lastBooked: ContinuousClock.Instant?
    /// The latest moment a caller really started.
    private(set) var lastStarted: ContinuousClock.Instant?
    private(set) var pausedUntil: ContinuousClock.Instant?

    static let minimumBackoffStep = Duration.milliseconds(200)
    /// Slack for clock rounding when a caller wakes exactly at its slot.
    static let wakeTolerance = Duration.milliseconds(1)

    init(pace: Duration, maxBackoff: Duration) {
        self.pace = max(.zero, pace)
        self.maxBackoff = max(.zero, maxBackoff)
    }

    var interval: Duration { max(pace, backoff) }

    /// Books the next start at or after `now` and returns it.
    mutating func reserve(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var start = now
        if let lastBooked { start = max(start, lastBooked + interval) }
        if let lastStarted { start = max(start, lastStarted + interval) }
        if let pausedUntil { start = max(start, pausedUntil) }
        lastBooked = start
        return start
    }

    /// Whether a caller may start at `now`: the interval since the last real start has passed
    /// and no pause is running.
    func mayStart(now: ContinuousClock.Instant) -> Bool {
        if let pausedUntil, now < pausedUntil { return false }
        if let lastStarted, now + PacerSchedule.wakeTolerance < lastStarted + interval { return false }
        return true
    }

    /// Records a real start.
    mutating func started(at now: ContinuousClock.Instant) {
        lastStarted = max(lastStarted ?? now, now)
    }

    mutating func succeeded() {
        let half = backoff / 2
        backoff = half < pace || half < .milliseconds(10) ? .zero : half
    }

    /// Records a retryable failure and returns the new backoff.
    mutating func failed() -> Duration {
        let next = backoff == .zero ? max(pace * 2, PacerSchedule.minimumBackoffStep) : backoff * 2
        backoff = min(next, maxBackoff)
        return backoff
    }

    /// Pauses every start until `now + duration` (an existing longer pause is kept).
    mutating func pause(now: ContinuousClock.Instant, for duration: Duration) {
        let until = now + duration
        if let pausedUntil, pausedUntil >= until { return }
        pausedUntil = until
    }
}
