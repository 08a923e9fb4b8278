import FichierAPI

/// Turns the transport's progress callbacks (on its thread, about ten a second) into
/// `event/progress` of one request, and remembers how far the transfer got for a cancelled
/// or failed response. A count that goes down means the client started a new attempt
/// (a fresh upload node).
final class TransferProgressTracker: Sendable {
    private struct State {
        var bytesDone: Int64 = 0
        var attempt = 1
        var finalizing = false
    }

    private let context: RequestContext
    private let phase: String
    private let total: Int64
    /// Report `finalizing` once every byte is out (uploads: waiting for the node and end.pl).
    private let reportsFinalizing: Bool
    /// Bytes already in place before this transfer (a resumed download).
    private let offset: Int64
    private let state: Locked<State>

    init(context: RequestContext, phase: String, total: Int64, reportsFinalizing: Bool, offset: Int64 = 0) {
        self.context = context
        self.phase = phase
        self.total = total
        self.reportsFinalizing = reportsFinalizing
        self.offset = offset
        state = Locked(State(bytesDone: offset))
    }

    var bytesDone: Int64 { state.withLock { $0.bytesDone } }

    /// The first report, before any byte moves.
    func start() {
        context.progress(phase: phase, bytesDone: offset, bytesTotal: total)
    }

    /// The transport's counts are of this transfer's bytes; reports add the offset.
    var handler: ProgressHandler {
        { [self] update in record(offset + update.bytesDone) }
    }

    func record(_ done: Int64) {
        let (attempt, report, finalizing) = state.withLock { state -> (Int, Bool, Bool) in
            if done < state.bytesDone { state.attempt += 1; state.finalizing = false }
            state.bytesDone = done
            // Once finalizing, the transport's last report of the same count adds nothing.
            if state.finalizing { return (state.attempt, false, false) }
            let startFinalizing = reportsFinalizing && done >= total
            if startFinalizing { state.finalizing = true }
            return (state.attempt, true, startFinalizing)
        }
        if report { context.progress(phase: phase, bytesDone: done, bytesTotal: total, attempt: attempt) }
        if finalizing {
            context.progress(phase: "finalizing", bytesDone: total, bytesTotal: total, attempt: attempt)
        }
    }

    /// What to say in `data.partial` when the transfer stops early.
    struct Partial: Encodable {
        var bytesDone: Int64
        var bytesTotal: Int64
        /// The remote side may hold the file although the request failed.
        var remoteStateUnknown: Bool?
        /// A file that reached 1fichier was removed again because the request was cancelled.
        var removed: Bool?
        var url: String?
    }

    func partial(remoteStateUnknown: Bool? = nil, removed: Bool? = nil, url: String? = nil) -> Partial {
        Partial(bytesDone: bytesDone, bytesTotal: total, remoteStateUnknown: remoteStateUnknown, removed: removed, url: url)
    }
}
