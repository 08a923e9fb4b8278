/// The protocol's error code table: the single source of the numbers, kinds, default
/// retryability and one-shot exit codes. `protocol/PROTOCOL.md` documents the same table;
/// the numbers are stable once published.
public enum RPCErrorCode: Int, CaseIterable, Sendable {
    // JSON-RPC and protocol errors.
    case parseError = -32700
    case invalidRequest = -32600
    case methodNotFound = -32601
    case invalidParams = -32602
    case internalError = -32603
    case notInitialized = -32002
    case cancelled = -32800
    // Session.
    case unsupportedVersion = 1001
    case capabilityRequired = 1002
    case shuttingDown = 1003
    case busy = 1004
    // Credentials and account.
    case authMissing = 1100
    case authRejected = 1101
    case accountRestricted = 1102
    case customerOnly = 1103
    case ownerLocked = 1104
    // Rate and quota.
    case rateLimited = 1200
    case quotaExceeded = 1201
    // Remote items.
    case notFound = 1300
    case conflict = 1301
    case notEmpty = 1302
    case tooLarge = 1303
    case unsupported = 1304
    case notAllowed = 1305
    case invalidArgument = 1306
    // Local side.
    case localIO = 1400
    case integrity = 1401
    case invalidConfiguration = 1402
    // Network and provider.
    case network = 1500
    case providerProtocol = 1501
    // Vault and keys.
    case vaultLocked = 1600
    case vaultBadSecret = 1601
    case vaultCorrupt = 1602
    case keyMissing = 1603
    case vaultMissing = 1604
    case outOfMemory = 1605
    case kdfLimit = 1606

    /// The stable snake_case kind that `error.data.kind` carries by default.
    public var kind: String {
        switch self {
        case .parseError: "parse_error"
        case .invalidRequest: "invalid_request"
        case .methodNotFound: "method_not_found"
        case .invalidParams: "invalid_params"
        case .internalError: "internal_error"
        case .notInitialized: "not_initialized"
        case .cancelled: "cancelled"
        case .unsupportedVersion: "unsupported_version"
        case .capabilityRequired: "capability_required"
        case .shuttingDown: "shutting_down"
        case .busy: "busy"
        case .authMissing: "auth_missing"
        case .authRejected: "auth_rejected"
        case .accountRestricted: "account_restricted"
        case .customerOnly: "customer_only"
        case .ownerLocked: "owner_locked"
        case .rateLimited: "rate_limited"
        case .quotaExceeded: "quota_exceeded"
        case .notFound: "not_found"
        case .conflict: "conflict"
        case .notEmpty: "not_empty"
        case .tooLarge: "too_large"
        case .unsupported: "unsupported"
        case .notAllowed: "not_allowed"
        case .invalidArgument: "invalid_argument"
        case .localIO: "local_io"
        case .integrity: "integrity"
        case .invalidConfiguration: "invalid_configuration"
        case .network: "network"
        case .providerProtocol: "provider_protocol"
        case .vaultLocked: "vault_locked"
        case .vaultBadSecret: "vault_bad_secret"
        case .vaultCorrupt: "vault_corrupt"
        case .keyMissing: "key_missing"
        case .vaultMissing: "vault_missing"
        case .outOfMemory: "out_of_memory"
        case .kdfLimit: "kdf_limit"
        }
    }

    /// Whether retrying the same request may succeed, when the source of the error says
    /// nothing more precise (a FichierError carries its own `retryable`).
    public var retryableByDefault: Bool {
        switch self {
        case .busy, .rateLimited, .network: true
        default: false
        }
    }

    /// The exit status of a one-shot command that fails with this code. `not_found` is 4
    /// for a file and 3 for a folder (`data.subject == "folder"`); see `exitStatus(for:)`.
    public var exitCode: Int32 {
        switch self {
        case .parseError, .invalidRequest, .methodNotFound, .invalidParams, .notInitialized,
             .unsupportedVersion, .capabilityRequired, .invalidArgument, .invalidConfiguration:
            2
        case .internalError, .shuttingDown, .providerProtocol: 1
        case .cancelled: 130
        case .busy, .rateLimited, .network: 5
        case .authMissing, .authRejected, .accountRestricted, .customerOnly, .ownerLocked: 7
        case .quotaExceeded: 8
        case .notFound: 4
        case .conflict, .notEmpty, .tooLarge, .unsupported, .notAllowed, .localIO, .integrity: 6
        case .vaultLocked, .keyMissing, .vaultMissing: 10
        case .vaultCorrupt: 11
        case .vaultBadSecret: 12
        case .outOfMemory: 13
        case .kdfLimit: 14
        }
    }

    /// A short human summary, used as the message when nothing better is known.
    public var summary: String {
        switch self {
        case .parseError: "the line is not UTF-8 JSON"
        case .invalidRequest: "the message is not a valid request"
        case .methodNotFound: "unknown method"
        case .invalidParams: "invalid params"
        case .internalError: "internal error"
        case .notInitialized: "initialize must come first"
        case .cancelled: "cancelled"
        case .unsupportedVersion: "no common protocol version"
        case .capabilityRequired: "the client lacks a required capability"
        case .shuttingDown: "the server is shutting down"
        case .busy: "too many requests in flight"
        case .authMissing: "no API key is available"
        case .authRejected: "the API key was rejected"
        case .accountRestricted: "the account may not do this"
        case .customerOnly: "a paying account is required"
        case .ownerLocked: "the owner's account is locked"
        case .rateLimited: "rate limited by the provider"
        case .quotaExceeded: "storage or bandwidth quota exceeded"
        case .notFound: "not found"
        case .conflict: "conflict"
        case .notEmpty: "the folder is not empty"
        case .tooLarge: "too large for the provider"
        case .unsupported: "not supported"
        case .notAllowed: "not allowed"
        case .invalidArgument: "the provider rejected an argument"
        case .localIO: "local input/output error"
        case .integrity: "integrity check failed"
        case .invalidConfiguration: "invalid configuration"
        case .network: "network error"
        case .providerProtocol: "unexpected reply from the provider"
        case .vaultLocked: "the vault is locked"
        case .vaultBadSecret: "wrong vault passphrase or key file"
        case .vaultCorrupt: "the vault is unreadable"
        case .keyMissing: "the key is not in the vault"
        case .vaultMissing: "there is no vault"
        case .outOfMemory: "the key derivation could not allocate its memory"
        case .kdfLimit: "the vault asks for more key-derivation work than allowed"
        }
    }

    /// The code for a kind string (`data.kind` or a lower layer's error kind), if the table has it.
    public init?(kind: String) {
        guard let code = Self.byKind[kind] else { return nil }
        self = code
    }

    private static let byKind: [String: RPCErrorCode] = {
        var table: [String: RPCErrorCode] = [:]
        for code in RPCErrorCode.allCases { table[code.kind] = code }
        return table
    }()
}

/// The exit status of a one-shot command that failed with `error`: the table's value, with
/// `not_found` on a folder giving 3. Codes outside the table give 1 (failure).
public func exitStatus(for error: RPCError) -> Int32 {
    guard let code = RPCErrorCode(rawValue: error.code) else { return 1 }
    if code == .notFound && error.data.subject == "folder" { return 3 }
    return code.exitCode
}
