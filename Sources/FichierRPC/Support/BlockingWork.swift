import Dispatch

/// Runs blocking system calls (fsync of a large file, a rename) on a Dispatch thread instead
/// of the cooperative pool, which has one thread per core: a flush of gigabytes must not stall
/// every other request meanwhile.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

/// Hands a non-Sendable value to one other thread that alone uses it meanwhile.
struct HandOff<Value>: @unchecked Sendable {
    let value: Value
}
