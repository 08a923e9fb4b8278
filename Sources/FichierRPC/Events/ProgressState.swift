import Foundation

/// Throttling, monotonicity and rate averaging for one request's `event/progress`.
struct ProgressState {
    struct Snapshot {
        var phase: String
        var attempt: Int
        var bytesDone: Int64
        var bytesTotal: Int64?
        var rateBps: Int64?
        var etaSeconds: Int64?
    }

    private(set) var phase: String?
    private(set) var attempt = 1
    private(set) var bytesDone: Int64 = 0
    private(set) var bytesTotal: Int64?
    private(set) var lastEmitNs: UInt64 = 0
    private(set) var emittedAny = false
    /// The latest report was held back by the throttle.
    private(set) var unsent = false
    private var sampleNs: UInt64 = 0
    private var sampleBytes: Int64 = 0
    private var rate: Double?

    /// Time constant of the moving average of the rate.
    static let rateTimeConstant = 3.0
    /// Shortest interval between two rate samples.
    static let minimumSampleNs: UInt64 = 100_000_000

    /// Records a report; returns whether it should be emitted now.
    mutating func report(phase newPhase: String, bytesDone newBytes: Int64, bytesTotal newTotal: Int64?,
                         attempt newAttempt: Int, now: UInt64, minIntervalNs: UInt64) -> Bool {
        let restarted = newPhase != phase || newAttempt != attempt
        if restarted {
            phase = newPhase
            attempt = newAttempt
            bytesDone = max(0, newBytes)
            sampleNs = now
            sampleBytes = bytesDone
            rate = nil
        } else {
            // Monotonic within a phase of an attempt: a lower count is ignored.
            bytesDone = max(bytesDone, newBytes)
            sample(now: now)
        }
        bytesTotal = newTotal
        let reachedEnd = newTotal.map { bytesDone >= $0 } ?? false
        let due = !emittedAny || restarted || reachedEnd || now &- lastEmitNs >= minIntervalNs
        unsent = !due
        return due
    }

    /// Starts the heartbeat clock when the transfer starts (if nothing was emitted yet).
    mutating func begin(now: UInt64) {
        if !emittedAny { lastEmitNs = now }
    }

    /// A heartbeat: the same counts again, the rate decaying while nothing moves.
    /// Returns whether one is due (nothing emitted for `intervalNs`).
    mutating func heartbeat(now: UInt64, intervalNs: UInt64) -> Bool {
        guard now &- lastEmitNs >= intervalNs else { return false }
        if phase == nil {
            phase = "waiting"
            sampleNs = now
        } else {
            sample(now: now)
        }
        return true
    }

    private mutating func sample(now: UInt64) {
        let elapsed = now &- sampleNs
        guard elapsed >= Self.minimumSampleNs else { return }
        let seconds = Double(elapsed) / 1e9
        let instant = Double(bytesDone - sampleBytes) / seconds
        if let current = rate {
            let alpha = 1 - exp(-seconds / Self.rateTimeConstant)
            rate = current + alpha * (instant - current)
        } else {
            rate = instant
        }
        sampleNs = now
        sampleBytes = bytesDone
    }

    /// Marks the current state as emitted and returns it.
    mutating func emit(now: UInt64) -> Snapshot {
        lastEmitNs = now
        emittedAny = true
        unsent = false
        let rateBps = rate.map { Int64(max(0, $0.rounded())) }
        var eta: Int64?
        if let total = bytesTotal, let rateBps, rateBps > 0 {
            eta = Int64((Double(max(0, total - bytesDone)) / Double(rateBps)).rounded(.up))
        }
        return Snapshot(phase: phase ?? "waiting", attempt: attempt, bytesDone: bytesDone,
                        bytesTotal: bytesTotal, rateBps: rateBps, etaSeconds: eta)
    }
}
