import Foundation
import Logging

extension FichierClient {
    /// rclone's limit, 1fichier's per-file maximum for customers: 300 GB (decimal).
    public static let maxUploadSize: Int64 = 300_000_000_000

    /// `upload/get_upload_server.cgi`: a fresh node and upload id (never reuse them).
    public func uploadServer() async throws -> UploadServer {
        try UploadServer(json: try await call(.uploadServer))
    }

    /// Uploads `body` as `name` (user form) into `folder`:
    /// get_upload_server → node `upload.cgi` (multipart `did` + `file[]`, exact Content-Length,
    /// streamed) → `end.pl` (`JSON: 1`).
    ///
    /// A node failure page ("Ne peut ouvrir le fichier destination") or a connection that never
    /// opened is retried once on a fresh node; a body that was sent is never re-sent blindly.
    /// Errors after the body was sent carry `remoteStateUnknown = true`. With `verifyChecksum`
    /// the bytes are hashed while they stream and compared with end.pl's Whirlpool.
    public func upload(_ body: any UploadBody, named name: String, to folder: FolderID,
                       progress: ProgressHandler? = nil, verifyChecksum: Bool = false) async throws -> UploadedFile {
        guard body.length > 0 else {
            throw FichierError(.unsupported, "1fichier cannot store empty files")
        }
        guard body.length <= Self.maxUploadSize else {
            throw FichierError(.tooLarge, "1fichier stores files up to 300 GB; this one has \(body.length) bytes")
        }
        let wireName = try Self.wireName(name)
        let filename = NameCodec.multipartFilename(name)
        let hashing = verifyChecksum ? HashingUploadBody(body) : nil
        let source: any UploadBody = hashing ?? body

        var nodeAttempt = 0
        while true {
            nodeAttempt += 1
            let server = try await uploadServer()
            let outcome = try await postToNode(server: server, body: source, filename: filename, folder: folder,
                                               progress: progress)
            switch outcome {
            case .stored(let xid):
                let file = try await finishUpload(node: server.node, xid: xid, expectedSize: body.length,
                                                  expectedWhirlpool: hashing?.whirlpool, folder: folder,
                                                  wireName: wireName)
                return file
            case .retryOnFreshNode(let error):
                if nodeAttempt >= 2 { throw error }
                logger.info("upload node failed; retrying once on a fresh node",
                            metadata: ["node": "\(server.node)", "reason": "\(error.message)"])
                await pacer.publish(.retrying(endpoint: Endpoint.uploadFile.path, attempt: nodeAttempt + 1,
                                              delay: .zero, kind: error.kind))
            }
        }
    }

    /// `end.pl?xid=…` with `JSON: 1` and the Bearer key. A "please wait" HTML page is asked
    /// again a few times with growing delays.
    public func uploadReport(node: String, xid: String) async throws -> UploadReport {
        guard UploadServer.isValidNode(node) else { throw FichierError(.invalidArgument, "invalid upload node") }
        guard !xid.isEmpty, xid.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw FichierError(.invalidArgument, "invalid upload id")
        }
        var delay = configuration.uploadReportDelay
        var attempt = 0
        while true {
            attempt += 1
            try await pacer.acquire()
            let key = try await apiKey()
            var headers = HTTPHeaders()
            headers.add("JSON", "1")
            headers.add("Accept", "application/json")
            headers.add("User-Agent", configuration.userAgent)
            let request = HTTPRequest(method: .get,
                                      url: Endpoint.uploadReport.url(scheme: configuration.scheme, node: node, query: "xid=\(xid)"),
                                      headers: headers, timeouts: timeouts, bearer: key,
                                      responseBodyLimit: configuration.responseBodyLimit, acceptCompressed: true)
            var failure: FichierError
            do throws(FichierError) {
                let response: HTTPResponse
                do {
                    response = try await transport.send(request)
                } catch {
                    throw FichierError.wrapping(error, as: .network, context: "upload report failed")
                }
                if response.isSuccess, !ResponseInterpreter.looksLikeJSON(response.body) {
                    failure = FichierError(.providerProtocol, "the upload node answered an HTML page instead of its report",
                                           provider: .init(httpStatus: response.status, code: nil,
                                                           message: HTMLText.summary(response.body)),
                                           retryable: true)
                } else {
                    let json = try ResponseInterpreter.object(from: response)
                    await pacer.succeeded()
                    return try UploadReport(json: json)
                }
            } catch {
                failure = error
            }
            if failure.kind == .cancelled { throw failure }
            if failure.isFloodLock {
                _ = await pacer.flooded(providerCode: failure.provider?.code, atLeast: failure.retryAfter)
            }
            guard failure.retryable, attempt < configuration.uploadReportAttempts else { throw failure }
            await pacer.publish(.retrying(endpoint: Endpoint.uploadReport.path, attempt: attempt + 1, delay: delay,
                                          kind: failure.kind))
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw FichierError.cancelled()
            }
            delay = min(delay * 2, max(configuration.maxBackoff, configuration.uploadReportDelay))
        }
    }

    // MARK: - Steps

    enum NodeOutcome {
        /// The node redirected to end.pl; the report id to ask for.
        case stored(xid: String)
        /// Nothing was stored and a fresh node may do better.
        case retryOnFreshNode(FichierError)
    }

    /// The multipart POST. Never retried here; the caller decides from the outcome.
    func postToNode(server: UploadServer, body: any UploadBody, filename: String, folder: FolderID,
                    progress: ProgressHandler?) async throws(FichierError) -> NodeOutcome {
        let multipart = MultipartUploadBody(file: body, filename: filename, folder: folder)
        let prefixLength = Int64(multipart.prefix.count)
        let fileLength = body.length
        var bodyProgress: ProgressHandler?
        if let progress {
            bodyProgress = { @Sendable (update: TransferProgress) in
                let done = min(max(update.bytesDone - prefixLength, 0), fileLength)
                progress(TransferProgress(bytesDone: done, bytesTotal: fileLength))
            }
        }
        try await pacer.acquire()
        let key = try await apiKey()
        var headers = HTTPHeaders()
        headers.add("Content-Type", multipart.contentType)
        headers.add("User-Agent", configuration.userAgent)
        let url = Endpoint.uploadFile.url(scheme: configuration.scheme, node: server.node, query: "id=\(server.id)")
        let request = HTTPRequest(method: .post, url: url, headers: headers, body: .stream(multipart),
                                  timeouts: timeouts, bearer: key, responseBodyLimit: 1 << 20)
        let response: HTTPResponse
        do {
            response = try await transport.send(request, progress: bodyProgress)
        } catch {
            var failure = FichierError.wrapping(error, as: .network, context: "upload failed")
            let facts = failure.transport
            if failure.kind == .network, facts?.neverReachedServer == true {
                return .retryOnFreshNode(failure)
            }
            if failure.kind == .network {
                failure.message = facts?.bodyFullySent == true
                    ? "the connection failed after the whole file was sent; the upload may or may not have been stored (\(failure.message))"
                    : "the connection failed after \(facts?.bytesSent ?? 0) of \(multipart.length) bytes (\(failure.message))"
                failure.retryable = facts?.bodyFullySent != true
            }
            failure.remoteStateUnknown = facts?.bodyFullySent == true
            throw failure
        }
        await pacer.succeeded()

        if (300..<400).contains(response.status), let location = response.headers["Location"] {
            return .stored(xid: Self.xid(fromLocation: location) ?? server.id)
        }
        let pageMessage = HTMLText.bloc2Message(response.body)
        if let pageMessage, pageMessage.lowercased().contains("ne peut ouvrir le fichier destination") {
            return .retryOnFreshNode(FichierError(.providerProtocol, "the upload node could not store the file: \(pageMessage)",
                                                  provider: .init(httpStatus: response.status, code: nil, message: pageMessage)))
        }
        if ResponseInterpreter.looksLikeJSON(response.body) {
            // Some nodes may answer JSON; a KO is a refusal, anything else is unexpected.
            do {
                _ = try ResponseInterpreter.object(from: response)
            } catch {
                var failure = error
                failure.remoteStateUnknown = (500..<600).contains(response.status)
                throw failure
            }
        }
        if response.status >= 500 {
            // A server error after the body was read: whether something was kept is unknown.
            throw FichierError(.network,
                               "the upload node failed with HTTP \(response.status); the upload may or may not have been stored",
                               provider: .init(httpStatus: response.status, code: nil,
                                               message: pageMessage ?? HTMLText.summary(response.body)),
                               remoteStateUnknown: true)
        }
        if let pageMessage {
            // The node explained its refusal ("Pas de fichier trouvé dans l'envoi"…): nothing stored.
            throw FichierError(.providerProtocol, "the upload node refused the file: \(pageMessage)",
                               provider: .init(httpStatus: response.status, code: nil, message: pageMessage))
        }
        if response.status == 401 || response.status == 403 || response.status == 413 {
            var failure = FichierError.provider(httpStatus: response.status, message: HTMLText.summary(response.body))
            if response.status == 413 { failure.kind = .tooLarge }
            failure.retryable = false
            throw failure
        }
        throw FichierError(.providerProtocol,
                           "the upload node answered \(response.status) without a report link; the upload may or may not have been stored",
                           provider: .init(httpStatus: response.status, code: nil, message: HTMLText.summary(response.body)),
                           remoteStateUnknown: true)
    }

    /// end.pl, then the checks of what it reports.
    func finishUpload(node: String, xid: String, expectedSize: Int64, expectedWhirlpool: String?, folder: FolderID,
                      wireName: String) async throws(FichierError) -> UploadedFile {
        let report: UploadReport
        do {
            report = try await uploadReport(node: node, xid: xid)
        } catch {
            var failure: FichierError = FichierError.wrapping(error, as: .network, context: "upload report failed")
            if failure.kind != .cancelled {
                failure.message = "the file was sent but its upload report failed: \(failure.message)"
            }
            failure.remoteStateUnknown = true
            failure.retryable = false
            throw failure
        }
        guard let link = report.links.first else {
            throw FichierError(.providerProtocol, "the upload report lists no file; the upload may or may not have been stored",
                               remoteStateUnknown: true)
        }
        let file = UploadedFile(link: link, folder: folder, xid: xid)
        await observers.announce(.fileAdded(folder: folder, file: RemoteFile(uploaded: link, at: Date())))
        guard link.size == expectedSize else {
            throw FichierError(.integrity, "1fichier stored \(link.size) bytes of \(expectedSize) for \(file.url)")
        }
        if let expectedWhirlpool, let reported = link.whirlpool, !reported.isEmpty, reported != expectedWhirlpool {
            throw FichierError(.integrity, "the Whirlpool 1fichier reports for \(file.url) differs from the data sent")
        }
        if link.wireName != wireName, !link.wireName.isEmpty {
            logger.debug("1fichier stored the file under another name",
                         metadata: ["asked": "\(wireName)", "stored": "\(link.wireName)"])
        }
        return file
    }

    /// The `xid` query value of `/end.pl?xid=…` (absolute or relative Location).
    static func xid(fromLocation location: String) -> String? {
        guard let query = location.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "xid" {
                let value = String(parts[1])
                if !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) { return value }
            }
        }
        return nil
    }
}
