import FichierAPI
import FichierRPC
import Foundation

/// The requests about content: keys (`TRANSFER`, `CHECKPRESENT`, `REMOVE`, `WHEREIS`) and
/// the export interface (`TRANSFEREXPORT`, `CHECKPRESENTEXPORT`, `REMOVEEXPORT`,
/// `REMOVEEXPORTDIRECTORY`, `RENAMEEXPORT`).
extension AnnexRemote {
    func handleContent(_ message: AnnexMessage, conversation: AnnexConversation,
                       exportName: String?) async throws(AnnexFailure) {
        let command = message.command
        let exporting = command.hasSuffix("EXPORT") || command == "REMOVEEXPORTDIRECTORY"
        switch command {
        case "TRANSFER", "TRANSFEREXPORT":
            guard let parameters = message.parameters(3), ["STORE", "RETRIEVE"].contains(parameters[0]) else {
                throw AnnexFailure.fatal("malformed request: \(command) \(message.rest)")
            }
            let (direction, key, file) = (parameters[0], parameters[1], parameters[2])
            let reply = try await withTarget(conversation, key: key, exportName: exporting ? .some(exportName) : nil,
                                         failure: { AnnexMessage.line("TRANSFER-FAILURE", direction, key, $0) }) { prepared, path in
                direction == "STORE"
                    ? await self.store(file: file, key: key, path: path, backend: prepared.backend, job: conversation.job)
                    : await self.retrieve(file: file, key: key, path: path, backend: prepared.backend, job: conversation.job)
            }
            conversation.send(reply)
        case "CHECKPRESENT", "CHECKPRESENTEXPORT":
            let key = message.rest
            let reply = try await withTarget(conversation, key: key, exportName: exporting ? .some(exportName) : nil,
                                         failure: { AnnexMessage.line("CHECKPRESENT-UNKNOWN", key, $0) }) { prepared, path in
                switch await self.presence(of: path, key: key, backend: prepared.backend) {
                case .present: return AnnexMessage.line("CHECKPRESENT-SUCCESS", key)
                case .absent: return AnnexMessage.line("CHECKPRESENT-FAILURE", key)
                case .unknown(let why): return AnnexMessage.line("CHECKPRESENT-UNKNOWN", key, why)
                }
            }
            conversation.send(reply)
        case "REMOVE", "REMOVEEXPORT":
            let key = message.rest
            let reply = try await withTarget(conversation, key: key, exportName: exporting ? .some(exportName) : nil,
                                         failure: { AnnexMessage.line("REMOVE-FAILURE", key, $0) }) { prepared, path in
                if let problem = await self.remove(path: path, backend: prepared.backend) {
                    return AnnexMessage.line("REMOVE-FAILURE", key, problem)
                }
                return AnnexMessage.line("REMOVE-SUCCESS", key)
            }
            conversation.send(reply)
        case "WHEREIS":
            let key = message.rest
            let reply = try await withTarget(conversation, key: key, exportName: nil, failure: { _ in "WHEREIS-FAILURE" }) { prepared, path in
                if case .result(let entry) = await prepared.backend.call("fs/stat", ["path": .string(path)]),
                   let url = entry["url"]?.stringValue {
                    return AnnexMessage.line("WHEREIS-SUCCESS", url)
                }
                return "WHEREIS-FAILURE"
            }
            conversation.send(reply)
        case "REMOVEEXPORTDIRECTORY":
            let directory = message.rest
            let reply = try await withPrepared(conversation, failure: { _ in "REMOVEEXPORTDIRECTORY-FAILURE" }) { prepared in
                guard AnnexPath.isValidExportName(directory) else { return "REMOVEEXPORTDIRECTORY-FAILURE" }
                let path = AnnexPath.join(prepared.settings.folder, directory)
                switch await prepared.backend.call("fs/rmdir", ["path": .string(path)]) {
                case .result:
                    return "REMOVEEXPORTDIRECTORY-SUCCESS"
                case .failure(let error, _) where error.data.kind == "not_found":
                    return "REMOVEEXPORTDIRECTORY-SUCCESS"
                case .failure(let error, _):
                    self.debug(conversation, "cannot remove \(path): \(Self.describe(error))")
                    return "REMOVEEXPORTDIRECTORY-FAILURE"
                }
            }
            conversation.send(reply)
        case "RENAMEEXPORT":
            guard let parameters = message.parameters(2) else {
                throw AnnexFailure.fatal("malformed request: RENAMEEXPORT \(message.rest)")
            }
            let (key, newName) = (parameters[0], parameters[1])
            let reply = try await withTarget(conversation, key: key, exportName: .some(exportName),
                                         failure: { _ in AnnexMessage.line("RENAMEEXPORT-FAILURE", key) }) { prepared, path in
                guard AnnexPath.isValidExportName(newName) else { return AnnexMessage.line("RENAMEEXPORT-FAILURE", key) }
                let target = AnnexPath.join(prepared.settings.folder, newName)
                if let problem = await self.rename(path, to: target, backend: prepared.backend) {
                    self.debug(conversation, "cannot rename \(path) to \(target): \(problem)")
                    return AnnexMessage.line("RENAMEEXPORT-FAILURE", key)
                }
                return AnnexMessage.line("RENAMEEXPORT-SUCCESS", key)
            }
            conversation.send(reply)
        default:
            conversation.send("UNSUPPORTED-REQUEST")
        }
    }

    // MARK: - Where things are

    /// Runs `body` with the prepared remote, or answers `failure(reason)`.
    private func withPrepared(_ conversation: AnnexConversation, failure: (String) -> String,
                              _ body: (Prepared) async -> String) async throws(AnnexFailure) -> String {
        switch try await prepared(conversation) {
        case .success(let prepared): return await body(prepared)
        case .failure(let error): return failure(error.description)
        }
    }

    /// Runs `body` with the prepared remote and the remote path of `key` (or of the export
    /// name, when `exportName` is given), or answers `failure(reason)`.
    private func withTarget(_ conversation: AnnexConversation, key: String, exportName: String??,
                            failure: (String) -> String,
                            _ body: (Prepared, String) async -> String) async throws(AnnexFailure) -> String {
        guard AnnexKey.isValid(key) else { return failure("malformed key \(key)") }
        let prepared: Prepared
        switch try await self.prepared(conversation) {
        case .success(let value): prepared = value
        case .failure(let error): return failure(error.description)
        }
        let path: String
        if let exportName {
            guard let name = exportName else { return failure("git-annex sent no EXPORT name") }
            guard AnnexPath.isValidExportName(name) else { return failure("cannot export to the name \(name)") }
            path = AnnexPath.join(prepared.settings.folder, name)
        } else if let bucket = try await bucket(for: key, layout: prepared.settings.layout, conversation: conversation) {
            path = AnnexPath.join(prepared.settings.folder, bucket, key)
        } else {
            path = AnnexPath.join(prepared.settings.folder, key)
        }
        return await body(prepared, path)
    }

    private func bucket(for key: String, layout: AnnexLayout, conversation: AnnexConversation) async throws(AnnexFailure) -> String? {
        guard layout != .flat else { return nil }
        let hash = try await conversation.value("DIRHASH-LOWER \(key)")
        guard let bucket = layout.bucket(dirhashLower: hash) else {
            throw AnnexFailure.fatal("unexpected DIRHASH-LOWER answer for \(key): \(hash)")
        }
        return bucket
    }

    // MARK: - Operations

    /// 1fichier refuses empty files: an empty key's content is stored as this one byte, and
    /// recognised by the key's size field (`-s0`).
    static let emptyMarker: JSONValue = "Cg=="

    private func store(file: String, key: String, path: String, backend: AnnexBackend, job: Int?) async -> String {
        let local = LocalPath.absolute(file)
        let size = (try? FileManager.default.attributesOfItem(atPath: local)[.size] as? NSNumber)?.int64Value
        guard let size else {
            return AnnexMessage.line("TRANSFER-FAILURE", "STORE", key, "cannot read \(file)")
        }
        var params: [String: JSONValue] = ["remote": .string(path), "ifExists": "replace"]
        if size == 0 {
            guard AnnexKey.size(key) == 0 else {
                return AnnexMessage.line("TRANSFER-FAILURE", "STORE", key,
                                         "1fichier does not store empty files (use a key backend with a size field)")
            }
            params["data"] = Self.emptyMarker
        } else {
            params["local"] = .string(local)
        }
        // The marker's byte is not the key's content: no PROGRESS for it.
        let reply = await backend.call("transfer/upload", .object(params),
                                       onEvent: size == 0 ? nil : progressReporter(phase: "uploading", job: job))
        switch reply {
        case .result:
            return AnnexMessage.line("TRANSFER-SUCCESS", "STORE", key)
        case .failure(let error, _):
            return AnnexMessage.line("TRANSFER-FAILURE", "STORE", key, Self.describe(error))
        }
    }

    private func retrieve(file: String, key: String, path: String, backend: AnnexBackend, job: Int?) async -> String {
        let local = LocalPath.absolute(file)
        func failure(_ why: String) -> String { AnnexMessage.line("TRANSFER-FAILURE", "RETRIEVE", key, why) }
        if AnnexKey.size(key) == 0 {
            switch await presence(of: path, key: key, backend: backend) {
            case .present:
                guard FileManager.default.createFile(atPath: local, contents: Data()) else {
                    return failure("cannot write \(file)")
                }
                return AnnexMessage.line("TRANSFER-SUCCESS", "RETRIEVE", key)
            case .absent: return failure("\(path) is not on 1fichier")
            case .unknown(let why): return failure(why)
            }
        }
        let report = progressReporter(phase: "downloading", job: job)
        var reply = await backend.call("transfer/download", ["remote": .string(path), "local": .string(local), "overwrite": true],
                                       onEvent: report)
        if case .failure(let error, _) = reply, error.data.kind == "conflict" {
            // Several files carry the key's name (an interrupted earlier store): any of the right size will do.
            switch await files(at: path, backend: backend) {
            case .success(let candidates):
                let expected = AnnexKey.size(key)
                guard let match = candidates.first(where: { expected == nil || $0["size"]?.int64Value == expected }),
                      let url = match["url"]?.stringValue else {
                    return failure("no file of the right size at \(path)")
                }
                reply = await backend.call("transfer/download", ["url": .string(url), "local": .string(local), "overwrite": true],
                                           onEvent: report)
            case .failure(let error):
                return failure(Self.describe(error))
            }
        }
        switch reply {
        case .result:
            return AnnexMessage.line("TRANSFER-SUCCESS", "RETRIEVE", key)
        case .failure(let error, _):
            return failure(Self.describe(error))
        }
    }

    enum Presence {
        case present(url: String)
        case absent
        case unknown(String)
    }

    /// Whether the key's content is at `path`. A file found through the (cached) listing is
    /// confirmed with 1fichier (file/info.cgi), since a copy wrongly reported present could make
    /// git-annex drop the last other copy; a file whose size differs from the key's is absent.
    func presence(of path: String, key: String, backend: AnnexBackend) async -> Presence {
        let expected = AnnexKey.size(key).map { $0 == 0 ? 1 : $0 }
        var candidates: [JSONValue]
        switch await backend.call("fs/stat", ["path": .string(path)]) {
        case .result(let entry):
            candidates = entry["type"]?.stringValue == "file" ? [entry] : []
        case .failure(let error, _) where error.data.kind == "not_found":
            return .absent
        case .failure(let error, _) where error.data.kind == "conflict":
            switch await files(at: path, backend: backend) {
            case .success(let files): candidates = files
            case .failure(let error): return .unknown(Self.describe(error))
            }
        case .failure(let error, _):
            return .unknown(Self.describe(error))
        }
        candidates = candidates.filter { expected == nil || $0["size"]?.int64Value == expected }
        var problem: String?
        for candidate in candidates {
            guard let url = candidate["url"]?.stringValue else { continue }
            switch await backend.call("fs/stat", ["url": .string(url)]) {
            case .result(let entry) where expected == nil || entry["size"]?.int64Value == expected:
                return .present(url: url)
            case .result:
                continue
            case .failure(let error, _) where error.data.kind == "not_found":
                continue
            case .failure(let error, _):
                problem = Self.describe(error)
            }
        }
        return problem.map { .unknown($0) } ?? .absent
    }

    /// Removes every file at `path`; nil when done (also when there was none).
    private func remove(path: String, backend: AnnexBackend) async -> String? {
        switch await backend.call("fs/delete", ["path": .string(path), "missingOk": true]) {
        case .result:
            return nil
        case .failure(let error, _) where error.data.kind == "not_found":
            return nil
        case .failure(let error, _) where error.data.kind == "conflict":
            switch await files(at: path, backend: backend) {
            case .success(let files):
                let urls = files.compactMap { $0["url"] }
                guard !urls.isEmpty else { return nil }
                if case .failure(let error, _) = await backend.call("fs/delete", ["urls": .array(urls), "missingOk": true]) {
                    return Self.describe(error)
                }
                return nil
            case .failure(let error):
                return Self.describe(error)
            }
        case .failure(let error, _):
            return Self.describe(error)
        }
    }

    /// Moves or renames the exported file at `path` to `target`, replacing what is there.
    private func rename(_ path: String, to target: String, backend: AnnexBackend) async -> String? {
        let (parent, _) = AnnexPath.split(path)
        let (targetParent, targetName) = AnnexPath.split(target)
        if let problem = await remove(path: target, backend: backend) { return problem }
        let reply: OneShotSession.Reply
        if parent == targetParent {
            reply = await backend.call("fs/rename", ["path": .string(path), "name": .string(targetName)])
        } else {
            if case .failure(let error, _) = await backend.call("fs/mkdir", ["path": .string(targetParent), "parents": true]) {
                return Self.describe(error)
            }
            reply = await backend.call("fs/move", ["path": .string(path), "to": .string(targetParent), "rename": .string(targetName)])
        }
        if case .failure(let error, _) = reply { return Self.describe(error) }
        return nil
    }

    /// The file entries named like the last component of `path` in its folder (every page).
    private func files(at path: String, backend: AnnexBackend) async -> Result<[JSONValue], RPCError> {
        let (parent, name) = AnnexPath.split(path)
        var params: JSONValue = ["path": .string(parent), "pageSize": 100_000]
        var found: [JSONValue] = []
        while true {
            switch await backend.call("fs/list", params) {
            case .result(let page):
                found += (page["files"]?.arrayValue ?? []).filter { $0["name"]?.stringValue == name }
                guard let cursor = page["nextCursor"]?.stringValue else { return .success(found) }
                params = ["cursor": .string(cursor), "pageSize": 100_000]
            case .failure(let error, _):
                return .failure(error)
            }
        }
    }

    // MARK: - Messages during a request

    /// Turns the events of a transfer into `PROGRESS` (bytes of `phase`, when they change) and
    /// flood pauses into `INFO` (or `DEBUG` without the INFO extension).
    private func progressReporter(phase: String, job: Int?) -> AnnexBackend.EventHandler {
        let last = Locked<Int64>(-1)
        let channel = self.channel
        let info = infoEnabled
        return { method, params in
            switch method {
            case "event/progress":
                guard params["phase"]?.stringValue == phase, let done = params["bytesDone"]?.int64Value else { return }
                let changed = last.withLock { value -> Bool in
                    guard value != done else { return false }
                    value = done
                    return true
                }
                if changed { channel.send("PROGRESS \(done)", job: job) }
            case "event/job":
                let state = params["state"]?.stringValue
                guard state == "throttled" || state == "retrying" else { return }
                var text = state == "throttled" ? "1fichier flood protection" : "retrying"
                if let reason = params["reason"]?.stringValue { text += " (\(reason))" }
                if let wait = (params["retryAfterMs"] ?? params["delayMs"])?.int64Value {
                    text += ", waiting \(max(1, wait / 1000)) s"
                }
                channel.send(AnnexMessage.line(info ? "INFO" : "DEBUG", "fichier: " + text), job: job)
            default:
                return
            }
        }
    }

    private func debug(_ conversation: AnnexConversation, _ text: String) {
        conversation.send(AnnexMessage.line("DEBUG", text))
    }
}
