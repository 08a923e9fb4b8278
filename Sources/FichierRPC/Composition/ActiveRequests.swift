import FichierAPI

/// The requests of the 1fichier methods now running, so account-wide events reach them: when
/// 1fichier answers "Flood detected", every API call of the account pauses, and each running
/// request gets `event/job {state: "throttled", retryAfterMs}`.
final class ActiveRequests: Sendable {
    private let contexts = Locked([ObjectIdentifier: RequestContext]())

    func add(_ context: RequestContext) {
        contexts.withLock { $0[ObjectIdentifier(context)] = context }
    }

    func remove(_ context: RequestContext) {
        _ = contexts.withLock { $0.removeValue(forKey: ObjectIdentifier(context)) }
    }

    var all: [RequestContext] {
        contexts.withLock { Array($0.values) }
    }

    /// Passes the pacer's account-wide pauses on to the running requests.
    func forward(_ event: PacerEvent) {
        guard case .paused(let duration, let code) = event else { return }
        let reason = code.map { "1fichier flood protection (#\($0))" } ?? "1fichier flood protection"
        for context in all {
            context.job("throttled", reason: reason, retryAfterMs: duration.millisecondsClamped)
        }
    }
}

extension FichierService {
    /// Runs a handler's body as an active request (it then hears account-wide pauses).
    func tracking<T>(_ context: RequestContext, _ body: () async throws -> T) async throws -> T {
        active.add(context)
        defer { active.remove(context) }
        return try await body()
    }
}

extension FichierService {
    /// A method handler that runs as an active request (see `tracking`).
    func tracked<P: Sendable, R: Sendable>(
        _ body: @escaping @Sendable (P, RequestContext) async throws -> R
    ) -> @Sendable (P, RequestContext) async throws -> R {
        { [self] params, context in
            try await tracking(context) { try await body(params, context) }
        }
    }
}
