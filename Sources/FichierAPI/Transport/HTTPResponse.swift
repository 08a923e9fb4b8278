/// What came back. With a sink, `body` stays empty for 2xx answers (the sink got the bytes)
/// and holds the (capped) error page otherwise.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Request body bytes the connection accepted.
    public var bytesSent: Int64
    /// Response body bytes handed to the sink.
    public var bytesReceived: Int64

    public init(status: Int, headers: HTTPHeaders, body: [UInt8], bytesSent: Int64, bytesReceived: Int64) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}
