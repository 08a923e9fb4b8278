import FichierAPI
import FichierRPC
import Foundation
import Logging

/// The fichier side of the special remote: the protocol's methods, called through the same
/// in-process dispatcher as `fichier serve` and the one-shot verbs (no second HTTP path).
/// Events of a call (progress, flood pauses) reach the handler given with that call.
final class AnnexBackend: Sendable {
    typealias EventHandler = @Sendable (_ method: String, _ params: JSONValue) -> Void

    private let connection: Connection
    private let session: OneShotSession
    private let handlers: Locked<[String: EventHandler]>
    private let counter = Locked<Int>(0)

    private init(connection: Connection, session: OneShotSession, handlers: Locked<[String: EventHandler]>) {
        self.connection = connection
        self.session = session
        self.handlers = handlers
    }

    /// Opens the connection (no network traffic yet) and starts the in-process dispatcher.
    static func open(_ options: ConnectionOptions) async throws -> AnnexBackend {
        let connection = try await Connection.open(options, logger: Logger(label: "fichier.api"))
        var configuration = ServerConfiguration()
        configuration.maxTransfers = 4
        configuration.maxInFlight = 256
        let handlers = Locked<[String: EventHandler]>([:])
        do {
            let session = try OneShotSession(methods: connection.methods(), configuration: configuration,
                                             logger: Logger(label: "fichier.rpc")) { method, params, label in
                guard !label.isEmpty, let handler = handlers.withLock({ $0[label] }) else { return }
                handler(method, params)
            }
            return AnnexBackend(connection: connection, session: session, handlers: handlers)
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Calls `method`; `onEvent` gets the request's `event/*` notifications until it answers.
    func call(_ method: String, _ params: JSONValue, onEvent: EventHandler? = nil) async -> OneShotSession.Reply {
        guard let onEvent else { return await session.call(method, params) }
        let label = "annex-\(counter.withLock { value -> Int in value += 1; return value })"
        handlers.withLock { $0[label] = onEvent }
        defer { handlers.withLock { $0[label] = nil } }
        return await session.call(method, params, label: label)
    }

    /// Ends the dispatcher (what still runs is cancelled and cleans up) and the connection.
    func close() async {
        await session.close()
        await connection.close()
    }
}
