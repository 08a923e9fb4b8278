import Foundation

extension FichierClient {
    /// `download/get_token.cgi`: a temporary direct link (about 5 minutes). `singleUse` sends
    /// `single: 1` (no sub-requests), as rclone does.
    public func downloadToken(url: String, password: String? = nil, cdn: Bool = false,
                              singleUse: Bool = true) async throws -> DownloadToken {
        var body: [String: JSONValue] = ["url": .string(url), "cdn": .integer(cdn ? 1 : 0),
                                         "single": .integer(singleUse ? 1 : 0)]
        if let password { body["pass"] = .string(password) }
        let issued = Date()
        let token = try DownloadToken(json: try await call(.downloadToken, .object(body)), issuedAt: issued)
        try validateTokenURL(token.url)
        return token
    }

    /// Fetches the bytes behind a token (a `range` asks for a 206 slice) and streams them into
    /// `sink` on the transport thread. Not retried: the sink may already hold bytes.
    public func download(token: DownloadToken, range: Range<Int64>? = nil, into sink: any ResponseSink,
                         progress: ProgressHandler? = nil) async throws -> DownloadOutcome {
        try validateTokenURL(token.url)
        var headers = HTTPHeaders()
        headers.add("User-Agent", configuration.userAgent)
        if let range {
            guard range.lowerBound >= 0, !range.isEmpty else {
                throw FichierError(.invalidArgument, "the download range is empty or negative")
            }
            headers.add("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")
        }
        let checked = CheckedDownloadSink(inner: sink, range: range)
        let request = HTTPRequest(method: .get, url: token.url, headers: headers, timeouts: timeouts,
                                  responseBodyLimit: configuration.responseBodyLimit)
        let response: HTTPResponse
        do {
            response = try await transport.send(request, sink: checked, progress: progress)
        } catch {
            var failure = FichierError.wrapping(error, as: .network, context: "download failed")
            failure.transport = nil
            throw failure
        }
        guard response.isSuccess else {
            var error = FichierError.provider(httpStatus: response.status,
                                              message: ResponseInterpreter.looksLikeJSON(response.body)
                                                ? (try? JSONValue.parse(response.body))?.member("message")?.stringValue
                                                : HTMLText.summary(response.body))
            if response.status == 403 || response.status == 404 || response.status == 410 {
                error.message += " (the download link may have expired)"
            }
            error.retryable = false
            throw error
        }
        if let expected = checked.expectedLength, checked.bytesWritten != expected {
            throw FichierError(.network, "the download ended after \(checked.bytesWritten) of \(expected) bytes",
                               retryable: true)
        }
        return DownloadOutcome(status: response.status, bytesWritten: checked.bytesWritten, offset: checked.offset,
                               totalSize: checked.totalSize, contentType: response.headers["Content-Type"])
    }

    func validateTokenURL(_ url: String) throws(FichierError) {
        let lowered = url.lowercased()
        if lowered.hasPrefix("https://") { return }
        if lowered.hasPrefix("http://") {
            let rest = lowered.dropFirst("http://".count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            var host = String(authority)
            if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
                host = String(host[...close])
            } else if let colon = host.lastIndex(of: ":") {
                host = String(host[..<colon])
            }
            if FichierConfiguration.isLoopback(host: host) { return }
        }
        throw FichierError(.providerProtocol, "1fichier handed out a download link that is not https")
    }
}

/// Checks a download's answer before the caller's sink sees it: a range must come back as a
/// 206 starting where asked, a whole file as 200; counts what was written.
final class CheckedDownloadSink: ResponseSink {
    private let inner: any ResponseSink
    private let range: Range<Int64>?
    private(set) var bytesWritten: Int64 = 0
    private(set) var offset: Int64 = 0
    private(set) var totalSize: Int64?
    private(set) var expectedLength: Int64?

    init(inner: any ResponseSink, range: Range<Int64>?) {
        self.inner = inner
        self.range = range
    }

    func begin(status: Int, headers: HTTPHeaders) throws {
        bytesWritten = 0
        let length = headers["Content-Length"].flatMap { Int64($0.trimmingSpaces) }
        if let range {
            guard status == 206 else {
                throw FichierError(.providerProtocol, "asked for a range, the server answered \(status)")
            }
            guard let content = headers["Content-Range"], let parsed = Self.parseContentRange(content) else {
                throw FichierError(.providerProtocol, "a 206 answer without a usable Content-Range")
            }
            guard parsed.first == range.lowerBound else {
                throw FichierError(.providerProtocol, "the server sent a different range than asked")
            }
            offset = parsed.first
            totalSize = parsed.total
            expectedLength = parsed.last - parsed.first + 1
        } else {
            guard status == 200 else {
                throw FichierError(.providerProtocol, "asked for the whole file, the server answered \(status)")
            }
            offset = 0
            totalSize = length
            expectedLength = length
        }
        try inner.begin(status: status, headers: headers)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try inner.write(bytes)
        bytesWritten += Int64(bytes.count)
    }

    /// "bytes FIRST-LAST/TOTAL" (TOTAL may be `*`).
    static func parseContentRange(_ text: String) -> (first: Int64, last: Int64, total: Int64?)? {
        let trimmed = text.trimmingSpaces
        guard trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst("bytes ".count)
        let halves = spec.split(separator: "/", maxSplits: 1)
        guard halves.count == 2 else { return nil }
        let bounds = halves[0].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), last >= first else {
            return nil
        }
        return (first, last, Int64(halves[1]))
    }
}
