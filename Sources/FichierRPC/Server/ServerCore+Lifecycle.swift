import FichierAPI
import Foundation
import Logging

/// Why the server is ending without (or after) `shutdown`.
enum EndReason: Sendable, CustomStringConvertible {
    case endOfInput
    case signal(Int32)
    case outputClosed
    case shutdownExit
    case parentExited(Int32)

    var description: String {
        switch self {
        case .endOfInput: "end of input"
        case .signal(let number): "signal \(number)"
        case .outputClosed: "output closed"
        case .shutdownExit: "shutdown with exit"
        case .parentExited(let pid): "process \(pid), which drives this server, exited"
        }
    }
}

/// What `shutdown` answers.
struct ShutdownResult: Encodable, Sendable {
    /// Requests that finished normally while the shutdown waited.
    var drained: Int
    /// Requests that ended cancelled while it waited.
    var cancelled: Int
}

extension ServerCore {
    /// `shutdown`: from now on requests get 1003. `cancel` cancels the work in flight,
    /// `drain` lets it finish (for at most `timeout`, then cancels it). The answer comes
    /// once nothing is in flight; with `exit`, the server then ends without waiting for EOF.
    func beginShutdown(id: RequestID, cancel: Bool, timeout: Duration?, exitAfter: Bool) {
        let inFlight: Int = table.withLock { table in
            table.shuttingDown = true
            table.shutdownPending = id
            table.cancelledDuringShutdown = 0
            return table.entries.count
        }
        logger.info("shutdown (\(cancel ? "cancel" : "drain")) with \(inFlight) request(s) in flight")
        if cancel { cancelAll() }
        Task {
            var done = await wait(for: .noRequests, timeout: cancel ? configuration.cancelGracePeriod : timeout)
            if !done && !cancel {
                cancelAll()
                done = await wait(for: .noRequests, timeout: configuration.cancelGracePeriod)
            }
            if !done { abandonRemaining() }
            let ready: [Waiter] = table.withLock { table in
                let cancelled = table.cancelledDuringShutdown
                let result = ShutdownResult(drained: max(0, inFlight - cancelled), cancelled: cancelled)
                let bytes = (try? Array(ResultEncoding.encoder.encode(result))) ?? Array("{}".utf8)
                writer.send { OutgoingMessage.appendResult(id: id, result: bytes, to: &$0) }
                table.shutdownPending = nil
                return Self.takeReadyWaiters(&table)
            }
            ready.forEach { $0.continuation.resume(returning: true) }
            if exitAfter { beginEnding(.shutdownExit) }
        }
    }

    /// Ends the server as on EOF once process `pid` has exited (one watched process; a
    /// second call changes nothing).
    func watchParent(_ pid: Int32) {
        watchdog.withLock { watchdog in
            guard watchdog == nil else { return }
            logger.info("watching process \(pid): the server ends when it exits")
            watchdog = ParentWatchdog(pid: pid, interval: configuration.parentPollInterval) { [self] in
                logger.warning("process \(pid) exited: ending as on end of input")
                beginEnding(.parentExited(pid))
            }
        }
    }

    func stopWatchingParent() {
        watchdog.withLock { $0?.cancel() }
    }

    /// EOF on input, SIGTERM/SIGINT, a closed output, or `shutdown {exit: true}`: cancel
    /// what runs, give it the grace period to answer, flush, and end `run()` with 0.
    func beginEnding(_ reason: EndReason) {
        let first: Bool = table.withLock { table in
            guard !table.ending else { return false }
            table.ending = true
            table.shuttingDown = true
            return true
        }
        guard first else { return }
        logger.debug("ending: \(reason)")
        cancelAll()
        Task {
            if !(await wait(for: .allAnswered, timeout: configuration.cancelGracePeriod)) {
                abandonRemaining()
                _ = await wait(for: .allAnswered, timeout: .seconds(1))
            }
            await writer.flush()
            writer.stop()
            finish(status: 0)
        }
    }
}
