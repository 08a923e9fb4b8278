import FichierAPI
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one serialising writer of protocol lines. Any thread may queue a line; a dedicated
/// thread writes whatever is pending with one `write` loop, so many small lines queued while
/// a write is in progress go out together (the 50,000 messages/s path).
final class LineWriter: @unchecked Sendable {
    private let fd: Int32
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [UInt8] = []
    private var writing = false
    private var stopping = false
    private var broken = false
    private var flushWaiters: [CheckedContinuation<Void, Never>] = []
    private var thread: Thread?
    private let highWater: Int
    private let brokenHandler = Locked<(@Sendable () -> Void)?>(nil)

    /// - Parameter highWater: pending bytes above which `waitForRoom` blocks the reader.
    init(fd: Int32, highWater: Int) {
        self.fd = fd
        self.highWater = highWater
        pending.reserveCapacity(64 * 1024)
    }

    /// `handler` runs once, on the writer thread, when the output is gone (EPIPE or
    /// another write error). Set before `start`.
    func setBrokenHandler(_ handler: @escaping @Sendable () -> Void) {
        brokenHandler.withLock { $0 = handler }
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "fichier.rpc.writer"
        self.thread = thread
        thread.start()
    }

    /// Queues one line; `build` appends the message without its newline.
    func send(_ build: (inout [UInt8]) -> Void) {
        condition.lock()
        defer { condition.unlock() }
        guard !broken else { return }
        let wasEmpty = pending.isEmpty
        build(&pending)
        pending.append(0x0A)
        if wasEmpty && !writing { condition.broadcast() }
    }

    /// Queues one complete message (without its newline).
    func send(_ message: [UInt8]) {
        send { $0.append(contentsOf: message) }
    }

    /// Whether the output is gone.
    var isBroken: Bool {
        condition.lock()
        defer { condition.unlock() }
        return broken
    }

    /// Blocks the calling (reader) thread while too much output is waiting for the client.
    func waitForRoom() {
        condition.lock()
        while pending.count > highWater && !broken && !stopping { condition.wait() }
        condition.unlock()
    }

    /// Returns once everything queued so far is written (or the output is gone).
    func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if (pending.isEmpty && !writing) || broken {
                condition.unlock()
                continuation.resume()
                return
            }
            flushWaiters.append(continuation)
            condition.unlock()
        }
    }

    /// Writes what is pending, then ends the thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        var chunk: [UInt8] = []
        chunk.reserveCapacity(64 * 1024)
        condition.lock()
        while true {
            while pending.isEmpty && !stopping && !broken {
                let waiters = flushWaiters
                flushWaiters.removeAll()
                if !waiters.isEmpty {
                    condition.unlock()
                    waiters.forEach { $0.resume() }
                    condition.lock()
                    continue
                }
                condition.wait()
            }
            if broken || (pending.isEmpty && stopping) { break }
            swap(&chunk, &pending)
            writing = true
            condition.broadcast()  // room for a reader blocked in waitForRoom
            condition.unlock()

            let ok = writeAll(chunk)
            if chunk.capacity > 4 << 20 {
                chunk = []
                chunk.reserveCapacity(64 * 1024)
            } else {
                chunk.removeAll(keepingCapacity: true)
            }

            condition.lock()
            writing = false
            if !ok {
                broken = true
                pending = []
            }
        }
        let waiters = flushWaiters
        flushWaiters.removeAll()
        let wasBroken = broken
        condition.broadcast()
        condition.unlock()
        waiters.forEach { $0.resume() }
        if wasBroken, let handler = brokenHandler.withLock({ $0 }) { handler() }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                    continue
                }
                let code = errno
                if written < 0 && code == EINTR { continue }
                if written < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                    // An inherited non-blocking descriptor: wait until it accepts more.
                    var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&poller, 1, -1)
                    continue
                }
                return false
            }
            return true
        }
    }
}
