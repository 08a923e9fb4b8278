import Foundation

/// Runs slow blocking work (Argon2id takes most of a second and 256 MiB) on a thread of its
/// own, so it never occupies one of the few threads of Swift's cooperative pool.
enum BlockingWork {
    static func run<T: Sendable>(name: String = "fichier.blocking", _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = name
            thread.start()
        }
    }
}
