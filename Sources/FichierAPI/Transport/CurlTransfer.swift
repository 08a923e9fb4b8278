import CCurl
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One easy handle and everything its callbacks touch. Built by the calling task, then owned
/// by the driver thread until it completes: every mutable field below is touched by one thread
/// at a time (the hand-over goes through the driver's locked command queue), except
/// `cancelRequested`, which is locked.
final class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    // Request body.
    private let body: HTTPRequestBody
    private var reader: (any ByteReader)?
    private let bodyLength: Int64
    private var bodyOffset: Int64 = 0

    // Response.
    private let sink: (any ResponseSink)?
    private var status = 0
    private var headers = HTTPHeaders()
    private var sinkActive = false
    private var responseBody: [UInt8] = []
    private let responseLimit: Int
    private var bytesReceived: Int64 = 0
    private var callbackError: (any Error)?

    // Progress.
    private let progress: ProgressHandler?
    private let reportsUpload: Bool
    private var lastProgressAt: ContinuousClock.Instant
    private var lastProgressBytes: Int64 = -1
    private var downloadTotal: Int64 = 0

    /// Resumed exactly once, by the driver thread.
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    let cancelRequested = Locked(false)

    private static let progressInterval = Duration.milliseconds(100)
    private static let errorPageLimit = 1 << 20

    init(request: HTTPRequest, sink: (any ResponseSink)?, progress: ProgressHandler?) throws(FichierError) {
        guard let easy = curl_easy_init() else {
            throw FichierError(.network, "libcurl could not create a transfer handle")
        }
        self.easy = easy
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        body = request.body
        bodyLength = request.body.length
        self.sink = sink
        self.progress = progress
        responseLimit = sink == nil ? request.responseBodyLimit : min(request.responseBodyLimit, CurlTransfer.errorPageLimit)
        if case .stream = request.body { reportsUpload = true } else { reportsUpload = false }
        lastProgressAt = ContinuousClock.now
        do {
            try configure(request)
        } catch {
            release()
            throw error
        }
    }

    deinit {
        errorBuffer.deallocate()
    }

    // MARK: - Options

    private func configure(_ request: HTTPRequest) throws(FichierError) {
        let this = Unmanaged.passUnretained(self).toOpaque()
        func check(_ code: CURLcode, _ what: String) throws(FichierError) {
            guard code == CURLE_OK else {
                throw FichierError(.invalidArgument, "libcurl refused \(what): \(String(cString: curl_easy_strerror(code)))")
            }
        }
        func long(_ option: CURLoption, _ value: Int) throws(FichierError) {
            try check(fichier_curl_easy_setopt_long(easy, option, value), "an option")
        }
        func string(_ option: CURLoption, _ value: String) throws(FichierError) {
            let code = value.withCString { fichier_curl_easy_setopt_string(easy, option, $0) }
            try check(code, "an option")
        }

        guard !request.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw FichierError(.invalidArgument, "the URL contains spaces or control characters")
        }
        try string(CURLOPT_URL, request.url)
        try string(CURLOPT_PROTOCOLS_STR, "http,https")
        try string(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try long(CURLOPT_NOSIGNAL, 1)
        try long(CURLOPT_FOLLOWLOCATION, 0)
        try long(CURLOPT_SSL_VERIFYPEER, 1)
        try long(CURLOPT_SSL_VERIFYHOST, 2)
        try long(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        try long(CURLOPT_TCP_KEEPALIVE, 1)
        // Through an HTTPS proxy, keep the CONNECT answer out of the header callback: only the
        // server's own answer may reach a sink.
        try long(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        // Proxy variables are honoured (libcurl reads them); loopback (the emulator) is never proxied.
        try string(CURLOPT_NOPROXY, CurlTransfer.noProxyList)
        try long(CURLOPT_CONNECTTIMEOUT_MS, CurlTransfer.milliseconds(request.timeouts.connect))
        try long(CURLOPT_LOW_SPEED_LIMIT, max(1, request.timeouts.lowSpeedLimit))
        try long(CURLOPT_LOW_SPEED_TIME, max(1, CurlTransfer.milliseconds(request.timeouts.lowSpeedTime) / 1000))
        if let total = request.timeouts.total {
            try long(CURLOPT_TIMEOUT_MS, max(1, CurlTransfer.milliseconds(total)))
        }
        if request.acceptCompressed {
            try string(CURLOPT_ACCEPT_ENCODING, "")
        }
        try check(fichier_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "the error buffer")

        // Body and method.
        switch request.method {
        case .get:
            try long(CURLOPT_HTTPGET, 1)
        case .head:
            try long(CURLOPT_NOBODY, 1)
        case .post, .put, .delete:
            try long(CURLOPT_POST, 1)
            try check(fichier_curl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyLength)), "the body size")
            if request.method != .post {
                try string(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            }
        }
        if case .stream = request.body {
            // 1.5 MiB: on loopback 1, 1.5 and 2 MiB upload at the same rate within the noise, and
            // each MiB less is a MiB off the peak RSS; at 1 MiB the encrypted upload, which
            // seals 1 MiB batches, lost about 8 % (benchmarks rows 1, 2 and 4).
            _ = fichier_curl_easy_setopt_long(easy, CURLOPT_UPLOAD_BUFFERSIZE, 3 << 19)
            // A streamed body goes on a connection of its own: libcurl silently re-sends a request
            // that failed on a reused connection, and an upload must never be re-sent blindly.
            try long(CURLOPT_FRESH_CONNECT, 1)
        }
        if sink != nil {
            _ = fichier_curl_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, 1 << 20)
        }

        // Callbacks; the user data is this object, kept alive by the driver while active.
        try check(fichier_curl_easy_setopt_read_callback(easy, curlReadBody), "the read callback")
        try check(fichier_curl_easy_setopt_pointer(easy, CURLOPT_READDATA, this), "the read data")
        try check(fichier_curl_easy_setopt_seek_callback(easy, curlSeekBody), "the seek callback")
        try check(fichier_curl_easy_setopt_pointer(easy, CURLOPT_SEEKDATA, this), "the seek data")
        try check(fichier_curl_easy_setopt_write_callback(easy, curlWriteBody), "the write callback")
        try check(fichier_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, this), "the write data")
        try check(fichier_curl_easy_setopt_header_callback(easy, curlHeaderLine), "the header callback")
        try check(fichier_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, this), "the header data")
        try check(fichier_curl_easy_setopt_xferinfo_callback(easy, curlTransferInfo), "the progress callback")
        try check(fichier_curl_easy_setopt_pointer(easy, CURLOPT_XFERINFODATA, this), "the progress data")
        try long(CURLOPT_NOPROGRESS, 0)

        // Headers: ours, then no `Expect: 100-continue`, then the bearer built in wiped memory.
        for (name, value) in request.headers {
            guard CurlTransfer.isSafeHeader(name: name, value: value) else {
                throw FichierError(.invalidArgument, "the header \(name) contains forbidden characters")
            }
            try appendHeader("\(name): \(value)")
        }
        if request.headers["Expect"] == nil {
            try appendHeader("Expect:")
        }
        if let bearer = request.bearer {
            try appendBearer(bearer)
        }
        if let headerList {
            try check(fichier_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), "the headers")
        }

        if case .bytes(let bytes) = request.body {
            reader = BytesReader(bytes)
        }
    }

    private func appendHeader(_ line: String) throws(FichierError) {
        guard let list = line.withCString({ curl_slist_append(headerList, $0) }) else {
            throw FichierError(.network, "out of memory building headers")
        }
        headerList = list
    }

    private func appendBearer(_ key: APIKey) throws(FichierError) {
        let prefix = Array("Authorization: Bearer ".utf8)
        let length = key.withUnsafeBytes { $0.count } + prefix.count
        let line = UnsafeMutablePointer<UInt8>.allocate(capacity: length + 1)
        defer {
            explicit_bzero(line, length + 1)
            line.deallocate()
        }
        line.initialize(from: prefix, count: prefix.count)
        key.withUnsafeBytes { bytes in
            (line + prefix.count).initialize(from: bytes.bindMemory(to: UInt8.self).baseAddress!, count: bytes.count)
        }
        line[length] = 0
        let appended = line.withMemoryRebound(to: CChar.self, capacity: length + 1) {
            curl_slist_append(headerList, $0)
        }
        guard let appended else { throw FichierError(.network, "out of memory building headers") }
        headerList = appended
    }

    /// The user's `no_proxy`/`NO_PROXY` plus the loopback names (setting the option replaces
    /// the variable, so it is carried over).
    static let noProxyList: String = {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        let loopback = "localhost,127.0.0.1,::1"
        return user.trimmingSpaces.isEmpty ? loopback : "\(user),\(loopback)"
    }()

    static func isSafeHeader(name: String, value: String) -> Bool {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
            return false
        }
        return !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(clamping: seconds) &* 1000 &+ Int(attoseconds / 1_000_000_000_000_000)
    }

    // MARK: - Callbacks (driver thread)

    fileprivate func readBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        if cancelRequested.current { return FICHIER_CURL_READFUNC_ABORT }
        let remaining = bodyLength - bodyOffset
        guard remaining > 0 else { return 0 }
        do {
            if reader == nil, case .stream(let upload) = body {
                reader = try upload.makeReader()
            }
            guard let reader else { return 0 }
            let capacity = Int(min(Int64(buffer.count), remaining))
            let count = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<capacity]))
            guard count >= 0, count <= capacity else {
                throw FichierError(.localIO, "the upload source returned an invalid byte count")
            }
            if count == 0 {
                throw FichierError(.localIO, "the upload source ended after \(bodyOffset) of \(bodyLength) bytes")
            }
            bodyOffset += Int64(count)
            progressTick()
            if bodyOffset == bodyLength, case .stream = body {
                var probe: UInt8 = 0
                let extra = try withUnsafeMutableBytes(of: &probe) { try reader.read(into: $0) }
                if extra > 0 {
                    throw FichierError(.localIO, "the upload source has more than its declared \(bodyLength) bytes")
                }
            }
            return count
        } catch {
            callbackError = error
            return FICHIER_CURL_READFUNC_ABORT
        }
    }

    /// libcurl rewinds when it must resend the body (a reused connection that turned out dead
    /// before any answer). Small in-memory bodies may be re-sent; streamed bodies (uploads)
    /// never are: the failure is reported instead.
    fileprivate func seekBody(offset: Int64, origin: Int32) -> Int32 {
        guard offset == 0, origin == SEEK_SET else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
        switch body {
        case .none: break
        case .bytes(let bytes): reader = BytesReader(bytes)
        case .stream: return Int32(CURL_SEEKFUNC_CANTSEEK)
        }
        bodyOffset = 0
        return Int32(CURL_SEEKFUNC_OK)
    }

    fileprivate func headerLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
            sinkActive = false
        } else if line.isEmpty {
            if status >= 200, let sink, (200..<300).contains(status), !sinkActive {
                do {
                    try sink.begin(status: status, headers: headers)
                    sinkActive = true
                    if let length = headers["Content-Length"].flatMap({ Int64($0) }) { downloadTotal = length }
                } catch {
                    callbackError = error
                    return false
                }
            }
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon]).trimmingSpaces
            let value = String(line[line.index(after: colon)...]).trimmingSpaces
            headers.add(name, value)
        }
        return true
    }

    fileprivate func writeBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // libcurl may deliver a whole fast download in one pass without asking for progress:
        // check for cancellation here too.
        if cancelRequested.current { return false }
        if sinkActive, let sink {
            do {
                try sink.write(bytes)
            } catch {
                callbackError = error
                return false
            }
            bytesReceived += Int64(bytes.count)
            progressTick()
            return true
        }
        guard responseBody.count + bytes.count <= responseLimit else {
            callbackError = FichierError(.providerProtocol, "the response is larger than \(responseLimit) bytes")
            return false
        }
        responseBody.append(contentsOf: bytes)
        return true
    }

    fileprivate func transferInfo(downloadTotal: Int64, downloaded: Int64, uploaded: Int64) -> Int32 {
        if cancelRequested.current { return 1 }
        if downloadTotal > 0 { self.downloadTotal = downloadTotal }
        guard progress != nil else { return 0 }
        let now = ContinuousClock.now
        if now - lastProgressAt >= CurlTransfer.progressInterval {
            lastProgressAt = now
            reportProgress(downloaded: downloaded, uploaded: uploaded)
        }
        return 0
    }

    /// Progress from the body callbacks, for passes where libcurl doesn't call back for it.
    private func progressTick() {
        guard progress != nil else { return }
        let now = ContinuousClock.now
        guard now - lastProgressAt >= CurlTransfer.progressInterval else { return }
        lastProgressAt = now
        reportProgress(downloaded: bytesReceived, uploaded: bodyOffset)
    }

    private func reportProgress(downloaded: Int64, uploaded: Int64) {
        guard let progress else { return }
        let update: TransferProgress
        if reportsUpload {
            update = TransferProgress(bytesDone: uploaded, bytesTotal: bodyLength)
        } else {
            update = TransferProgress(bytesDone: sink == nil ? downloaded : bytesReceived,
                                      bytesTotal: downloadTotal > 0 ? downloadTotal : nil)
        }
        // Monotonic: the two sources (libcurl's counters and ours) may disagree slightly.
        guard update.bytesDone > lastProgressBytes else { return }
        lastProgressBytes = update.bytesDone
        progress(update)
    }

    // MARK: - Completion (driver thread, after the handle left the multi)

    /// The outcome of the finished transfer; releases the handle.
    func outcome(code: CURLcode?) -> Result<HTTPResponse, any Error> {
        var uploaded: curl_off_t = 0
        _ = fichier_curl_easy_getinfo_off_t(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded)
        var downloaded: curl_off_t = 0
        _ = fichier_curl_easy_getinfo_off_t(easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded)
        var requestSize = 0
        _ = fichier_curl_easy_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &requestSize)
        var pretransfer: curl_off_t = 0
        _ = fichier_curl_easy_getinfo_off_t(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
        var responseCode = 0
        _ = fichier_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &responseCode)
        let detail = String(cString: errorBuffer)
        defer { release() }

        let unreachedCodes: Set<UInt32> = [CURLE_COULDNT_RESOLVE_PROXY.rawValue, CURLE_COULDNT_RESOLVE_HOST.rawValue,
                                           CURLE_COULDNT_CONNECT.rawValue]
        // Nothing was sent when no body byte left and the transfer never got past connecting
        // (pre-transfer time stays 0 until the request is about to be sent).
        let neverReached = uploaded == 0 && (pretransfer == 0 || unreachedCodes.contains(code?.rawValue ?? 0))
        let facts = TransportFacts(
            neverReachedServer: neverReached,
            bytesSent: Int64(uploaded),
            bodyFullySent: bodyLength > 0 ? Int64(uploaded) >= bodyLength : requestSize > 0)

        if code == nil || cancelRequested.current {
            var error = FichierError.cancelled()
            error.transport = facts
            return .failure(error)
        }
        if let callbackError {
            var error = FichierError.wrapping(callbackError, as: .localIO, context: "transfer aborted")
            error.transport = facts
            return .failure(error)
        }
        if let code, code != CURLE_OK {
            var error = CurlTransfer.networkError(code: code, detail: detail)
            error.transport = facts
            return .failure(error)
        }
        if progress != nil {
            if downloadTotal <= 0 { downloadTotal = Int64(downloaded) }
            reportProgress(downloaded: Int64(downloaded), uploaded: Int64(uploaded))
        }
        return .success(HTTPResponse(status: status != 0 ? status : responseCode, headers: headers,
                                     body: responseBody, bytesSent: Int64(uploaded), bytesReceived: bytesReceived))
    }

    static func networkError(code: CURLcode, detail: String) -> FichierError {
        let summary = String(cString: curl_easy_strerror(code))
        let extra = Redaction.redactURLs(detail)
        let message = extra.isEmpty || extra == summary ? summary : "\(summary): \(extra)"
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return FichierError(.invalidArgument, message)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return FichierError(.network, "TLS verification failed: \(message)")
        case CURLE_OPERATION_TIMEDOUT:
            return FichierError(.network, "timed out: \(message)", retryable: true)
        default:
            return FichierError(.network, message, retryable: true)
        }
    }

    /// Frees the easy handle and wipes the header list (it holds the bearer line).
    private func release() {
        curl_easy_cleanup(easy)
        var node = headerList
        while let current = node {
            if let data = current.pointee.data {
                explicit_bzero(data, strlen(data))
            }
            node = current.pointee.next
        }
        curl_slist_free_all(headerList)
        headerList = nil
        reader = nil
    }
}

// MARK: - C entry points

private func transfer(_ userdata: UnsafeMutableRawPointer?) -> CurlTransfer? {
    guard let userdata else { return nil }
    return Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
}

private let curlReadBody: curl_read_callback = { buffer, size, count, userdata in
    guard let transfer = transfer(userdata), let buffer else { return FICHIER_CURL_READFUNC_ABORT }
    return transfer.readBody(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
}

private let curlSeekBody: curl_seek_callback = { userdata, offset, origin in
    guard let transfer = transfer(userdata) else { return Int32(CURL_SEEKFUNC_FAIL) }
    return transfer.seekBody(offset: Int64(offset), origin: origin)
}

private let curlWriteBody: curl_write_callback = { buffer, size, count, userdata in
    let total = size * count
    guard let transfer = transfer(userdata) else { return 0 }
    guard total > 0, let buffer else { return total }
    return transfer.writeBody(UnsafeRawBufferPointer(start: buffer, count: total)) ? total : 0
}

private let curlHeaderLine: curl_write_callback = { buffer, size, count, userdata in
    let total = size * count
    guard let transfer = transfer(userdata) else { return 0 }
    guard total > 0, let buffer else { return total }
    return transfer.headerLine(UnsafeRawBufferPointer(start: buffer, count: total)) ? total : 0
}

private let curlTransferInfo: curl_xferinfo_callback = { userdata, downloadTotal, downloaded, _, uploaded in
    guard let transfer = transfer(userdata) else { return 1 }
    return transfer.transferInfo(downloadTotal: Int64(downloadTotal), downloaded: Int64(downloaded),
                                 uploaded: Int64(uploaded))
}
