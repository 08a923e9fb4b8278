/// One waiter in a `TransferSlots` or `KeyedSequencer` queue. Its state is only touched
/// under the owning queue's lock.
final class WaitTicket: @unchecked Sendable {
    enum State {
        case idle
        /// In a queue, its task not yet waiting.
        case queued
        case waiting(CheckedContinuation<Void, any Error>)
        case granted
        case cancelled
        case released
    }

    var state: State = .idle
    /// The keys it reserves (each once).
    let keys: [String]
    /// Those of `keys` it holds in shared mode.
    let sharedKeys: Set<String>
    let onQueued: @Sendable () -> Void
    let onGranted: @Sendable () -> Void

    init(keys: [String] = [], sharedKeys: Set<String> = [], onQueued: @escaping @Sendable () -> Void = {},
         onGranted: @escaping @Sendable () -> Void = {}) {
        self.keys = keys
        self.sharedKeys = sharedKeys
        self.onQueued = onQueued
        self.onGranted = onGranted
    }

    /// Grants a waiting or idle ticket; returns the continuation to resume, if any.
    func grant() -> CheckedContinuation<Void, any Error>? {
        if case .waiting(let continuation) = state {
            state = .granted
            onGranted()
            return continuation
        }
        state = .granted
        onGranted()
        return nil
    }
}
