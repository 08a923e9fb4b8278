import Hummingbird
import Logging
import NIOCore

/// Serves `GET`/`HEAD /dl/<token>`: the bytes of a file, with single Range requests (206,
/// `Content-Range`, 416). Unknown tokens answer 404, expired or used ones 410 (HTML pages).
struct DownloadResponder: Sendable {
    let core: EmulatorCore

    static let chunkSize = 256 * 1024
    private static let zeros = ByteBuffer(repeating: 0, count: chunkSize)

    func respond(_ request: Request, token: String) -> Response {
        guard request.method == .get || request.method == .head else {
            return .nginxError(.methodNotAllowed)
        }
        let grant: DownloadTokens.Grant
        switch core.tokens.lookup(token) {
        case .granted(let found): grant = found
        case .unknown: return .nginxError(.notFound)
        case .expired, .used: return .nginxError(.gone)
        }
        guard let file = core.store.peek({ $0.files[grant.fileID] }) else { return .nginxError(.notFound) }

        var opened: ReadableFile?
        do {
            if let blob = file.blob { opened = try ReadableFile(path: core.store.blobPath(blob)) }
        } catch {
            core.logger.error("download \(file.id): \(error)")
            return .nginxError(.internalServerError)
        }
        let source = opened
        let size = source?.size ?? file.size
        var headers: HTTPFields = [
            .contentType: file.contentType,
            .acceptRanges: "bytes",
            .contentDisposition: Self.disposition(name: file.name, inline: grant.inline),
        ]
        let range = ByteRange.resolve(request.headers[.range], size: size)
        let status: HTTPResponse.Status
        let start: Int64
        let end: Int64
        switch range {
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(size)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .whole:
            status = .ok
            start = 0
            end = size - 1
        case .partial(let first, let last):
            status = .partialContent
            start = first
            end = last
            headers[.contentRange] = "bytes \(first)-\(last)/\(size)"
        }
        let length = max(0, end - start + 1)
        let deliversEnd = end == size - 1
        if request.method == .head {
            headers[.contentLength] = String(length)
            return Response(status: status, headers: headers)
        }
        let tokens = core.tokens
        let cut = core.faults.takeDownloadCut(length: length)
        let body = ResponseBody(contentLength: Int(length)) { writer in
            var offset = start
            let stop = start + (cut ?? length)
            while offset < stop {
                let count = Int(min(Int64(Self.chunkSize), stop - offset))
                var chunk: ByteBuffer
                if let source {
                    chunk = ByteBufferAllocator().buffer(capacity: count)
                    let read = try chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
                        try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<count]), at: offset)
                    }
                    guard read > 0 else { throw StorageError(operation: "read", path: source.path, code: 0) }
                } else {
                    chunk = Self.zeros.getSlice(at: 0, length: count) ?? ByteBuffer()
                }
                offset += Int64(chunk.readableBytes)
                try await writer.write(chunk)
            }
            if let cut { throw DownloadCut(after: cut) }
            try await writer.finish(nil)
            if deliversEnd { tokens.markDelivered(token) }
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Ends a body early (an injected fault): the server closes the connection.
    struct DownloadCut: Error {
        var after: Int64
    }

    /// `attachment` (or `inline`) with an ASCII fallback and the UTF-8 name (RFC 6266).
    static func disposition(name: String, inline: Bool) -> String {
        let ascii = String(name.unicodeScalars.map { scalar -> Character in
            (scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\") ? Character(scalar) : "_"
        })
        return "\(inline ? "inline" : "attachment"); filename=\"\(ascii)\"; filename*=UTF-8''\(PercentEncoding.encode(name))"
    }
}
