/// One HTTP exchange for `HTTPTransport`.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", head = "HEAD", put = "PUT", delete = "DELETE"
    }

    /// Limits that abort a transfer.
    public struct Timeouts: Sendable, Equatable {
        public var connect: Duration
        /// Abort when fewer than `lowSpeedLimit` bytes/s move for this long.
        public var lowSpeedTime: Duration
        public var lowSpeedLimit: Int
        /// Whole-transfer limit; nil for none (large uploads and downloads).
        public var total: Duration?

        public init(connect: Duration = .seconds(30), lowSpeedTime: Duration = .seconds(120),
                    lowSpeedLimit: Int = 1, total: Duration? = nil) {
            self.connect = connect
            self.lowSpeedTime = lowSpeedTime
            self.lowSpeedLimit = lowSpeedLimit
            self.total = total
        }
    }

    public var method: Method
    public var url: String
    public var headers: HTTPHeaders
    public var body: HTTPRequestBody
    public var timeouts: Timeouts
    /// Sent as `Authorization: Bearer …`; the header is built in a buffer wiped after use,
    /// never in a Swift string.
    public var bearer: APIKey?
    /// Largest response body kept in memory when no sink takes it.
    public var responseBodyLimit: Int
    /// Ask for gzip/deflate/br (for buffered JSON; not for byte-exact downloads).
    public var acceptCompressed: Bool

    public init(method: Method, url: String, headers: HTTPHeaders = HTTPHeaders(),
                body: HTTPRequestBody = .none, timeouts: Timeouts = Timeouts(), bearer: APIKey? = nil,
                responseBodyLimit: Int = 64 << 20, acceptCompressed: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.bearer = bearer
        self.responseBodyLimit = responseBodyLimit
        self.acceptCompressed = acceptCompressed
    }
}

/// A request body: nothing, a small byte array, or a stream with an exact length.
public enum HTTPRequestBody: Sendable {
    case none
    case bytes([UInt8])
    case stream(any UploadBody)

    var length: Int64 {
        switch self {
        case .none: return 0
        case .bytes(let bytes): return Int64(bytes.count)
        case .stream(let body): return body.length
        }
    }
}
