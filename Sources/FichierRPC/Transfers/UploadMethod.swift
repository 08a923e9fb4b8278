import FichierAPI
import Foundation

/// `transfer/upload {local | data, remote, ifExists?, verify?, encrypt?, encryptNames?}`:
/// get_upload_server → node upload.cgi (streamed) → end.pl. `remote` ending in `/` is a folder
/// (the local base name is kept), otherwise the file's full path; missing folders are made.
/// With encryption the body is an age file streamed through `EncryptionStage`, stored as
/// `NAME.age` or under the encrypted name (see `UploadMethod+Encryption.swift`).
enum UploadMethod {
    enum IfExists: String, Sendable, CaseIterable {
        /// Upload anyway: 1fichier keeps both (its own behaviour).
        case duplicate
        /// Answer the existing file with `skipped: true`.
        case skip
        /// Upload, then delete the file(s) that had the name before.
        case replace
        /// Fail with 1301 conflict.
        case error
    }

    struct Params: Decodable, Sendable {
        var local: String?
        var data: String?
        var remote: String
        var ifExists: IfExists?
        var verify: Bool?
        /// Encrypt the contents (age); absent: the vault profile's default.
        var encrypt: Bool?
        /// Store the file under its encrypted name; absent: the vault profile's default.
        var encryptNames: Bool?

        private enum CodingKeys: String, CodingKey { case local, data, remote, ifExists, verify, encrypt, encryptNames }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            local = try container.decodeIfPresent(String.self, forKey: .local)
            data = try container.decodeIfPresent(String.self, forKey: .data)
            remote = try container.decode(String.self, forKey: .remote)
            verify = try container.decodeIfPresent(Bool.self, forKey: .verify)
            encrypt = try container.decodeIfPresent(Bool.self, forKey: .encrypt)
            encryptNames = try container.decodeIfPresent(Bool.self, forKey: .encryptNames)
            if let text = try container.decodeIfPresent(String.self, forKey: .ifExists) {
                guard let mode = IfExists(rawValue: text) else {
                    throw RPCError.invalidParams(path: "ifExists", problem: "expected one of duplicate, skip, replace, error")
                }
                ifExists = mode
            }
        }
    }

    struct Result: Encodable, Sendable {
        var url: String
        var name: String
        var path: String
        var size: Int64
        /// As 1fichier computed it (end.pl), or of the existing file when skipped.
        var whirlpool: String?
        /// The removal link, only when 1fichier gave one (anonymous uploads).
        var removeURL: String?
        var folderId: FolderID
        /// True when `ifExists: skip` found the file already there (nothing was sent).
        var skipped: Bool
        /// With `ifExists: replace`: the URLs of the files removed after the upload.
        var replaced: [String]?
        /// With `verify`: the Whirlpool of what was sent matched 1fichier's.
        var verified: Bool?
        /// The contents were encrypted (age) on the way; `size` and `whirlpool` are then
        /// those of the ciphertext 1fichier stores.
        var encrypted: Bool?
        /// The name 1fichier stores (`NAME.age` or the encrypted name), when encrypted.
        var remoteName: String?
        /// The size of the plaintext, when encrypted.
        var plaintextSize: Int64?
    }

    /// Where the file goes.
    struct Target: Sendable {
        var folder: RemotePath
        var name: String
        var path: RemotePath
    }

    static func target(_ params: Params) throws(RPCError) -> Target {
        guard (params.local == nil) != (params.data == nil) else {
            throw RPCError.invalidParams(path: "", problem: "give one of local or data")
        }
        if let local = params.local, local.isEmpty {
            throw RPCError.invalidParams(path: "local", problem: "must not be empty")
        }
        if params.remote.hasSuffix("/") {
            let folder = try RemoteParams.path(params.remote, field: "remote")
            guard let local = params.local else {
                throw RPCError.invalidParams(path: "remote", problem: "with data, remote must be the file's full path")
            }
            let base = local.split(separator: "/").last.map(String.init) ?? ""
            guard !base.isEmpty, base != ".", base != ".." else {
                throw RPCError.invalidParams(path: "local", problem: "has no file name to keep; give remote as a full path")
            }
            let path: RemotePath
            do { path = try folder.appending(base) } catch {
                throw RPCError.invalidParams(path: "local", problem: error.message)
            }
            return Target(folder: folder, name: base, path: path)
        }
        let path = try RemoteParams.path(params.remote, field: "remote")
        guard let folder = path.parent, let name = path.name else {
            throw RPCError.invalidParams(path: "remote", problem: "names the root folder; end it with / or give a file path")
        }
        return Target(folder: folder, name: name, path: path)
    }

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("transfer/upload", kind: .transfer, ordering: { (params: Params) throws -> [OrderingKey] in
            PathKeys.mutation(try target(params).path)
        }, service.tracked { (params: Params, context: RequestContext) async throws -> Result in
            try await run(params, context: context, service: service)
        })
    }

    static func run(_ params: Params, context: RequestContext, service: FichierService) async throws -> Result {
        let plan = try service.uploadPlan(encrypt: params.encrypt, encryptNames: params.encryptNames)
        let userTarget = try target(params)
        let target = try stored(userTarget, plan: plan)
        let mode = params.ifExists ?? .duplicate
        let source: UploadSource
        if let local = params.local {
            source = .file(path: local)
        } else {
            guard let text = params.data, let bytes = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw RPCError.invalidParams(path: "data", problem: "is not valid base64")
            }
            source = .bytes(Array(bytes))
        }

        // The stages this request needs, in one place: encryption first (it wraps the source),
        // the verifier last (it hashes what goes on the wire).
        let verifier = params.verify == true ? WhirlpoolUploadStage() : nil
        let stages: [any UploadStage] = [plan.stage as (any UploadStage)?, verifier].compactMap { $0 }
        let body: any UploadBody
        do {
            body = try service.pipeline.uploadBody(from: source, through: stages)
        } catch let error as FichierError {
            throw error.rpcError.about(path: params.local, subject: nil)
        }
        guard body.length > 0 else {
            throw RPCError.mapping(kind: "unsupported", message: "1fichier cannot store empty files",
                                   path: params.local)
        }

        let folderID: FolderID
        do {
            folderID = try await service.resolver.ensureFolder(target.folder)
        } catch let error as FichierError {
            throw error.rpcError.about(path: target.folder.description, subject: "folder")
        }
        var existing: [RemoteFile] = []
        if mode != .duplicate {
            existing = try await filesNamed(target, in: folderID, service: service)
        }
        if let first = existing.first {
            switch mode {
            case .skip:
                return decorated(Result(url: first.url, name: first.name, path: target.path.description, size: first.size,
                                        whirlpool: first.checksum, folderId: folderID, skipped: true),
                                 user: userTarget, plan: plan)
            case .error:
                throw RPCError.mapping(kind: "conflict",
                                       message: "\(target.path) already exists (\(existing.count) file(s)); ifExists is error",
                                       path: target.path.description)
            case .duplicate, .replace:
                break
            }
        }

        let tracker = TransferProgressTracker(context: context, phase: "uploading", total: body.length,
                                              reportsFinalizing: true)
        context.log(.info, "uploading \(params.local ?? "data") (\(body.length) bytes) to \(target.path)")
        tracker.start()
        let uploaded: UploadedFile
        do {
            uploaded = try await service.client.upload(body, named: target.name, to: folderID,
                                                       progress: tracker.handler, verifyChecksum: false)
        } catch {
            let fichier = error as? FichierError
            if context.isCancellationRequested || fichier?.kind == .cancelled || error is CancellationError {
                var cancelled = RPCError.cancelled(partial: try? JSONFragment(encoding: tracker.partial(
                    remoteStateUnknown: fichier?.remoteStateUnknown == true ? true : nil)))
                if fichier?.remoteStateUnknown == true { cancelled.data.remoteStateUnknown = true }
                throw cancelled
            }
            if let fichier {
                var mapped = fichier.rpcError.about(path: target.path.description, subject: nil)
                mapped.data.partial = try? JSONFragment(encoding: tracker.partial(
                    remoteStateUnknown: fichier.remoteStateUnknown ? true : nil))
                throw mapped
            }
            throw error
        }

        // Cancelled while end.pl answered: the file exists, and the client no longer wants it.
        if context.isCancellationRequested {
            let removed = await removeDetached([uploaded.url], service: service)
            var cancelled = RPCError.cancelled(partial: try? JSONFragment(encoding: tracker.partial(
                remoteStateUnknown: removed ? nil : true, removed: removed, url: removed ? nil : uploaded.url)))
            if !removed { cancelled.data.remoteStateUnknown = true }
            throw cancelled
        }

        var verified: Bool?
        if let verifier {
            let sent = verifier.digest.hex
            let reported = uploaded.whirlpool.flatMap { $0.isEmpty ? nil : $0 }
            guard let sent, let reported else {
                throw integrityError("cannot verify \(target.path): 1fichier reported no Whirlpool", uploaded: uploaded,
                                     sent: sent, reported: reported)
            }
            guard sent == reported else {
                throw integrityError("the Whirlpool of \(target.path) on 1fichier (\(reported)) differs from the data sent (\(sent))",
                                     uploaded: uploaded, sent: sent, reported: reported)
            }
            verified = true
        }

        var replaced: [String]?
        if mode == .replace {
            let old = existing.map(\.url).filter { $0 != uploaded.url }
            if !old.isEmpty {
                do {
                    _ = try await service.client.removeFiles(urls: old)
                } catch let error as FichierError {
                    var mapped = error.rpcError.about(path: target.path.description, subject: "file")
                    mapped.message = "uploaded \(uploaded.url), but removing the previous file(s) failed: \(mapped.message)"
                    mapped.data.partial = try? JSONFragment(encoding: ["url": uploaded.url])
                    throw mapped
                }
            }
            replaced = old
        }
        context.log(.info, "uploaded \(target.path) as \(uploaded.url)")
        return decorated(Result(url: uploaded.url, name: uploaded.name.isEmpty ? target.name : uploaded.name,
                                path: target.path.description, size: uploaded.size, whirlpool: uploaded.whirlpool,
                                removeURL: uploaded.removeURL, folderId: folderID, skipped: false, replaced: replaced,
                                verified: verified),
                         user: userTarget, plan: plan)
    }

    /// The files already named like the target (cached listing; a miss in an old listing is
    /// checked again).
    private static func filesNamed(_ target: Target, in folder: FolderID, service: FichierService) async throws -> [RemoteFile] {
        do {
            return [try await service.resolver.file(at: target.path)]
        } catch let error as FichierError where error.kind == .notFound {
            return []
        } catch let error as FichierError where error.kind == .conflict {
            return try await service.resolver.listing(of: folder).files.filter { $0.name == target.name }
        } catch let error as FichierError {
            throw error.rpcError.about(path: target.path.description, subject: "file")
        }
    }

    struct IntegrityPartial: Encodable {
        var url: String
        var sent: String?
        var reported: String?
    }

    private static func integrityError(_ message: String, uploaded: UploadedFile, sent: String?,
                                       reported: String?) -> RPCError {
        var error = RPCError.mapping(kind: "integrity", message: message + "; the uploaded file was kept at \(uploaded.url)")
        error.data.partial = try? JSONFragment(encoding: IntegrityPartial(url: uploaded.url, sent: sent, reported: reported))
        return error
    }

    /// Removes files from a task that is being cancelled (a fresh task, so the removal itself
    /// is not cancelled). Returns whether it worked.
    static func removeDetached(_ urls: [String], service: FichierService) async -> Bool {
        let client = service.client
        let task = Task { () -> Bool in
            do {
                _ = try await client.removeFiles(urls: urls)
                return true
            } catch {
                return false
            }
        }
        return await task.value
    }
}
