/// `error.data`: the machine-readable part of an error.
public struct ErrorData: Sendable, Equatable {
    /// Stable snake_case kind; may be finer than the code's own kind.
    public var kind: String
    /// Whether sending the same request again may succeed.
    public var retryable: Bool
    /// How long to wait before retrying, when known.
    public var retryAfterMs: Int?
    /// What 1fichier itself said.
    public var provider: ProviderDetail?
    /// For -32602: each offending field.
    public var errors: [ParamProblem]?
    /// For -32800 and failures part-way: what was already done.
    public var partial: JSONFragment?
    /// The remote or local path concerned.
    public var path: String?
    /// `file` or `folder`, when it matters (not_found).
    public var subject: String?
    /// The operation may have taken effect remotely although it failed (e.g. an upload body
    /// was sent completely before the connection broke).
    public var remoteStateUnknown: Bool?
    /// For 1001: the versions the server speaks and those the client asked for.
    public var supported: [Int]?
    public var requested: [Int]?

    public init(kind: String, retryable: Bool, retryAfterMs: Int? = nil,
                provider: ProviderDetail? = nil, errors: [ParamProblem]? = nil,
                partial: JSONFragment? = nil, path: String? = nil, subject: String? = nil,
                remoteStateUnknown: Bool? = nil, supported: [Int]? = nil, requested: [Int]? = nil) {
        self.kind = kind
        self.retryable = retryable
        self.retryAfterMs = retryAfterMs
        self.provider = provider
        self.errors = errors
        self.partial = partial
        self.path = path
        self.subject = subject
        self.remoteStateUnknown = remoteStateUnknown
        self.supported = supported
        self.requested = requested
    }
}

/// 1fichier's own account of a failure: HTTP status, its `#NNN` code and its message.
public struct ProviderDetail: Sendable, Equatable {
    public var httpStatus: Int?
    public var code: Int?
    public var message: String?

    public init(httpStatus: Int? = nil, code: Int? = nil, message: String? = nil) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
    }
}

/// One offending field of an invalid params object.
public struct ParamProblem: Sendable, Equatable {
    /// Dotted path relative to `params` (`items[2].local`); empty for params itself.
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
}
