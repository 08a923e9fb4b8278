import FichierAPI
import Logging

/// The shared state of one server: the writer, the in-flight table, the schedulers and the
/// lifecycle. The reader thread (`Dispatcher`) and the handler tasks all go through it.
final class ServerCore: Sendable {
    struct InFlight {
        var seq: UInt64
        var context: RequestContext
        var task: Task<Void, Never>?
    }

    enum Condition {
        /// No request is in flight (the shutdown request itself excluded).
        case noRequests
        /// No request is in flight and any `shutdown` has been answered.
        case allAnswered
    }

    struct Waiter {
        var token: UInt64
        var condition: Condition
        var continuation: CheckedContinuation<Bool, Never>
    }

    struct Table {
        var entries: [RequestID: InFlight] = [:]
        var nextSeq: UInt64 = 0
        var nextWaiter: UInt64 = 0
        /// After `shutdown`, EOF or a signal: new requests get 1003.
        var shuttingDown = false
        /// A `shutdown` request waiting for in-flight work.
        var shutdownPending: RequestID?
        /// Requests cancelled while a shutdown was waiting for them.
        var cancelledDuringShutdown = 0
        /// EOF, a signal or a closed output started the end.
        var ending = false
        var initialized = false
        var waiters: [Waiter] = []

        func holds(_ condition: Condition) -> Bool {
            switch condition {
            case .noRequests: entries.isEmpty
            case .allAnswered: entries.isEmpty && shutdownPending == nil
            }
        }
    }

    let configuration: ServerConfiguration
    let writer: LineWriter
    let logger: Logger
    let preferences: Locked<EventPreferences>
    let sequencer = KeyedSequencer()
    let slots: TransferSlots
    let table = Locked(Table())
    /// Watches the driving process, once one is known.
    let watchdog = Locked<ParentWatchdog?>(nil)
    private let exit = Locked<(status: Int32?, continuation: CheckedContinuation<Int32, Never>?)>((nil, nil))

    init(output: Int32, configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        writer = LineWriter(fd: output, highWater: configuration.outputHighWaterBytes)
        slots = TransferSlots(limit: configuration.maxTransfers)
        preferences = Locked(EventPreferences(progressIntervalNs: configuration.progressInterval.nanosecondsClamped))
    }

    // MARK: Completion

    /// Queues the terminal response of request `id` (arrival `seq`) unless one was already
    /// sent, after closing its event stream.
    func complete(id: RequestID, seq: UInt64, outcome: Result<[UInt8], RPCError>) {
        let ready: [Waiter] = table.withLock { table in
            guard let entry = table.entries[id], entry.seq == seq else { return [] }
            table.entries[id] = nil
            entry.context.finish()
            switch outcome {
            case .success(let result):
                writer.send { OutgoingMessage.appendResult(id: id, result: result, to: &$0) }
            case .failure(let error):
                if table.shutdownPending != nil && error.code == RPCErrorCode.cancelled.rawValue {
                    table.cancelledDuringShutdown += 1
                }
                writer.send(OutgoingMessage.error(id: id, error))
            }
            return Self.takeReadyWaiters(&table)
        }
        ready.forEach { $0.continuation.resume(returning: true) }
    }

    /// Sends an error response for a request that never entered the table.
    func reject(id: RequestID?, _ error: RPCError) {
        writer.send(OutgoingMessage.error(id: id, error))
    }

    /// Cancels every request in flight; each still gets its terminal response (-32800).
    func cancelAll() {
        let tasks: [Task<Void, Never>] = table.withLock { table in
            table.entries.values.compactMap { entry in
                entry.context.requestCancellation()
                return entry.task
            }
        }
        tasks.forEach { $0.cancel() }
    }

    /// Cancels one request; a finished or unknown id is ignored.
    func cancel(_ id: RequestID) {
        let task: Task<Void, Never>? = table.withLock { table in
            guard let entry = table.entries[id] else { return nil }
            entry.context.requestCancellation()
            return entry.task
        }
        task?.cancel()
    }

    /// Answers -32800 for every request still in flight (their handlers ignored
    /// cancellation past the grace period); a late result from them is dropped.
    func abandonRemaining() {
        let remaining = table.withLock { table in table.entries.map { ($0.key, $0.value.seq) } }
        for (id, seq) in remaining {
            logger.warning("request \(id) did not end after cancellation; answering it as cancelled")
            complete(id: id, seq: seq, outcome: .failure(.cancelled()))
        }
    }

    // MARK: Waiting

    /// Waits until `condition` holds; false if `timeout` passed first.
    func wait(for condition: Condition, timeout: Duration?) async -> Bool {
        let token: UInt64 = table.withLock { table in
            table.nextWaiter += 1
            return table.nextWaiter
        }
        if let timeout {
            Task {
                try? await Task.sleep(for: timeout)
                let expired: Waiter? = self.table.withLock { table in
                    guard let index = table.waiters.firstIndex(where: { $0.token == token }) else { return nil }
                    return table.waiters.remove(at: index)
                }
                expired?.continuation.resume(returning: false)
            }
        }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let now: Bool = table.withLock { table in
                if table.holds(condition) { return true }
                table.waiters.append(Waiter(token: token, condition: condition, continuation: continuation))
                return false
            }
            if now { continuation.resume(returning: true) }
        }
    }

    /// Removes and returns the waiters whose condition now holds. Call under the table lock.
    static func takeReadyWaiters(_ table: inout Table) -> [Waiter] {
        var ready: [Waiter] = []
        var waiting: [Waiter] = []
        for waiter in table.waiters {
            if table.holds(waiter.condition) { ready.append(waiter) } else { waiting.append(waiter) }
        }
        table.waiters = waiting
        return ready
    }

    // MARK: Exit

    /// Ends `run()` with `status` (the first call wins).
    func finish(status: Int32) {
        let continuation: CheckedContinuation<Int32, Never>? = exit.withLock { state in
            guard state.status == nil else { return nil }
            state.status = status
            let continuation = state.continuation
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: status)
    }

    /// Waits for `finish`.
    func exitStatus() async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let status: Int32? = exit.withLock { state in
                if let status = state.status { return status }
                state.continuation = continuation
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }
}
