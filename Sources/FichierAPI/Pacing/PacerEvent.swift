/// What the account-wide pacer reports, for progress events and logs.
public enum PacerEvent: Sendable, Equatable {
    /// Every API call of the account waits this long: 1fichier answered "Flood detected".
    case paused(duration: Duration, providerCode: Int?)
    /// A call failed in a retryable way and will be tried again. The same notice also goes to
    /// the `CallObserver` of the work that made the call, so it can be told to that caller.
    case retrying(RetryNotice)
}

/// A call that failed in a retryable way and is about to be tried again.
public struct RetryNotice: Sendable, Equatable {
    /// The endpoint path, e.g. `file/ls.cgi`.
    public var endpoint: String
    /// The attempt about to start: 2 for the first retry.
    public var attempt: Int
    /// How long the caller waits before that attempt (the backoff, or the flood pause).
    public var delay: Duration
    public var kind: FichierError.Kind
    /// What went wrong, for humans: the error's message (1fichier's text when there was one;
    /// never a key or token URL).
    public var reason: String

    public init(endpoint: String, attempt: Int, delay: Duration, kind: FichierError.Kind, reason: String) {
        self.endpoint = endpoint
        self.attempt = attempt
        self.delay = delay
        self.kind = kind
        self.reason = reason
    }
}
