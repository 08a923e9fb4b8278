import CCurl
import Foundation

/// One thread driving a libcurl multi handle: connection reuse, many transfers at once, and
/// cancellation that takes effect at the next wake-up (curl_multi_wakeup interrupts the poll).
final class CurlDriver: @unchecked Sendable {
    private enum Command {
        case start(CurlTransfer)
        case cancel(CurlTransfer)
        case stop
    }

    private static let globalInit: Void = {
        _ = curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    // `multi` is created here and then used only by the driver thread, except for
    // curl_multi_wakeup, which libcurl allows from any thread.
    private let multi: UnsafeMutableRawPointer
    private let commands = Locked<[Command]>([])
    // Driver-thread state.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    init() {
        _ = CurlDriver.globalInit
        guard let multi = curl_multi_init() else {
            fatalError("libcurl could not create a multi handle (out of memory)")
        }
        self.multi = multi
        let thread = Thread { [self] in run() }
        thread.name = "fichier-curl"
        thread.start()
    }

    func start(_ transfer: CurlTransfer) {
        enqueue(.start(transfer))
    }

    func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.withLock { $0 = true }
        enqueue(.cancel(transfer))
    }

    /// Ends the thread once every running transfer has been cancelled.
    func stop() {
        enqueue(.stop)
    }

    private func enqueue(_ command: Command) {
        commands.withLock { $0.append(command) }
        _ = curl_multi_wakeup(multi)
    }

    // MARK: - Driver thread

    private func run() {
        var stopping = false
        while !stopping {
            let batch = commands.withLock { queue -> [Command] in
                defer { queue.removeAll(keepingCapacity: true) }
                return queue
            }
            for command in batch {
                switch command {
                case .start(let transfer): begin(transfer)
                case .cancel(let transfer): abort(transfer)
                case .stop: stopping = true
                }
            }
            if stopping { break }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished()
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for transfer in Array(active.values) { abort(transfer) }
        curl_multi_cleanup(multi)
    }

    private func begin(_ transfer: CurlTransfer) {
        if transfer.cancelRequested.current {
            complete(transfer, code: nil)
            return
        }
        let code = curl_multi_add_handle(multi, transfer.easy)
        guard code == CURLM_OK else {
            complete(transfer, code: CURLE_FAILED_INIT)
            return
        }
        active[transfer.easy] = transfer
    }

    private func abort(_ transfer: CurlTransfer) {
        guard active.removeValue(forKey: transfer.easy) != nil else { return }
        _ = curl_multi_remove_handle(multi, transfer.easy)
        complete(transfer, code: nil)
    }

    private func collectFinished() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let transfer = active.removeValue(forKey: easy) else { continue }
            _ = curl_multi_remove_handle(multi, easy)
            complete(transfer, code: code)
        }
    }

    /// `code` nil means cancelled.
    private func complete(_ transfer: CurlTransfer, code: CURLcode?) {
        let outcome = transfer.outcome(code: code)
        let continuation = transfer.continuation
        transfer.continuation = nil
        continuation?.resume(with: outcome)
    }
}
