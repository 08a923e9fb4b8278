import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the server's output on its own thread and keeps every line. Tests wait for lines
/// asynchronously (polling), never blocking a cooperative thread the server needs. Waits
/// default to 30 s: an upper bound for a loaded 2-core machine, never reached when things work.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var rawBytes: [UInt8] = []
    private var ended = false
    private var cursor = 0
    /// Lines parsed so far (each line is parsed once; waits poll often).
    private var parsed: [Message] = []

    init(fd: Int32) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            var partial: [UInt8] = []
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                lock.lock()
                rawBytes.append(contentsOf: buffer[0..<count])
                lock.unlock()
                partial.append(contentsOf: buffer[0..<count])
                var complete: [String] = []
                while let newline = partial.firstIndex(of: 0x0A) {
                    complete.append(String(decoding: partial[..<newline], as: UTF8.self))
                    partial.removeSubrange(...newline)
                }
                if !complete.isEmpty {
                    lock.lock()
                    lines.append(contentsOf: complete)
                    lock.unlock()
                }
            }
            lock.lock()
            if !partial.isEmpty { lines.append(String(decoding: partial, as: UTF8.self) + "<no LF>") }
            ended = true
            lock.unlock()
        }
        thread.start()
    }

    /// Every line so far.
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    /// Every byte so far (for the stray-byte check).
    var bytes: [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return rawBytes
    }

    var isEnded: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }

    /// Every message so far, parsed; fails on a line that is not a JSON object. Lines are
    /// parsed once and kept, so polling stays cheap even after megabyte-long lines.
    func messages() throws -> [Message] {
        lock.lock()
        let done = parsed.count
        let fresh = lines[done...]
        lock.unlock()
        let added = try fresh.map { try Message(line: $0) }
        lock.lock()
        defer { lock.unlock() }
        if parsed.count == done { parsed.append(contentsOf: added) }
        return parsed
    }

    /// Waits until `predicate` holds for the messages so far.
    @discardableResult
    func wait(timeout: Duration = .seconds(30), _ what: String = "messages",
              until predicate: ([Message]) -> Bool) async throws -> [Message] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let ended = isEnded  // read first: once ended, the lines below are complete
            let current = try messages()
            if predicate(current) { return current }
            if ended || ContinuousClock.now > deadline {
                throw HarnessError("timed out waiting for \(what); got:\n" + all.joined(separator: "\n"))
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Waits for the terminal response to `id`.
    func response(_ id: AnyHashable, timeout: Duration = .seconds(30)) async throws -> Message {
        let messages = try await wait(timeout: timeout, "response \(id)") { list in
            list.contains { $0.isResponse && $0.id == id }
        }
        return messages.first { $0.isResponse && $0.id == id }!
    }

    /// Waits for the end of the output.
    func waitForEnd(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !isEnded {
            if ContinuousClock.now > deadline { throw HarnessError("output did not end") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
