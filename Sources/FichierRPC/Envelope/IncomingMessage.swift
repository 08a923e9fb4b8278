/// One inbound line, classified.
enum IncomingMessage {
    /// Empty or whitespace only: ignored.
    case blank
    /// A request: it gets exactly one terminal response.
    case request(id: RequestID, method: String, params: Range<Int>?)
    /// A notification: never answered.
    case notification(method: String, params: Range<Int>?)
}

/// Why a line is not an acceptable message, and how to answer it.
struct EnvelopeRejection: Error {
    var code: RPCErrorCode
    var kind: String
    var message: String
    /// The request id when it could be read, so the client can match the error.
    var id: RequestID?

    var rpcError: RPCError {
        var error = RPCError(code, message, kind: kind)
        if code == .invalidParams {
            error.data.errors = [ParamProblem(path: "", problem: message)]
        }
        return error
    }
}
