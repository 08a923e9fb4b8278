/// At most `limit` transfers run at once; the others wait in arrival order (FIFO).
final class TransferSlots: Sendable {
    private struct State {
        var running = 0
        var queue: [WaitTicket] = []
    }

    let limit: Int
    private let state = Locked(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Waits for a slot. `ticket.onQueued` runs if the caller has to wait, `onGranted` when
    /// it gets its slot. Cancellation while waiting throws `CancellationError`.
    func acquire(_ ticket: WaitTicket) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { state in
                    if case .cancelled = ticket.state {
                        continuation.resume(throwing: CancellationError())
                    } else if state.running < limit && state.queue.isEmpty {
                        state.running += 1
                        _ = ticket.grant()
                        continuation.resume()
                    } else {
                        ticket.state = .waiting(continuation)
                        state.queue.append(ticket)
                        ticket.onQueued()
                    }
                }
            }
        } onCancel: {
            state.withLock { state in
                switch ticket.state {
                case .waiting(let continuation):
                    state.queue.removeAll { $0 === ticket }
                    ticket.state = .cancelled
                    continuation.resume(throwing: CancellationError())
                case .idle:
                    ticket.state = .cancelled
                default:
                    break
                }
            }
        }
    }

    /// Gives back a slot taken by `acquire` and starts the next waiter.
    func release() {
        state.withLock { state in
            state.running -= 1
            while state.running < limit, !state.queue.isEmpty {
                let next = state.queue.removeFirst()
                state.running += 1
                next.grant()?.resume()
            }
        }
    }

    /// Running and queued transfers (for tests and diagnostics).
    var counts: (running: Int, queued: Int) {
        state.withLock { ($0.running, $0.queue.count) }
    }
}
