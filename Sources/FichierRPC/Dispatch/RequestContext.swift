import FichierAPI
import Logging

/// What a handler gets besides its params: the request id, events, and per-key ordering.
/// Every method may be called from any thread or task.
public final class RequestContext: Sendable {
    public let requestID: RequestID
    public let method: String
    let kind: MethodKind
    let core: ServerCore

    struct State {
        var progress = ProgressState()
        /// The terminal response is out: no more events for this request.
        var finished = false
        /// Cancellation was asked (`$/cancel`, shutdown, EOF, signal).
        var cancelRequested = false
        /// Keys reserved when the request arrived (`orderedBy`).
        var arrivalTicket: WaitTicket?
        /// The transfer slot (or place in line) taken when a `.transfer` request arrived.
        var slotTicket: WaitTicket?
    }

    let state = Locked(State())

    init(requestID: RequestID, method: String, kind: MethodKind, core: ServerCore) {
        self.requestID = requestID
        self.method = method
        self.kind = kind
        self.core = core
    }

    /// Whether the client (or shutdown, EOF, a signal) asked to stop this request.
    public var isCancellationRequested: Bool {
        state.withLock { $0.cancelRequested }
    }

    // MARK: Progress

    /// Reports transfer progress; cheap enough for every callback of a transfer loop.
    /// At most one `event/progress` per interval (250 ms by default) is sent, plus always
    /// the first report, the first of each phase or attempt, the one that reaches
    /// `bytesTotal`, and the last one before the response. `bytesDone` never goes down
    /// within a phase of an attempt; a new `attempt` may restart it.
    public func progress(phase: String, bytesDone: Int64, bytesTotal: Int64?, attempt: Int = 1) {
        let now = MonotonicTime.nanoseconds()
        let preferences = core.preferences.withLock { $0 }
        guard preferences.progress else { return }
        state.withLock { state in
            guard !state.finished else { return }
            let due = state.progress.report(phase: phase, bytesDone: bytesDone, bytesTotal: bytesTotal,
                                            attempt: attempt, now: now,
                                            minIntervalNs: preferences.progressIntervalNs)
            guard due else { return }
            let snapshot = state.progress.emit(now: now)
            core.writer.send(OutgoingMessage.progress(id: requestID, snapshot, heartbeat: false))
        }
    }

    /// Sends a heartbeat if nothing was sent for `intervalNs`.
    func heartbeat(intervalNs: UInt64) {
        let now = MonotonicTime.nanoseconds()
        guard core.preferences.withLock({ $0.progress }) else { return }
        state.withLock { state in
            guard !state.finished, state.progress.heartbeat(now: now, intervalNs: intervalNs) else { return }
            let snapshot = state.progress.emit(now: now)
            core.writer.send(OutgoingMessage.progress(id: requestID, snapshot, heartbeat: true))
        }
    }

    // MARK: Job state and logs

    /// Sends `event/job` for this request (`queued`, `started`, `retrying`, `throttled`,
    /// `finalizing` …).
    public func job(_ jobState: String, attempt: Int? = nil, reason: String? = nil,
                    delayMs: Int? = nil, retryAfterMs: Int? = nil) {
        state.withLock { state in
            guard !state.finished else { return }
            core.writer.send(OutgoingMessage.job(id: requestID, state: jobState, attempt: attempt,
                                                 reason: reason, delayMs: delayMs, retryAfterMs: retryAfterMs))
        }
    }

    /// Logs to stderr, and as `event/log` when the client asked for that level.
    /// Never pass secrets.
    public func log(_ level: LogLevel, _ message: String) {
        core.logger.log(level: level.loggerLevel, "\(message)",
                        metadata: ["requestId": "\(requestID)", "method": "\(method)"])
        guard core.preferences.withLock({ $0.log.admits(level) }) else { return }
        state.withLock { state in
            guard !state.finished else { return }
            core.writer.send(OutgoingMessage.log(level: level, message: message, id: requestID))
        }
    }

    // MARK: Ordering

    /// Runs `body` after every earlier request that holds one of `keys` has finished with
    /// them. Keys declared at registration (`orderedBy`) are reserved when the request
    /// arrives and held for the whole handler, so for those this runs `body` at once;
    /// other keys are reserved now (ordered by the time of this call). Do not nest calls.
    public func ordered<T>(by keys: [String], _ body: () async throws -> T) async throws -> T {
        let held = state.withLock { $0.arrivalTicket?.keys ?? [] }
        let missing = keys.filter { !held.contains($0) }
        if missing.isEmpty { return try await body() }
        let ticket = core.sequencer.reserve(missing)
        defer { core.sequencer.release(ticket) }
        try await core.sequencer.acquire(ticket)
        return try await body()
    }

    // MARK: Lifecycle (server side)

    /// Marks the request as cancelled (its task is cancelled by the caller).
    func requestCancellation() {
        state.withLock { $0.cancelRequested = true }
    }

    /// Sends a held-back final progress report, then closes the event stream of this
    /// request. Called just before its terminal response is queued.
    func finish() {
        let now = MonotonicTime.nanoseconds()
        let progressOn = core.preferences.withLock { $0.progress }
        state.withLock { state in
            guard !state.finished else { return }
            if progressOn && state.progress.unsent {
                let snapshot = state.progress.emit(now: now)
                core.writer.send(OutgoingMessage.progress(id: requestID, snapshot, heartbeat: false))
            }
            state.finished = true
        }
    }
}
