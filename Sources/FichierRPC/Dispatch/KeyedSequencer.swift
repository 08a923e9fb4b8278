import FichierAPI
/// Keeps operations that share a key (a remote path, a folder) in the order they were
/// reserved, while operations on different keys run in parallel. A ticket reserves all its
/// keys at once, so two tickets sharing keys are ordered the same way in every key's
/// queue and waiting cannot deadlock. A key held in shared mode lets other shared holders of
/// that key run alongside (see `OrderingKey`).
final class KeyedSequencer: Sendable {
    private let queues = Locked([String: [WaitTicket]]())

    /// Reserves a place behind everything reserved before, every key exclusive. Call in
    /// arrival order.
    func reserve(_ keys: [String]) -> WaitTicket {
        reserve(ordering: keys.map { OrderingKey.exclusive($0) })
    }

    /// Reserves a place behind everything reserved before. A key named twice is held
    /// exclusively if either mention is exclusive. Call in arrival order.
    func reserve(ordering keys: [OrderingKey]) -> WaitTicket {
        var unique: [String] = []
        var exclusive: Set<String> = []
        for key in keys {
            if !unique.contains(key.name) { unique.append(key.name) }
            if !key.isShared { exclusive.insert(key.name) }
        }
        let ticket = WaitTicket(keys: unique, sharedKeys: Set(unique).subtracting(exclusive))
        queues.withLock { queues in
            for key in unique { queues[key, default: []].append(ticket) }
        }
        return ticket
    }

    /// Waits until every earlier ticket that shares a key has been released.
    func acquire(_ ticket: WaitTicket) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                queues.withLock { queues in
                    switch ticket.state {
                    case .cancelled, .released:
                        continuation.resume(throwing: CancellationError())
                    case .granted:
                        continuation.resume()
                    default:
                        if Self.isRunnable(ticket, in: queues) {
                            _ = ticket.grant()
                            continuation.resume()
                        } else {
                            ticket.state = .waiting(continuation)
                        }
                    }
                }
            }
        } onCancel: {
            queues.withLock { queues in
                switch ticket.state {
                case .waiting(let continuation):
                    ticket.state = .cancelled
                    Self.remove(ticket, from: &queues)
                    continuation.resume(throwing: CancellationError())
                case .idle:
                    ticket.state = .cancelled
                    Self.remove(ticket, from: &queues)
                default:
                    break
                }
            }
        }
    }

    /// Leaves the queues (whether or not the ticket ran) and lets the next holders go.
    func release(_ ticket: WaitTicket) {
        queues.withLock { queues in
            if case .waiting(let continuation) = ticket.state {
                continuation.resume(throwing: CancellationError())
            }
            ticket.state = .released
            Self.remove(ticket, from: &queues)
        }
    }

    /// Number of keys with a queue (for tests: 0 once everything is released).
    var activeKeys: Int {
        queues.withLock { $0.count }
    }

    /// Whether every earlier ticket in each of the ticket's queues lets it run: for an
    /// exclusive key it must be first; for a shared key everything before it must be shared.
    private static func isRunnable(_ ticket: WaitTicket, in queues: [String: [WaitTicket]]) -> Bool {
        for key in ticket.keys {
            guard let queue = queues[key] else { return false }
            if ticket.sharedKeys.contains(key) {
                for other in queue {
                    if other === ticket { break }
                    if !other.sharedKeys.contains(key) { return false }
                }
            } else if queue.first !== ticket {
                return false
            }
        }
        return true
    }

    private static func remove(_ ticket: WaitTicket, from queues: inout [String: [WaitTicket]]) {
        var candidates: [WaitTicket] = []
        for key in ticket.keys {
            guard var queue = queues[key], let index = queue.firstIndex(where: { $0 === ticket }) else { continue }
            queue.remove(at: index)
            if queue.isEmpty {
                queues[key] = nil
            } else {
                queues[key] = queue
                // Only tickets behind the removed one can have been waiting for it.
                for other in queue[index...] where !candidates.contains(where: { $0 === other }) {
                    candidates.append(other)
                }
            }
        }
        for candidate in candidates {
            if case .waiting = candidate.state, isRunnable(candidate, in: queues) {
                candidate.grant()?.resume()
            }
        }
    }
}
