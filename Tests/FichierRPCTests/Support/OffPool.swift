import Foundation

/// Runs blocking work (bulk seeding of the emulator) on a Dispatch thread, off Swift's
/// cooperative pool, which has one thread per core: two on CI, shared by every test running.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}
