/// Keeps operations that share a key (a remote path, a folder) in the order they were
/// reserved, while operations on different keys run in parallel. A ticket reserves all its
/// keys at once, so two tickets sharing keys are ordered the same way in every key's
/// queue and waiting cannot deadlock.
final class KeyedSequencer: Sendable {
    private let queues = Locked([String: [WaitTicket]]())

    /// Reserves a place behind everything reserved before. Call in arrival order.
    func reserve(_ keys: [String]) -> WaitTicket {
        var unique: [String] = []
        for key in keys where !unique.contains(key) { unique.append(key) }
        let ticket = WaitTicket(keys: unique)
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
                        if Self.isHead(ticket, in: queues) {
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

    private static func isHead(_ ticket: WaitTicket, in queues: [String: [WaitTicket]]) -> Bool {
        ticket.keys.allSatisfy { queues[$0]?.first === ticket }
    }

    private static func remove(_ ticket: WaitTicket, from queues: inout [String: [WaitTicket]]) {
        var heads: [WaitTicket] = []
        for key in ticket.keys {
            guard var queue = queues[key], let index = queue.firstIndex(where: { $0 === ticket }) else { continue }
            queue.remove(at: index)
            if queue.isEmpty {
                queues[key] = nil
            } else {
                queues[key] = queue
                if index == 0 { heads.append(queue[0]) }
            }
        }
        for head in heads {
            if case .waiting = head.state, isHead(head, in: queues) {
                head.grant()?.resume()
            }
        }
    }
}
