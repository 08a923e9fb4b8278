#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 1fichier API key held outside Swift strings: the bytes live in a manually allocated buffer
/// that is wiped on deinit. Its description is always `<redacted>`.
public final class APIKey: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // Immutable after init; the buffer is only read (withUnsafeBytes) or wiped (deinit).
    private let storage: UnsafeMutableRawPointer
    private let count: Int

    /// Trims surrounding whitespace and newlines. Returns nil when nothing is left, or when the
    /// key holds anything but printable ASCII (a key with CR/LF would break the HTTP header).
    public convenience init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)
        defer { APIKey.wipe(&bytes) }
        self.init(bytes: bytes)
    }

    /// Same rules as the text initializer, from raw bytes (e.g. a vault entry or a key file).
    public init?(bytes: some Collection<UInt8>) {
        var start = bytes.startIndex
        var end = bytes.endIndex
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        while start != end, isSpace(bytes[start]) { start = bytes.index(after: start) }
        var trimmedCount = bytes.distance(from: start, to: end)
        while trimmedCount > 0 {
            let last = bytes.index(start, offsetBy: trimmedCount - 1)
            if isSpace(bytes[last]) { trimmedCount -= 1; end = last } else { break }
        }
        guard trimmedCount > 0 else { return nil }
        for byte in bytes[start..<end] where byte < 0x21 || byte > 0x7E { return nil }
        storage = UnsafeMutableRawPointer.allocate(byteCount: trimmedCount, alignment: 1)
        count = trimmedCount
        var offset = 0
        for byte in bytes[start..<end] {
            storage.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
    }

    deinit {
        explicit_bzero(storage, count)
        storage.deallocate()
    }

    /// Lends the key bytes; don't copy them into long-lived storage.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "APIKey(<redacted>)" }

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { explicit_bzero(base, buffer.count) }
        }
    }
}
