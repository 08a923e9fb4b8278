import Foundation

/// A value guarded by a lock, for state shared between threads (the transport thread, the
/// server's reader and writer threads, handler tasks). A reference, so closures and several
/// owners can share it. Keep critical sections short; never await inside one.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with the value, holding the lock.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the value.
    public var current: Value {
        withLock { $0 }
    }
}
