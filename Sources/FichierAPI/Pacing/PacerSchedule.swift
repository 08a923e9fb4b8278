/// The pacer's arithmetic, free of clocks and tasks so it can be tested with plain instants.
///
/// - Call starts are spaced by `interval = max(pace, backoff)`.
/// - A retryable failure doubles `backoff` (first step `max(2 × pace, 200 ms)`), capped at
///   `maxBackoff`; each success halves it until it falls under `pace` (then it is zero).
/// - A flood lock stops every start until `pausedUntil`.
struct PacerSchedule: Sendable {
    var pace: Duration
    var maxBackoff: Duration
    private(set) var backoff: Duration = .zero
    private(set) var lastStart: ContinuousClock.Instant?
    private(set) var pausedUntil: ContinuousClock.Instant?

    static let minimumBackoffStep = Duration.milliseconds(200)

    init(pace: Duration, maxBackoff: Duration) {
        self.pace = max(.zero, pace)
        self.maxBackoff = max(.zero, maxBackoff)
    }

    var interval: Duration { max(pace, backoff) }

    /// Books the next start at or after `now` and returns it.
    mutating func reserve(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var start = now
        if let lastStart { start = max(start, lastStart + interval) }
        if let pausedUntil { start = max(start, pausedUntil) }
        lastStart = start
        return start
    }

    /// Whether a start booked at `start` is still allowed (no pause began after booking).
    func permits(_ start: ContinuousClock.Instant) -> Bool {
        guard let pausedUntil else { return true }
        return start >= pausedUntil
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
