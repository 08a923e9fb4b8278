/// What the account-wide pacer reports, for progress events and logs.
public enum PacerEvent: Sendable, Equatable {
    /// Every API call of the account waits this long: 1fichier answered "Flood detected".
    case paused(duration: Duration, providerCode: Int?)
    /// A call failed in a retryable way and will be tried again after `delay`.
    case retrying(endpoint: String, attempt: Int, delay: Duration, kind: FichierError.Kind)
}
