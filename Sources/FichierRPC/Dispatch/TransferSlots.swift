import FichierAPI
/// At most `limit` transfers run at once; the others wait in arrival order (FIFO). The
/// place in line is taken when the request arrives (`enqueue`, on the reader thread), so
/// the order does not depend on when each task gets to run.
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

    /// Takes a slot at once if one is free (`onGranted`), otherwise joins the queue
    /// (`onQueued`). Call in arrival order.
    func enqueue(_ ticket: WaitTicket) {
        state.withLock { state in
            if state.running < limit && state.queue.isEmpty {
                state.running += 1
                _ = ticket.grant()
            } else {
                ticket.state = .queued
                state.queue.append(ticket)
                ticket.onQueued()
            }
        }
    }

    /// Waits until the ticket holds a slot. Cancellation while waiting throws
    /// `CancellationError` and gives up the place in line.
    func wait(_ ticket: WaitTicket) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { _ in
                    switch ticket.state {
                    case .granted:
                        continuation.resume()
                    case .queued:
                        ticket.state = .waiting(continuation)
                    default:
                        continuation.resume(throwing: CancellationError())
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
                case .queued:
                    state.queue.removeAll { $0 === ticket }
                    ticket.state = .cancelled
                default:
                    break
                }
            }
        }
    }

    /// Ends the ticket's stay: gives back its slot if it had one (starting the next in
    /// line) or leaves the queue.
    func finish(_ ticket: WaitTicket) {
        state.withLock { state in
            switch ticket.state {
            case .granted:
                state.running -= 1
            case .waiting(let continuation):
                state.queue.removeAll { $0 === ticket }
                continuation.resume(throwing: CancellationError())
            case .queued:
                state.queue.removeAll { $0 === ticket }
            default:
                break
            }
            ticket.state = .released
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
