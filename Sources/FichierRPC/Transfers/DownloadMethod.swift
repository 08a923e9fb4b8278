import FichierAPI
import Foundation

/// `transfer/download {remote | url, local, overwrite?, verify?, decrypt?, resume?}`:
/// get_token.cgi → GET streamed into `local.partial` → fsync → rename to `local`. A failed or
/// cancelled download leaves no `.partial` behind, unless `resume` asked to keep it: the next
/// download with `resume` then asks for the missing bytes only (an HTTP Range; see
/// `DownloadResume`). An age file is decrypted on the way (`DecryptionStage`): only
/// authenticated plaintext reaches `local.partial` (mode 0600), renamed only after the final
/// chunk authenticated; a decryption resumes from its last whole kept chunk.
enum DownloadMethod {
    struct Params: Decodable, Sendable {
        var remote: String?
        var url: String?
        var local: String
        var overwrite: Bool?
        var verify: Bool?
        /// `auto` (default): decrypt age files with the vault's identities; `always`; `never`.
        var decrypt: SessionEncryption.DecryptMode?
        /// Continue from `local.partial` left by an earlier download with `resume`, and keep it
        /// if this one fails too (not when decryption itself failed).
        var resume: Bool?
    }

    struct Result: Encodable, Sendable {
        /// The absolute local path written.
        var local: String
        var size: Int64
        var url: String
        var name: String
        /// The Whirlpool 1fichier lists for the file.
        var checksum: String?
        var contentType: String?
        /// With `verify`: the Whirlpool of what arrived matched it.
        var verified: Bool?
        /// Whether the data was decrypted (absent when decryption did not apply).
        var decrypted: Bool?
        /// The name 1fichier stores, when `name` is its decrypted form.
        var remoteName: String?
        /// With `resume`: the bytes taken from the earlier `.partial` (0: started afresh); for a
        /// decryption, plaintext bytes (whole chunks).
        var resumedFrom: Int64?
    }

    /// The file to fetch, as far as the listing or file/info knows it.
    struct RemoteSource: Sendable {
        var url: String
        var name: String
        var size: Int64
        var checksum: String?
        var contentType: String?
        var shown: String
    }

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("transfer/download", kind: .transfer, ordering: { (params: Params) throws -> [OrderingKey] in
            let target = try RemoteParams.target(path: params.remote, url: params.url, urls: nil, allowURLs: false, pathField: "remote")
            return target.readKeys + [.exclusive("local:" + LocalFiles.absolute(params.local))]
        }, service.tracked { (params: Params, context: RequestContext) async throws -> Result in
            try await run(params, context: context, service: service)
        })
    }

    static func run(_ params: Params, context: RequestContext, service: FichierService) async throws -> Result {
        guard !params.local.isEmpty else { throw RPCError.invalidParams(path: "local", problem: "must not be empty") }
        let remote = try await source(params, service: service)
        var decryption = try service.decryptionStage(mode: params.decrypt, remoteName: remote.name)
        let shownName = decryption == nil ? remote.name : service.names.view(of: remote.name).name

        var local = LocalFiles.absolute(params.local)
        if params.local.hasSuffix("/") || LocalFiles.isDirectory(local) {
            local = (local.hasSuffix("/") ? local : local + "/") + LocalFiles.safeName(shownName)
        }
        if LocalFiles.isDirectory(local) {
            throw RPCError.mapping(kind: "local_io", message: "\(local) is a directory", path: local)
        }
        if LocalFiles.exists(local) && params.overwrite != true {
            throw RPCError.mapping(kind: "conflict", message: "\(local) exists; pass overwrite to replace it", path: local)
        }
        let partial = local + ".partial"
        let resuming = params.resume == true
        // Stored bytes of the file not fetched again, and the token fetched to decide that.
        var offset: Int64 = 0
        var resumeToken: DownloadToken?
        if resuming, let kept = LocalFiles.regularFileSize(partial), kept > 0 {
            if kept > remote.size {
                LocalFiles.remove(partial)                // longer than the file: not of this file
            } else {
                let decision: DownloadResume
                do {
                    let multiUse = try await service.client.downloadToken(url: remote.url, singleUse: false)
                    resumeToken = multiUse
                    decision = try await DownloadResume.decide(partial: partial, kept: kept, size: remote.size, decryption: decryption,
                                                               token: multiUse, client: service.client)
                } catch let error as FichierError where error.kind != .cancelled {
                    throw error.rpcError.about(path: remote.shown, subject: "file")   // the .partial stays
                }
                switch decision {
                case .storedBytes(let kept):
                    offset = kept
                    decryption = nil                      // plain data, or decrypt "never": the kept bytes are stored bytes
                case .decrypting(let plan):
                    decryption?.resume = plan
                    offset = plan.storedOffset
                case .afresh(let reason):
                    LocalFiles.remove(partial)
                    if let reason { context.log(.info, "\(local).partial is not continued (\(reason)): downloading afresh") }
                }
            }
        }
        let decryptedResume = decryption?.resume

        let tracker = TransferProgressTracker(context: context, phase: "downloading", total: remote.size,
                                              reportsFinalizing: false, offset: offset)
        do {
            // Decryption faces the destination, the verifier the wire (it hashes what 1fichier stores).
            let verifier: WhirlpoolDownloadStage?
            if params.verify == true {
                let (path, length) = (partial, offset)
                verifier = WhirlpoolDownloadStage(continuing: offset == 0 ? nil : try await BlockingWork.run {
                    // The stored bytes before `offset`: the kept ones, or for a decryption rebuilt from its plaintext.
                    if let decryptedResume { return HandOff(value: try decryptedResume.storedHash(partial: path)) }
                    let hasher = Whirlpool()
                    try hasher.update(fileAt: path, length: length)
                    return HandOff(value: hasher)
                }.value)
            } else {
                verifier = nil
            }
            let stages: [any DownloadStage] = [decryption as (any DownloadStage)?, verifier].compactMap { $0 }
            let destination: any DownloadSink = decryption == nil ? FileResponseSink(path: partial, append: offset > 0)
                                                                  : PrivateFileSink(path: partial, keeping: decryptedResume?.keptBytes ?? 0)
            let sink = try service.pipeline.downloadSink(into: destination, through: stages)
            tracker.start()
            var received: Int64 = 0
            var contentType: String?
            if offset < remote.size || remote.size == 0 {
                let token: DownloadToken
                if let multiUse = resumeToken { token = multiUse } else { token = try await service.client.downloadToken(url: remote.url) }
                context.log(.info, "downloading \(remote.shown) (\(remote.size) bytes) to \(local)"
                            + (offset > 0 ? ", from byte \(offset) of an earlier attempt" : ""))
                let outcome = try await service.client.download(token: token, range: offset > 0 ? offset..<remote.size : nil,
                                                                into: sink, progress: tracker.handler)
                let flushing = HandOff(value: sink)
                try await BlockingWork.run { try flushing.value.finish() }
                received = outcome.bytesWritten
                contentType = outcome.contentType
            } else {
                // Every byte is already in the `.partial`: only the checks and the rename remain
                // (the verifier's hasher has read them all).
                let streaming = HandOff(value: sink)
                try await BlockingWork.run {
                    try streaming.value.begin(status: 200, headers: HTTPHeaders())
                    try streaming.value.finish()
                }
            }
            guard offset + received == remote.size else {
                throw RPCError.mapping(kind: "integrity",
                                       message: "received \(offset + received) bytes of \(remote.shown), which 1fichier lists with \(remote.size)",
                                       path: remote.shown)
            }
            var verified: Bool?
            if let verifier {
                let expected = remote.checksum.flatMap { $0.isEmpty ? nil : $0 }
                guard let expected, let received = verifier.digest.hex else {
                    throw RPCError.mapping(kind: "integrity", message: "cannot verify \(remote.shown): 1fichier lists no Whirlpool",
                                           path: remote.shown)
                }
                guard expected == received else {
                    throw RPCError.mapping(kind: "integrity",
                                           message: "the Whirlpool of the data received (\(received)) differs from 1fichier's (\(expected))",
                                           path: remote.shown)
                }
                verified = true
            }
            let destinationPath = local
            try await BlockingWork.run { try LocalFiles.commit(partial, to: destinationPath) }
            // Taken from the .partial: plaintext for a resumed decryption, else stored bytes.
            let kept = decryptedResume?.keptBytes ?? offset
            return Result(local: local, size: kept + (decryption?.report.plaintextBytes ?? received), url: remote.url,
                          name: shownName, checksum: remote.checksum,
                          contentType: remote.contentType ?? contentType, verified: verified,
                          decrypted: decryption.map { $0.report.decrypted ?? false },
                          remoteName: shownName == remote.name ? nil : remote.name,
                          resumedFrom: resuming ? kept : nil)
        } catch {
            // With resume the bytes received so far stay for the next attempt (stored bytes, or
            // authenticated plaintext in a 0600 file), unless decryption itself failed.
            if !resuming || decryption?.report.failure != nil { LocalFiles.remove(partial) }
            let fichier = error as? FichierError
            if context.isCancellationRequested || fichier?.kind == .cancelled || error is CancellationError {
                throw RPCError.cancelled(partial: try? JSONFragment(encoding: tracker.partial()))
            }
            var mapped = fichier.map { $0.rpcError } ?? RPCError.from(error, cancelled: false)
            if let failure = decryption?.report.failure { mapped = failure }
            if fichier?.kind == .localIO { mapped = mapped.about(path: local, subject: nil) }
            mapped = mapped.about(path: remote.shown, subject: "file")
            if mapped.data.partial == nil { mapped.data.partial = try? JSONFragment(encoding: tracker.partial()) }
            throw mapped
        }
    }

    private static func source(_ params: Params, service: FichierService) async throws -> RemoteSource {
        switch try RemoteParams.target(path: params.remote, url: params.url, urls: nil, allowURLs: false, pathField: "remote") {
        case .path(let path):
            let file = try await service.locator.file(path)
            return RemoteSource(url: file.url, name: file.name, size: file.size, checksum: file.checksum,
                                contentType: file.contentType, shown: path.description)
        case .url(let url):
            do {
                let info = try await service.client.fileInfo(url: url)
                return RemoteSource(url: info.url, name: info.name, size: info.size, checksum: info.checksum,
                                    contentType: info.contentType, shown: url)
            } catch let error as FichierError {
                throw error.rpcError.about(path: url, subject: "file")
            }
        case .urls:
            throw RPCError.invalidParams(path: "urls", problem: "not accepted here")
        }
    }
}

extension FileResponseSink: DownloadSink {}
