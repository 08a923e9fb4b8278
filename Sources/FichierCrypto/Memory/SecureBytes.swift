import CSodium
import Foundation

/// A fixed-size secret held in `sodium_malloc` memory: guard pages around it, locked against
/// swapping (`mlock`, best effort), excluded from core dumps where the kernel allows, wiped by
/// `sodium_free` when released.
///
/// The bytes are filled once at creation and then made read-only (`sodium_mprotect_readonly`),
/// so a stray write faults instead of silently corrupting a key. Instances created with
/// `guardWhenIdle: true` are kept `PROT_NONE` between accesses. Reads through
/// `withUnsafeBytes` are safe from any thread.
public final class SecureBytes: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    /// Number of secret bytes.
    public let count: Int
    private let guardWhenIdle: Bool
    private let lock = NSLock()
    private var readers = 0

    /// Allocates `count` bytes and lets `initializer` fill them before they are sealed read-only.
    /// Throws what the initializer throws (the memory is wiped and freed first).
    public init(count: Int, guardWhenIdle: Bool = false,
                initializer: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        Sodium.ensureInitialized()
        precondition(count >= 0, "SecureBytes count must not be negative")
        // sodium_malloc(0) is valid, but keep one byte so the pointer is always usable.
        guard let pointer = sodium_malloc(Swift.max(count, 1)) else {
            // Allocation of a few pages failed: the process is out of memory or address space.
            fatalError("sodium_malloc could not allocate \(count) bytes")
        }
        sodium_memzero(pointer, Swift.max(count, 1))
        do {
            try initializer(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        } catch {
            sodium_free(pointer)
            throw error
        }
        self.base = pointer
        self.count = count
        self.guardWhenIdle = guardWhenIdle
        if guardWhenIdle {
            _ = sodium_mprotect_noaccess(pointer)
        } else {
            _ = sodium_mprotect_readonly(pointer)
        }
    }

    /// `count` bytes from libsodium's CSPRNG.
    public convenience init(randomCount count: Int, guardWhenIdle: Bool = false) {
        self.init(count: count, guardWhenIdle: guardWhenIdle) { Sodium.randomBytes($0) }
    }

    /// A copy of `bytes`. The caller remains responsible for wiping its own copy.
    public convenience init(copying bytes: UnsafeRawBufferPointer, guardWhenIdle: Bool = false) {
        self.init(count: bytes.count, guardWhenIdle: guardWhenIdle) { target in
            if let source = bytes.baseAddress, bytes.count > 0 {
                target.baseAddress!.copyMemory(from: source, byteCount: bytes.count)
            }
        }
    }

    /// A copy of `bytes` (for non-secret or already-exposed input such as test vectors).
    public convenience init(_ bytes: some Collection<UInt8>, guardWhenIdle: Bool = false) {
        let array = Array(bytes)
        self.init(count: array.count, guardWhenIdle: guardWhenIdle) { target in
            for (index, byte) in array.enumerated() { target[index] = byte }
        }
    }

    deinit {
        // sodium_free makes the region writable again, wipes it and unmaps it.
        sodium_free(base)
    }

    /// Read access to the secret bytes. Do not let the pointer escape the closure.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if guardWhenIdle {
            lock.lock()
            if readers == 0 { _ = sodium_mprotect_readonly(base) }
            readers += 1
            lock.unlock()
        }
        defer {
            if guardWhenIdle {
                lock.lock()
                readers -= 1
                if readers == 0 { _ = sodium_mprotect_noaccess(base) }
                lock.unlock()
            }
        }
        return try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Constant-time comparison (`sodium_memcmp`); sizes are public.
    public func constantTimeEquals(_ other: SecureBytes) -> Bool {
        guard count == other.count else { return false }
        if count == 0 { return true }
        return withUnsafeBytes { a in
            other.withUnsafeBytes { b in sodium_memcmp(a.baseAddress!, b.baseAddress!, count) == 0 }
        }
    }

    /// A new secret holding `range` of this one.
    public func slice(_ range: Range<Int>) -> SecureBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice out of bounds")
        return withUnsafeBytes { source in
            SecureBytes(copying: UnsafeRawBufferPointer(rebasing: source[range]))
        }
    }

    /// The bytes as UTF-8 text, for the last step where an API needs a `String`
    /// (such as an HTTP header). Returns nil if the bytes are not valid UTF-8.
    public func unsafeStringCopy() -> String? {
        withUnsafeBytes { raw in
            String(validating: raw.bindMemory(to: UInt8.self), as: UTF8.self)
        }
    }
}

extension SecureBytes: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never reveals the contents.
    public var description: String { "<secret \(count) bytes>" }
    public var debugDescription: String { description }
}
