/// Maps a failure reported by a lower layer to the protocol's error, by its kind string.
///
/// FichierAPI's `FichierError` and the vault's errors describe themselves with the same
/// snake_case kinds as the code table (`auth_missing`, `rate_limited`, `not_found`,
/// `vault_locked` …). Wiring one in is a single file, for example `FichierError+RPC.swift`:
///
///     extension FichierError: RPCErrorConvertible {
///         public var rpcError: RPCError {
///             RPCError.mapping(kind: kind.rawValue, message: message, retryable: retryable,
///                              retryAfter: retryAfter,
///                              provider: provider.map { ProviderDetail(httpStatus: $0.httpStatus,
///                                                                      code: $0.code,
///                                                                      message: $0.message) },
///                              remoteStateUnknown: remoteStateUnknown)
///         }
///     }
extension RPCError {
    /// The error for a lower layer's failure `kind`. `retryable` nil takes the table's
    /// default; `cancelled` becomes -32800; a kind the table does not know becomes -32603
    /// with that kind kept in `data.kind`.
    public static func mapping(kind: String, message: String, retryable: Bool? = nil,
                               retryAfter: Duration? = nil, provider: ProviderDetail? = nil,
                               remoteStateUnknown: Bool = false, path: String? = nil) -> RPCError {
        let code = RPCErrorCode(kind: kind) ?? .internalError
        var error = RPCError(code, message, kind: kind, retryable: retryable)
        error.data.retryAfterMs = retryAfter.map { $0.millisecondsClamped }
        error.data.provider = provider
        error.data.remoteStateUnknown = remoteStateUnknown ? true : nil
        error.data.path = path
        return error
    }

    /// The protocol error for anything a handler threw. `cancelled` is true when the request
    /// was cancelled (by `$/cancel`, shutdown, EOF or a signal): every failure then reports
    /// -32800, keeping the handler's `partial` if it gave one.
    static func from(_ error: any Error, cancelled: Bool) -> RPCError {
        var mapped: RPCError
        switch error {
        case let rpc as RPCError: mapped = rpc
        case let convertible as any RPCErrorConvertible: mapped = convertible.rpcError
        case is CancellationError: mapped = .cancelled()
        default: mapped = RPCError(.internalError, "internal error: \(type(of: error))")
        }
        if cancelled && mapped.code != RPCErrorCode.cancelled.rawValue {
            var cancelledError = RPCError.cancelled(partial: mapped.data.partial)
            cancelledError.data.remoteStateUnknown = mapped.data.remoteStateUnknown
            return cancelledError
        }
        return mapped
    }
}
