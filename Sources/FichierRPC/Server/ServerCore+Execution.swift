import FichierAPI
import Logging

extension ServerCore {
    /// Admits a decoded request: 1004 when `maxInFlight` is reached, otherwise enters it in
    /// the table, reserves its ordering keys and its transfer slot or place in line (in
    /// arrival order: this runs on the reader thread) and starts its task.
    func start(id: RequestID, method: String, kind: MethodKind, call: PreparedCall) {
        let context = RequestContext(requestID: id, method: method, kind: kind, core: self)
        let admitted: UInt64? = table.withLock { table in
            guard table.entries.count < configuration.maxInFlight else { return nil }
            table.nextSeq += 1
            table.entries[id] = InFlight(seq: table.nextSeq, context: context, task: nil)
            return table.nextSeq
        }
        guard let seq = admitted else {
            var error = RPCError(.busy, "too many requests in flight (maxInFlight \(configuration.maxInFlight))")
            error.data.retryAfterMs = 100
            reject(id: id, error)
            return
        }
        if !call.keys.isEmpty {
            let ticket = sequencer.reserve(ordering: call.keys)
            context.state.withLock { $0.arrivalTicket = ticket }
        }
        if kind == .transfer {
            let ticket = WaitTicket(onQueued: { context.job("queued", reason: "transfers") },
                                    onGranted: { context.job("started") })
            context.state.withLock { $0.slotTicket = ticket }
            slots.enqueue(ticket)
        }
        let task = Task { await self.execute(context, call: call, seq: seq) }
        let cancelNow: Bool = table.withLock { table in
            guard table.entries[id]?.seq == seq else { return false }
            table.entries[id]?.task = task
            return context.isCancellationRequested
        }
        if cancelNow { task.cancel() }
    }

    /// Runs one request: ordering, transfer slot, heartbeat, handler; then its response.
    private func execute(_ context: RequestContext, call: PreparedCall, seq: UInt64) async {
        let (arrivalTicket, slotTicket) = context.state.withLock { ($0.arrivalTicket, $0.slotTicket) }
        var heartbeat: Task<Void, Never>?
        let outcome: Result<[UInt8], RPCError>
        do {
            if let arrivalTicket { try await sequencer.acquire(arrivalTicket) }
            if let slotTicket {
                try await slots.wait(slotTicket)
                heartbeat = startHeartbeat(context)
            }
            try Task.checkCancellation()
            outcome = .success(try await call.invoke(context))
        } catch {
            outcome = .failure(RPCError.from(error, cancelled: context.isCancellationRequested))
        }
        heartbeat?.cancel()
        if case .failure(let error) = outcome, error.code == RPCErrorCode.internalError.rawValue {
            logger.error("\(context.method) \(context.requestID) failed: \(error.message)")
        }
        // The response goes out before the slot and the keys are released, so a client
        // never sees more than maxTransfers transfers running, nor two holders of one key.
        complete(id: context.requestID, seq: seq, outcome: outcome)
        if let slotTicket { slots.finish(slotTicket) }
        if let arrivalTicket { sequencer.release(arrivalTicket) }
    }

    private func startHeartbeat(_ context: RequestContext) -> Task<Void, Never> {
        let interval = configuration.heartbeatInterval
        let intervalNs = interval.nanosecondsClamped
        // Check a few times per interval so a heartbeat is never later than the interval.
        let tick = max(interval / 4, .milliseconds(5))
        let dueAfterNs = intervalNs - min(intervalNs, tick.nanosecondsClamped)
        let now = MonotonicTime.nanoseconds()
        context.state.withLock { $0.progress.begin(now: now) }
        return Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: tick) } catch { return }
                context.heartbeat(intervalNs: dueAfterNs)
            }
        }
    }
}
