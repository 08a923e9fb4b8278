import FichierAPI

/// FichierAPI's failures on the protocol: one kind, one code (the table in RPCErrorCode),
/// with 1fichier's own answer in `data.provider`.
extension FichierError: RPCErrorConvertible {
    public var rpcError: RPCError {
        RPCError.mapping(kind: kind.rawValue, message: message, retryable: retryable,
                         retryAfter: retryAfter,
                         provider: provider.map { ProviderDetail(httpStatus: $0.httpStatus, code: $0.code,
                                                                 message: $0.message) },
                         remoteStateUnknown: remoteStateUnknown)
    }
}

extension RPCError {
    /// This error with `data.path` and `data.subject` (`file` or `folder`) filled in where
    /// they are still empty, so a one-shot command can pick its exit status (3 for a missing
    /// folder, 4 for a missing file).
    func about(path: String?, subject: String?) -> RPCError {
        var error = self
        if error.data.path == nil { error.data.path = path }
        if error.data.subject == nil { error.data.subject = subject }
        return error
    }
}
