import FichierAPI

/// A step between an upload's source and the wire: it wraps the body and sees every byte
/// on its way out (on the transport thread). Encryption is one such stage; verification
/// (hashing what is sent) is another.
protocol UploadStage: Sendable {
    func wrap(_ body: any UploadBody) throws -> any UploadBody
}

/// A step between the wire and a download's destination: it wraps the sink and sees every
/// byte on its way in. Decryption is one such stage; verification another.
protocol DownloadStage: Sendable {
    func wrap(_ sink: any DownloadSink) throws -> any DownloadSink
}

/// A response sink that learns when the body is complete (to flush, check a trailer or a
/// final authentication tag).
protocol DownloadSink: ResponseSink {
    /// Called once after the last byte; throws if what arrived is not acceptable.
    func finish() throws
}

/// Builds the data path of transfers: source → stages → wire for uploads, wire → stages →
/// destination for downloads. The stages a request needs are chosen from its params in
/// one place (`uploadStages` / `downloadStages`); handlers never branch on them.
struct TransferPipeline: Sendable {
    /// The body 1fichier receives for `source`, with `stages` applied in order (the first
    /// wraps the source, the last faces the wire).
    func uploadBody(from source: UploadSource, through stages: [any UploadStage]) throws -> any UploadBody {
        var body = try source.makeBody()
        for stage in stages { body = try stage.wrap(body) }
        return body
    }

    /// The sink the transport writes to: `stages` applied in order around `destination`
    /// (the last stage faces the wire).
    func downloadSink(into destination: any DownloadSink, through stages: [any DownloadStage]) throws -> any DownloadSink {
        var sink = destination
        for stage in stages { sink = try stage.wrap(sink) }
        return sink
    }
}

/// Where an upload's bytes come from.
enum UploadSource: Sendable {
    /// A local regular file (read sequentially, its size taken up front).
    case file(path: String)
    /// Bytes from the request itself (`data`).
    case bytes([UInt8])

    func makeBody() throws -> any UploadBody {
        switch self {
        case .file(let path): try FileUploadBody(path: path)
        case .bytes(let bytes): BytesUploadBody(bytes)
        }
    }
}
