extension FichierClient {
    /// `file/ls.cgi`: the files of one folder.
    public func listFiles(in folder: FolderID) async throws -> [RemoteFile] {
        let json = try await call(.fileList, .object(["folder_id": .integer(Int64(folder))]))
        var files: [RemoteFile] = []
        for entry in json["items"]?.arrayValue ?? [] {
            files.append(try RemoteFile(json: entry))
        }
        return files
    }

    /// `file/info.cgi`: one file in detail.
    public func fileInfo(url: String, password: String? = nil) async throws -> FileInfo {
        var body: [String: JSONValue] = ["url": .string(url)]
        if let password { body["pass"] = .string(password) }
        return try FileInfo(json: try await call(.fileInfo, .object(body)))
    }

    /// `file/rm.cgi`: removes files; returns how many 1fichier says it removed.
    public func removeFiles(urls: [String]) async throws -> Int {
        guard !urls.isEmpty else { return 0 }
        let files = urls.map { JSONValue.object(["url": .string($0)]) }
        let json = try await call(.fileRemove, .object(["files": .array(files)]))
        await observers.announce(.filesRemoved(urls: urls))
        return json["removed"]?.intValue ?? urls.count
    }

    /// `file/mv.cgi`: moves files into `folder`; `rename` only with one URL, and never equal to
    /// the current name (1fichier refuses that since 2024). Returns the moved URLs.
    public func moveFiles(urls: [String], to folder: FolderID, rename: String? = nil) async throws -> [String] {
        guard !urls.isEmpty else { return [] }
        if rename != nil && urls.count != 1 {
            throw FichierError(.invalidArgument, "a rename during a move takes exactly one file")
        }
        var body: [String: JSONValue] = ["urls": .array(urls.map(JSONValue.string)),
                                         "destination_folder_id": .integer(Int64(folder))]
        let wireName = try rename.map(Self.wireName)
        if let wireName { body["rename"] = .string(wireName) }
        let json = try await call(.fileMove, .object(body))
        await observers.announce(.filesMoved(urls: urls, to: folder, renamedTo: wireName))
        let moved = (json["urls"]?.arrayValue ?? []).compactMap { $0.stringValue ?? $0["url"]?.stringValue }
        return moved.isEmpty ? urls : moved
    }

    /// `file/cp.cgi`: copies files (yours or any you can reach) into `folder`; each copy has a
    /// new URL. `rename` only with one URL.
    public func copyFiles(urls: [String], to folder: FolderID, rename: String? = nil) async throws -> [CopiedFile] {
        guard !urls.isEmpty else { return [] }
        if rename != nil && urls.count != 1 {
            throw FichierError(.invalidArgument, "a rename during a copy takes exactly one file")
        }
        var body: [String: JSONValue] = ["urls": .array(urls.map(JSONValue.string)),
                                         "folder_id": .integer(Int64(folder))]
        let wireName = try rename.map(Self.wireName)
        if let wireName { body["rename"] = .string(wireName) }
        let json = try await call(.fileCopy, .object(body))
        var copies: [CopiedFile] = []
        for entry in json["urls"]?.arrayValue ?? [] {
            copies.append(try CopiedFile(json: entry))
        }
        await observers.announce(.filesCopied(copies: copies, to: folder, renamedTo: wireName))
        return copies
    }

    /// `file/rename.cgi`: renames a file in place.
    public func renameFile(url: String, to name: String) async throws -> RenamedFile {
        let wireName = try Self.wireName(name)
        let entry = JSONValue.object(["url": .string(url), "filename": .string(wireName)])
        let json = try await call(.fileRename, .object(["urls": [entry]]))
        if let renamed = json["renamed"]?.intValue, renamed == 0 {
            throw FichierError(.conflict, "1fichier renamed nothing")
        }
        let result: RenamedFile
        if let first = json["urls"]?.arrayValue?.first {
            result = try RenamedFile(json: first, requestedName: name)
        } else {
            result = try RenamedFile(json: .object(["url": .string(url), "new_filename": .string(wireName)]),
                                     requestedName: name)
        }
        await observers.announce(.fileRenamed(url: url, wireName: wireName))
        return result
    }

    /// `file/chattr.cgi`: changes attributes; returns how many files 1fichier updated.
    public func changeAttributes(urls: [String], _ changes: FileAttributeChanges) async throws -> Int {
        guard !urls.isEmpty else { return 0 }
        guard !changes.isEmpty else { throw FichierError(.invalidArgument, "no attribute to change") }
        if changes.filename != nil && urls.count != 1 {
            throw FichierError(.invalidArgument, "a new file name applies to exactly one file")
        }
        if let filename = changes.filename { _ = try Self.wireName(filename) }
        var body = changes.members
        body["urls"] = .array(urls.map(JSONValue.string))
        let json = try await call(.fileAttributes, .object(body))
        if let filename = changes.filename {
            await observers.announce(.fileRenamed(url: urls[0], wireName: NameCodec.encode(filename)))
        } else {
            await observers.announce(.filesChanged(urls: urls))
        }
        return json["updated"]?.intValue ?? urls.count
    }
}
