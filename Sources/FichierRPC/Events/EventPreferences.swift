/// What the client asked to receive: set by `initialize` and `logging/setLevel`, read by
/// every request context when it is about to emit an event.
struct EventPreferences: Sendable {
    /// `event/progress` on or off (on unless the client said otherwise).
    var progress = true
    /// Minimum time between two progress events of one request.
    var progressIntervalNs: UInt64
    /// `event/log` threshold; off until the client asks.
    var log: LogThreshold = .off
}
