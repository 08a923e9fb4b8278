import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pipe to git-annex: a thread that reads its lines and hands each to the conversation of
/// its job (`J n` with the ASYNC extension, the single unnumbered conversation without), and
/// one serialised writer for the lines sent back.
final class AnnexChannel: @unchecked Sendable {
    private let input: Int32
    private let output: Int32
    private let writeLock = NSLock()
    private let lock = NSLock()
    private var inboxes: [Int: AsyncStream<String>.Continuation] = [:]
    private var mainInbox: AsyncStream<String>.Continuation?
    private var writeFailed = false

    /// Called on the reader thread when a job number is seen for the first time, with the
    /// stream of its messages (the `J n ` prefix removed).
    var onNewJob: (@Sendable (Int, AsyncStream<String>) -> Void)?

    /// - Parameters:
    ///   - input: where git-annex's lines arrive (stdin).
    ///   - output: where ours go (the private copy of stdout).
    init(input: Int32, output: Int32) {
        self.input = input
        self.output = output
    }

    /// The messages that carry no job number, in order; finishes at end of input.
    func mainMessages() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        lock.withLock { mainInbox = continuation }
        return stream
    }

    /// Starts the reader thread.
    func start() {
        let thread = Thread { [self] in readLoop() }
        thread.name = "fichier.annex.reader"
        thread.start()
    }

    /// Sends one message, prefixed with `J job` when `job` is set. Line breaks inside are
    /// flattened. A failed write (git-annex went away) is remembered and later writes are dropped.
    func send(_ message: String, job: Int?) {
        let line = AnnexJobFrame.wrap(AnnexMessage.oneLine(message), job: job) + "\n"
        let bytes = Array(line.utf8)
        writeLock.withLock {
            guard !writeFailed else { return }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { raw in
                    Glibc.write(output, raw.baseAddress! + offset, raw.count - offset)
                }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 {
                    writeFailed = true
                    return
                }
                offset += written
            }
        }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var pending: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            var start = 0
            for index in 0..<count where buffer[index] == 0x0A {
                pending.append(contentsOf: buffer[start..<index])
                if pending.last == 0x0D { pending.removeLast() }
                route(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
                start = index + 1
            }
            pending.append(contentsOf: buffer[start..<count])
        }
        let open: [AsyncStream<String>.Continuation] = lock.withLock {
            defer {
                inboxes.removeAll()
                mainInbox = nil
            }
            return Array(inboxes.values) + (mainInbox.map { [$0] } ?? [])
        }
        open.forEach { $0.finish() }
    }

    private func route(_ line: String) {
        guard let (job, message) = AnnexJobFrame.split(line) else {
            _ = lock.withLock { mainInbox }?.yield(line)
            return
        }
        var created: AsyncStream<String>?
        let inbox: AsyncStream<String>.Continuation = lock.withLock {
            if let existing = inboxes[job] { return existing }
            let (stream, continuation) = AsyncStream<String>.makeStream()
            inboxes[job] = continuation
            created = stream
            return continuation
        }
        if let created { onNewJob?(job, created) }
        inbox.yield(message)
    }
}
