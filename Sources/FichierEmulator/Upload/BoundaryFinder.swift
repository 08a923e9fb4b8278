#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds a multipart delimiter (`CRLF--boundary`) in bytes with Boyer–Moore–Horspool: on typical
/// data it inspects about one byte in `delimiter.count`, which keeps the upload path fast.
/// Not Sendable: one per parser.
final class BoundaryFinder {
    let count: Int
    private let pattern: UnsafeMutablePointer<UInt8>
    private let skip: UnsafeMutablePointer<Int>

    init(delimiter: [UInt8]) {
        precondition(!delimiter.isEmpty)
        count = delimiter.count
        pattern = .allocate(capacity: delimiter.count)
        pattern.initialize(from: delimiter, count: delimiter.count)
        skip = .allocate(capacity: 256)
        skip.initialize(repeating: delimiter.count, count: 256)
        for index in 0..<(delimiter.count - 1) {
            skip[Int(delimiter[index])] = delimiter.count - 1 - index
        }
    }

    deinit {
        pattern.deallocate()
        skip.deallocate()
    }

    /// The first byte of the pattern.
    var first: UInt8 { pattern[0] }

    /// Offset of the first full occurrence in `bytes`, or nil.
    func firstMatch(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count >= count else {
            return nil
        }
        let last = pattern[count - 1]
        let limit = bytes.count - count
        var index = 0
        while index <= limit {
            let byte = base[index + count - 1]
            if byte == last, memcmp(base + index, pattern, count - 1) == 0 { return index }
            index += skip[Int(byte)]
        }
        return nil
    }

    /// True when `bytes` equals the pattern's first `bytes.count` bytes.
    func isPrefix(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= count else { return false }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        return memcmp(base, pattern, bytes.count) == 0
    }

    /// The smallest offset in the last `count - 1` bytes from which the rest of `bytes` is a
    /// prefix of the pattern (a delimiter that may continue in the next buffer), or `bytes.count`.
    func partialMatchStart(in bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return bytes.count }
        var index = max(0, bytes.count - (count - 1))
        let firstByte = pattern[0]
        while index < bytes.count {
            guard let hit = memchr(base + index, Int32(firstByte), bytes.count - index) else { break }
            index = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            if memcmp(base + index, pattern, bytes.count - index) == 0 { return index }
            index += 1
        }
        return bytes.count
    }
}
