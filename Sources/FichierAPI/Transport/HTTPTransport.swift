/// HTTP on libcurl (never URLSession): TLS verification on, HTTP/2 where the server offers it,
/// proxy environment variables honoured, no redirects followed, bodies streamed both ways.
/// Many transfers run at once on one driver thread; a cancelled task aborts its transfer at
/// once and gets `FichierError(.cancelled)`.
public final class HTTPTransport: Sendable {
    /// The process-wide transport; its thread lives as long as the process.
    public static let shared = HTTPTransport()

    private let driver: CurlDriver

    public init() {
        driver = CurlDriver()
    }

    deinit {
        driver.stop()
    }

    /// Performs one exchange. With a sink, a 2xx body streams into it (on the transport thread)
    /// and other statuses are buffered into `HTTPResponse.body` for error reporting.
    public func send(_ request: HTTPRequest, sink: (any ResponseSink)? = nil,
                     progress: ProgressHandler? = nil) async throws -> HTTPResponse {
        if Task.isCancelled { throw FichierError.cancelled() }
        let transfer = try CurlTransfer(request: request, sink: sink, progress: progress)
        let driver = self.driver
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                transfer.continuation = continuation
                driver.start(transfer)
            }
        } onCancel: {
            driver.cancel(transfer)
        }
    }
}
