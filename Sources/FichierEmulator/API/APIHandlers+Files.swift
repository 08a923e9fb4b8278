import FichierAPI
import Foundation
import HTTPTypes
import Logging

extension APIHandlers {
    /// file/ls.cgi: the files of one folder (`-1`: every file of the account), with optional
    /// `sent_before`/`sent_after` date filters.
    func listFiles(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        let folder = try parameters.folderID()
        let before = try parameters.string("sent_before")
        let after = try parameters.string("sent_after")
        let files = try store.read { state throws(APIError) -> [StoredFile] in
            if folder == -1 { return state.ownedFiles }
            guard state.folderExists(folder) else { throw .resourceNotFound }
            return state.files(in: folder)
        }
        let selected = capped(visible(files).filter { file in
            (before.map { file.date < $0 } ?? true) && (after.map { file.date > $0 } ?? true)
        })
        return ["status": "OK", "items": .array(selected.map(Self.listItem)), "count": .int(selected.count)]
    }

    /// file/info.cgi: a flat object without `status`; `acl` is an object here.
    func fileInfo(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        let password = try parameters.string("pass")
        let lookup: (StoredFile, String)? = try store.read { state throws(APIError) in
            let file: StoredFile?
            if let url = try parameters.string("url") {
                file = state.files[try fileID(url)]
            } else if let name = try parameters.string("filename"), parameters.has("folder_id") {
                file = state.files(in: try parameters.folderID()).first { $0.name == name }
            } else {
                throw .invalidParameter("url")
            }
            return file.map { ($0, $0.folderID.map { state.path(ofFolder: $0) } ?? "") }
        }
        guard let (file, path) = lookup else { throw .resourceNotFound }
        try Self.checkPassword(of: file, given: password)
        return [
            "url": .string(file.url), "filename": .string(file.name), "size": .int(file.size),
            "date": .string(file.date), "folder_id": .int(file.folderID ?? 0), "path": .string(path),
            "checksum": .string(file.checksum), "content-type": .string(file.contentType),
            "description": .string(file.description), "pass": .int(file.hasPassword ? 1 : 0),
            "no_ssl": .int(file.noSSL), "inline": .int(file.inline), "cdn": .int(file.cdn),
            "acl": (file.acl ?? FileACL()).json,
        ]
    }

    /// file/scan.cgi: always clean; a repeated scan within 6 h answers from cache with `date`.
    func scanFile(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let url = try parameters.string("url") else { throw .invalidParameter("url") }
        let id = try fileID(url)
        guard let file = store.peek({ $0.files[id] }) else { throw .resourceNotFound }
        guard file.size < 5_000_000_000 else { throw .tooLargeToScan }
        var answer: WireObject = ["status": "OK", "message": "No virus found"]
        if let date = core.scans.scan(fileID: id) { answer["date"] = .string(date) }
        return .object(answer)
    }

    /// file/rm.cgi: `files: [{url, code?}]`. Anonymous uploads need their removal `code`.
    func removeFiles(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let entries = try parameters.objects("files"), !entries.isEmpty else { throw .invalidParameter("files") }
        var requests: [(id: String, url: String, code: String?)] = []
        for entry in entries {
            let entryParameters = APIParameters(entry)
            guard let url = try entryParameters.string("url") else { throw .invalidParameter("files") }
            requests.append((try fileID(url), url, try entryParameters.string("code")))
        }
        let removed = try store.mutate { state throws(APIError) -> [StoredFile] in
            for request in requests {
                guard let file = state.files[request.id] else { throw .resourceNotFound }
                if file.folderID == nil, file.removeCode != request.code { throw .resourceNotAllowed }
            }
            return requests.compactMap { state.removeFile($0.id) }
        }
        for file in removed { store.removeBlob(file.blob) }
        return ["status": "OK", "removed": .int(removed.count), "urls": .array(removed.map { .string($0.url) })]
    }

    /// file/mv.cgi: `urls`, `destination_folder_id` (required), `rename` (one URL only; equal to
    /// the current name is refused, as the service has done since 2024).
    func moveFiles(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let urls = try parameters.strings("urls"), !urls.isEmpty else { throw .invalidParameter("urls") }
        guard let destination = try parameters.int("destination_folder_id") else {
            throw .invalidParameter("destination_folder_id")
        }
        let rename = try parameters.string("rename").flatMap { $0.isEmpty ? nil : $0 }
        if rename != nil, urls.count != 1 { throw .oneURLOnly }
        if let rename, !NameRules.isValid(rename) { throw .invalidName(rename) }
        let ids = try urls.map { url throws(APIError) in try fileID(url) }
        let moved = try store.mutate { state throws(APIError) -> [StoredFile] in
            guard state.folderExists(destination) else { throw .resourceNotFound }
            var files: [StoredFile] = []
            for id in ids {
                guard let file = state.files[id] else { throw .resourceNotFound }
                guard file.folderID != nil else { throw .resourceNotAllowed }
                if let rename, rename == file.name { throw .noFileRenamed }
                files.append(file)
            }
            return files.map { original in
                var file = original
                file.folderID = destination
                if let rename { file.name = rename }
                state.insert(file)
                return file
            }
        }
        var answer: WireObject = [
            "status": "OK", "moved": .int(moved.count), "urls": .array(moved.map { .string($0.url) }),
        ]
        if let rename { answer["filename"] = .string(rename) }
        return .object(answer)
    }

    /// file/cp.cgi: `urls`, `folder_id` (target), `rename` (one URL only), `pass`; copies get new URLs.
    func copyFiles(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let urls = try parameters.strings("urls"), !urls.isEmpty else { throw .invalidParameter("urls") }
        let target = try parameters.folderID()
        let password = try parameters.string("pass")
        let rename = try parameters.string("rename").flatMap { $0.isEmpty ? nil : $0 }
        if rename != nil, urls.count != 1 { throw .oneURLOnly }
        if let rename, !NameRules.isValid(rename) { throw .invalidName(rename) }
        let ids = try urls.map { url throws(APIError) in try fileID(url) }
        let now = Date()
        let date = ParisTime.format(now)
        let copies = try store.mutate { state throws(APIError) -> [(from: StoredFile, to: StoredFile)] in
            guard state.folderExists(target) else { throw .resourceNotFound }
            var sources: [StoredFile] = []
            for id in ids {
                guard let file = state.files[id] else { throw .resourceNotFound }
                try Self.checkPassword(of: file, given: password)
                sources.append(file)
            }
            return sources.map { source in
                let id = state.newFileID()
                let copy = StoredFile(
                    id: id, name: rename ?? source.name, folderID: target, size: source.size,
                    checksum: source.checksum, contentType: source.contentType, date: date,
                    created: now.timeIntervalSince1970, sequence: state.takeSequence(),
                    blob: source.blob == nil ? nil : id)
                state.insert(copy)
                return (source, copy)
            }
        }
        for (source, copy) in copies {
            guard let sourceBlob = source.blob, let copyBlob = copy.blob else { continue }
            do {
                try FileSystem.linkOrCopy(store.blobPath(sourceBlob), store.blobPath(copyBlob))
            } catch {
                core.logger.error("copy \(source.id): \(error)")
                _ = try? store.mutate { state throws(APIError) in state.removeFile(copy.id) }
                throw APIError(status: .internalServerError, message: "Copy failed #914")
            }
        }
        var answer: WireObject = [
            "status": "OK", "copied": .int(copies.count),
            "urls": .array(copies.map { ["from_url": .string($0.from.url), "to_url": .string($0.to.url)] }),
        ]
        if let rename { answer["filename"] = .string(rename) }
        return .object(answer)
    }

    /// file/rename.cgi: `urls: [{url, filename}]`; when nothing changes, 200 KO
    /// "No file has been renamed #312" as observed.
    func renameFiles(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let entries = try parameters.objects("urls"), !entries.isEmpty else { throw .invalidParameter("urls") }
        var requests: [(id: String?, name: String)] = []
        for entry in entries {
            let entryParameters = APIParameters(entry)
            guard let url = try entryParameters.string("url"), let name = try entryParameters.string("filename") else {
                throw .invalidParameter("urls")
            }
            requests.append((FileURL.id(from: url), name))
        }
        let renamed = try store.mutate { state throws(APIError) -> [(url: String, old: String, new: String)] in
            var done: [(url: String, old: String, new: String)] = []
            for request in requests {
                guard let id = request.id, var file = state.files[id], file.folderID != nil,
                      file.name != request.name, NameRules.isValid(request.name)
                else { continue }
                let old = file.name
                file.name = request.name
                state.insert(file)
                done.append((file.url, old, request.name))
            }
            guard !done.isEmpty else { throw .noFileRenamed }
            return done
        }
        return [
            "status": "OK", "renamed": .int(renamed.count),
            "urls": .array(renamed.map {
                ["url": .string($0.url), "old_filename": .string($0.old), "new_filename": .string($0.new)]
            }),
        ]
    }

    /// file/chattr.cgi: `filename` (one URL only), `description`, `pass` (6+ chars, empty removes),
    /// `no_ssl`, `inline`, `cdn`, `acl` (empty removes).
    func changeAttributes(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let urls = try parameters.strings("urls"), !urls.isEmpty else { throw .invalidParameter("urls") }
        let name = try parameters.string("filename")
        if name != nil, urls.count != 1 { throw .oneURLOnly }
        if let name, !NameRules.isValid(name) { throw .invalidName(name) }
        let description = try parameters.string("description")
        let password = try parameters.string("pass")
        if let password, !password.isEmpty, password.count < 6 { throw .invalidParameter("pass") }
        let noSSL = try parameters.flag("no_ssl")
        let inline = try parameters.flag("inline")
        let cdn = try parameters.flag("cdn")
        var acl: FileACL?? = nil
        if parameters.has("acl") {
            acl = .some(try Self.parseACL(parameters))
        }
        let ids = try urls.map { url throws(APIError) in try fileID(url) }
        let updated = try store.mutate { state throws(APIError) -> [StoredFile] in
            for id in ids {
                guard let file = state.files[id] else { throw .resourceNotFound }
                guard file.folderID != nil else { throw .resourceNotAllowed }
            }
            return ids.compactMap { id in
                guard var file = state.files[id] else { return nil }
                if let name { file.name = name }
                if let description { file.description = description }
                if let password { file.password = password.isEmpty ? nil : password }
                if let noSSL { file.noSSL = noSSL }
                if let inline { file.inline = inline }
                if let cdn { file.cdn = cdn }
                if let acl { file.acl = acl }
                state.insert(file)
                return file
            }
        }
        return ["status": "OK", "updated": .int(updated.count), "urls": .array(updated.map { .string($0.url) })]
    }

    /// `acl: {ip: [CIDR], country: [ISO2], email: [], premium: 0/1}`; an empty object or value removes it.
    static func parseACL(_ parameters: APIParameters) throws(APIError) -> FileACL? {
        if case .array(let list)? = parameters.object["acl"], list.isEmpty { return nil }
        if case .string(let text)? = parameters.object["acl"], text.isEmpty { return nil }
        guard let object = try parameters.object("acl") else { return nil }
        let fields = APIParameters(object)
        var acl = FileACL()
        do {
            acl.ip = try fields.strings("ip") ?? []
            acl.country = try fields.strings("country") ?? []
            acl.email = try fields.strings("email") ?? []
            acl.premium = try fields.flag("premium") ?? 0
        } catch {
            throw .invalidParameter("acl")
        }
        return acl.isEmpty ? nil : acl
    }
}
