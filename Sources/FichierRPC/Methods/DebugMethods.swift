import FichierAPI
import Foundation

/// `debug/*` methods, registered only with `--debug-methods`: they let tests and client
/// authors exercise cancellation, errors, ordering, queueing and progress without 1fichier.
enum DebugMethods {
    /// Counts handler starts, so ordering tests can see in which order bodies ran.
    final class StartCounter: Sendable {
        private let value = Locked(0)
        func next() -> Int {
            value.withLock { value in
                value += 1
                return value
            }
        }
    }

    struct SleepParams: Decodable, Sendable {
        var ms: Int
        /// Requests with the same key run in arrival order.
        var key: String?
        /// Keep sleeping when cancelled (to test the grace period and a second signal).
        var ignoreCancel: Bool?
    }

    struct SleepResult: Codable, Sendable {
        var sleptMs: Int
        /// Position of this handler's start among all debug handler starts.
        var order: Int
    }

    struct EchoParams: Codable, Sendable {
        var text: String?
        var number: Int?
    }

    struct ErrorParams: Decodable, Sendable {
        var code: Int
        var message: String?
        var retryAfterMs: Int?
    }

    struct TransferParams: Decodable, Sendable {
        var bytes: Int64
        var chunks: Int
        var intervalMs: Int
        /// Pause before the last chunk, without progress (heartbeat tests).
        var stallMs: Int?
        var key: String?
    }

    struct TransferResult: Codable, Sendable {
        var bytes: Int64
        var order: Int
    }

    struct PrintParams: Decodable, Sendable {
        var text: String
    }

    struct Partial: Encodable {
        var bytesDone: Int64?
        var sleptMs: Int?
    }

    struct Failure: Error {}

    static let names = ["debug/echo", "debug/error", "debug/print", "debug/sleep", "debug/transfer"]

    static func register(in registry: inout MethodRegistry) {
        let counter = StartCounter()

        registry.register("debug/sleep", orderedBy: { (params: SleepParams) in params.key.map { [$0] } ?? [] }) {
            (params: SleepParams, _: RequestContext) async throws -> SleepResult in
            guard params.ms >= 0 else { throw RPCError.invalidParams(path: "ms", problem: "must not be negative") }
            let order = counter.next()
            let started = ContinuousClock.now
            if params.ignoreCancel == true {
                // A timer that cancellation does not interrupt (Task.sleep would throw at once).
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(params.ms)) {
                        continuation.resume()
                    }
                }
                return SleepResult(sleptMs: params.ms, order: order)
            }
            do {
                try await Task.sleep(for: .milliseconds(params.ms))
            } catch {
                let slept = (ContinuousClock.now - started).millisecondsClamped
                throw RPCError.cancelled(partial: try? JSONFragment(encoding: Partial(sleptMs: slept)))
            }
            return SleepResult(sleptMs: params.ms, order: order)
        }

        registry.register("debug/echo") { (params: EchoParams, _: RequestContext) in params }

        registry.register("debug/error") { (params: ErrorParams, _: RequestContext) async throws -> EmptyResult in
            if params.code == RPCErrorCode.internalError.rawValue {
                throw Failure()  // not an RPCError: the dispatcher must turn it into -32603
            }
            guard let code = RPCErrorCode(rawValue: params.code) else {
                throw RPCError.invalidParams(path: "code", problem: "not a code of the error table")
            }
            var error = RPCError(code, params.message)
            error.data.retryAfterMs = params.retryAfterMs
            throw error
        }

        registry.register("debug/print") { (params: PrintParams, _: RequestContext) -> EmptyResult in
            // A stray write to standard output, as a careless library would do. `serve`
            // points descriptor 1 at stderr, so this must never reach the protocol stream.
            print(params.text)
            FileHandle.standardOutput.write(Data((params.text + "\n").utf8))
            return EmptyResult()
        }

        registry.register("debug/transfer", kind: .transfer,
                          orderedBy: { (params: TransferParams) in params.key.map { [$0] } ?? [] }) {
            (params: TransferParams, context: RequestContext) async throws -> TransferResult in
            guard params.chunks > 0, params.bytes >= 0, params.intervalMs >= 0 else {
                throw RPCError.invalidParams(path: "chunks", problem: "chunks must be positive, bytes and intervalMs not negative")
            }
            let order = counter.next()
            var done: Int64 = 0
            context.log(.info, "debug transfer of \(params.bytes) bytes in \(params.chunks) chunks")
            context.progress(phase: "uploading", bytesDone: 0, bytesTotal: params.bytes)
            do {
                for chunk in 1...params.chunks {
                    if chunk == params.chunks, let stall = params.stallMs {
                        try await Task.sleep(for: .milliseconds(stall))
                    }
                    try await Task.sleep(for: .milliseconds(params.intervalMs))
                    done = params.bytes * Int64(chunk) / Int64(params.chunks)
                    context.progress(phase: "uploading", bytesDone: done, bytesTotal: params.bytes)
                }
            } catch {
                throw RPCError.cancelled(partial: try? JSONFragment(encoding: Partial(bytesDone: done)))
            }
            return TransferResult(bytes: params.bytes, order: order)
        }
    }
}
