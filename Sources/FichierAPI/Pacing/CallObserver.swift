/// Hears about the API calls made for one piece of work, so notices that belong to a caller
/// reach it as they happen: FichierRPC sets one around each request's handler and turns a
/// retry into that request's `event/job {state: "retrying"}`.
///
/// Task-local: it follows child tasks and tasks created with `Task {}` inside the work. Work
/// shared between callers (one folder listing awaited by several requests) reports to the
/// caller that started it.
public struct CallObserver: Sendable {
    /// The observer of the work running now, if any.
    @TaskLocal public static var current: CallObserver?

    /// Called on the calling task before it waits for the retry; must not block.
    public let retrying: @Sendable (RetryNotice) -> Void

    public init(retrying: @escaping @Sendable (RetryNotice) -> Void) {
        self.retrying = retrying
    }
}

extension FichierClient {
    /// Announces a retry to every pacer listener and to the calling work's observer.
    func announceRetry(_ notice: RetryNotice) async {
        await pacer.publish(.retrying(notice))
        CallObserver.current?.retrying(notice)
    }
}
