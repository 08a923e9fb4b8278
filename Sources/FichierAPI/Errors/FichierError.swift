/// Every failure FichierAPI reports. `kind` is stable and machine-readable; `message` is for
/// humans and never carries a secret or a download-token URL; `provider` keeps 1fichier's own
/// text and `#NNN` (not a stable code: it is kept for logs, classification uses the text).
public struct FichierError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable category.
    public enum Kind: String, Sendable, CaseIterable {
        case authMissing = "auth_missing", authRejected = "auth_rejected",
            accountRestricted = "account_restricted", customerOnly = "customer_only",
            ownerLocked = "owner_locked", rateLimited = "rate_limited",
            quotaExceeded = "quota_exceeded", notFound = "not_found", notAllowed = "not_allowed",
            conflict, notEmpty = "not_empty", tooLarge = "too_large", unsupported,
            invalidArgument = "invalid_argument", invalidConfiguration = "invalid_configuration",
            network, providerProtocol = "provider_protocol", localIO = "local_io",
            integrity, cancelled
    }

    /// What 1fichier itself answered, when it answered.
    public struct Provider: Sendable, Equatable {
        public var httpStatus: Int?
        /// The `#NNN` suffix of the message; it names a place in 1fichier's code, not a meaning.
        public var code: Int?
        public var message: String?

        public init(httpStatus: Int? = nil, code: Int? = nil, message: String? = nil) {
            self.httpStatus = httpStatus
            self.code = code
            self.message = message
        }
    }

    public var kind: Kind
    /// For humans; never contains a secret or a token URL.
    public var message: String
    public var provider: Provider?
    /// Whether the same request may succeed if tried again later.
    public var retryable: Bool
    /// How long to wait before trying again, when known (e.g. a flood lock).
    public var retryAfter: Duration?
    /// The request may have taken effect remotely although it failed here (e.g. an upload body
    /// was fully sent and then the connection dropped).
    public var remoteStateUnknown: Bool

    /// Transport facts used by the retry policy; not part of the public surface.
    var transport: TransportFacts?

    public init(_ kind: Kind, _ message: String, provider: Provider? = nil, retryable: Bool = false,
                retryAfter: Duration? = nil, remoteStateUnknown: Bool = false) {
        self.kind = kind
        self.message = message
        self.provider = provider
        self.retryable = retryable
        self.retryAfter = retryAfter
        self.remoteStateUnknown = remoteStateUnknown
        self.transport = nil
    }

    public var description: String {
        var text = "\(kind.rawValue): \(message)"
        if let provider {
            var parts: [String] = []
            if let status = provider.httpStatus { parts.append("HTTP \(status)") }
            if let code = provider.code { parts.append("#\(code)") }
            if !parts.isEmpty { text += " (\(parts.joined(separator: ", ")))" }
        }
        return text
    }
}

/// How far a failed request got, as libcurl saw it.
struct TransportFacts: Sendable, Equatable {
    /// The connection was never established (DNS, refused, connect timeout): the server cannot
    /// have acted on the request, so even a non-idempotent call may be repeated.
    var neverReachedServer: Bool
    /// Request body bytes handed to the connection.
    var bytesSent: Int64
    /// The whole request body was handed to the connection.
    var bodyFullySent: Bool
}

extension FichierError {
    static func cancelled() -> FichierError {
        FichierError(.cancelled, "the operation was cancelled")
    }

    /// Wraps any error thrown by user code (readers, sinks, credential providers).
    static func wrapping(_ error: any Error, as kind: Kind, context: String) -> FichierError {
        if let fichier = error as? FichierError { return fichier }
        if error is CancellationError { return .cancelled() }
        return FichierError(kind, "\(context): \(error)")
    }
}
