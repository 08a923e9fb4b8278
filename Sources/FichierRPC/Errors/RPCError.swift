/// A protocol error: the JSON-RPC `error` object of a terminal response.
/// Handlers throw it (or any `RPCErrorConvertible`); anything else becomes -32603.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: ErrorData

    public init(code: Int, message: String, data: ErrorData) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// An error from the table, with `data.kind` set to the code's kind unless `kind` names a
    /// finer one (for example `line_too_long` under -32600).
    public init(_ code: RPCErrorCode, _ message: String? = nil, kind: String? = nil,
                retryable: Bool? = nil) {
        self.code = code.rawValue
        self.message = message ?? code.summary
        self.data = ErrorData(kind: kind ?? code.kind, retryable: retryable ?? code.retryableByDefault)
    }

    public var description: String {
        "\(message) (\(code) \(data.kind))"
    }

    /// -32602 naming the offending field (`path` relative to params, dotted, `[n]` for items).
    public static func invalidParams(path: String, problem: String) -> RPCError {
        var error = RPCError(.invalidParams, "invalid params: \(path.isEmpty ? "params" : path): \(problem)")
        error.data.errors = [ParamProblem(path: path, problem: problem)]
        return error
    }

    /// -32800, with what was already done where the handler can tell.
    public static func cancelled(partial: JSONFragment? = nil) -> RPCError {
        var error = RPCError(.cancelled, "request cancelled")
        error.data.partial = partial
        return error
    }
}

/// Lets an error from a lower layer (FichierAPI's `FichierError`, the vault's errors) say
/// how it appears on the protocol. Conformances live next to the mapping, one file each.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}
