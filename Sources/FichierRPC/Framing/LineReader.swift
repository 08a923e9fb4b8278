import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the reader hands over, on its own thread, in input order.
protocol LineReaderDelegate: AnyObject, Sendable {
    /// One line without its LF (and without a trailing CR). The bytes are valid only
    /// during the call.
    func reader(receivedLine line: UnsafeBufferPointer<UInt8>)
    /// A line longer than the limit; `prefix` is its first `limit` bytes. The rest of the
    /// line is skipped without being stored.
    func reader(rejectedOverlongLine prefix: UnsafeBufferPointer<UInt8>)
    /// End of input. `partialBytes` counts an unterminated final line (not processed).
    func readerReachedEnd(partialBytes: Int, error: Int32?)
}

/// Reads the protocol input on a dedicated thread with blocking `read(2)` into one buffer
/// and splits it into lines. It never changes the descriptor's flags.
final class LineReader: @unchecked Sendable {
    private let fd: Int32
    private let maxLineBytes: Int
    private let delegate: any LineReaderDelegate
    private let beforeBatch: () -> Void
    private static let readSize = 64 * 1024

    /// - Parameter beforeBatch: called after each read, before its lines (backpressure hook).
    init(fd: Int32, maxLineBytes: Int, delegate: any LineReaderDelegate, beforeBatch: @escaping () -> Void) {
        self.fd = fd
        self.maxLineBytes = maxLineBytes
        self.delegate = delegate
        self.beforeBatch = beforeBatch
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "fichier.rpc.reader"
        thread.start()
    }

    private func run() {
        // Room for one maximal line (plus CR and LF) and one read.
        var capacity = max(Self.readSize * 2, 1)
        let limit = maxLineBytes + 2 + Self.readSize
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var start = 0       // first byte of the current line
        var end = 0         // end of valid data
        var scanned = 0     // bytes after `start` already known to hold no LF
        var skipping = false

        while true {
            if end == capacity {
                // Make room: drop consumed bytes, then grow if the line is still incomplete.
                if start > 0 {
                    memmove(buffer, buffer + start, end - start)
                    end -= start
                    scanned -= start
                    start = 0
                }
                if end == capacity {
                    let grown = min(capacity * 2, limit)
                    let replacement = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
                    replacement.update(from: buffer, count: end)
                    buffer.deallocate()
                    buffer = replacement
                    capacity = grown
                }
            }
            let count = read(fd, buffer + end, min(capacity - end, Self.readSize))
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    _ = poll(&poller, 1, -1)
                    continue
                }
                delegate.readerReachedEnd(partialBytes: skipping ? 0 : end - start, error: code)
                return
            }
            if count == 0 {
                delegate.readerReachedEnd(partialBytes: skipping ? 0 : end - start, error: nil)
                return
            }
            end += count
            beforeBatch()

            // Deliver every complete line in the buffer.
            while scanned < end {
                let searchFrom = buffer + scanned
                guard let found = memchr(searchFrom, 0x0A, end - scanned) else {
                    scanned = end
                    break
                }
                let newline = buffer + scanned + (found.assumingMemoryBound(to: UInt8.self) - searchFrom)
                let lineEnd = newline - buffer
                if skipping {
                    skipping = false
                } else {
                    var length = lineEnd - start
                    if length > 0 && buffer[start + length - 1] == 0x0D { length -= 1 }
                    let line = UnsafeBufferPointer(start: buffer + start, count: length)
                    if length > maxLineBytes {
                        delegate.reader(rejectedOverlongLine: UnsafeBufferPointer(start: line.baseAddress, count: maxLineBytes))
                    } else if length > 0 {
                        delegate.reader(receivedLine: line)
                    }
                }
                start = lineEnd + 1
                scanned = start
            }

            // An incomplete line: reject it as soon as it is over the limit, then skip the rest.
            if skipping {
                start = end
                scanned = end
            } else if end - start > maxLineBytes + 1 {
                delegate.reader(rejectedOverlongLine: UnsafeBufferPointer(start: buffer + start, count: maxLineBytes))
                skipping = true
                start = end
                scanned = end
            }
            if start == end {
                start = 0
                end = 0
                scanned = 0
            }
        }
    }
}
