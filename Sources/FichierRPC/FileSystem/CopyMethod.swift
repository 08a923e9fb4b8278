import FichierAPI

/// `fs/copy {path | url | urls, to, rename?}`: files with file/cp.cgi (each copy gets a new
/// URL). A folder is copied by walking it: the folder is made in `to`, its files copied,
/// its sub-folders copied the same way.
enum CopyMethod {
    struct Result: Encodable, Sendable {
        var items: [MovedItem]
        var to: String
        /// Files and folders made (a folder copy counts every level).
        var copiedFiles: Int
        var copiedFolders: Int
    }

    static let copyBatch = 100

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("fs/copy", ordering: { (params: MoveCopyParams) throws -> [OrderingKey] in
            try params.orderingKeys(sourceIsRead: true)
        }, service.tracked { (params: MoveCopyParams, _: RequestContext) async throws -> Result in
            let target = try params.target()
            let destination = try params.destination()
            let rename = try params.newName()
            let destinationID = try await service.locator.folderID(destination)
            switch target {
            case .path(let path):
                switch try await service.locator.item(path) {
                case .file(let file):
                    // Stored names keep their scheme (encrypted, `.age`); results show the user's name.
                    let stored = try rename.map { try service.names.storedName(renaming: file.name, to: $0) }
                    let name = service.names.view(of: stored ?? file.name).name
                    let copies = try await copyFiles([file.url], to: destinationID,
                                                     rename: stored, service: service, shown: path.description)
                    return Result(items: copies.map {
                        MovedItem(type: "file", from: path.description, name: name,
                                  path: try? destination.appending(name).description, url: $0.url)
                    }, to: destination.description, copiedFiles: copies.count, copiedFolders: 0)
                case .folder(let id, _):
                    guard let name = path.name else {
                        throw RPCError.mapping(kind: "not_allowed", message: "the root folder cannot be copied", path: "/")
                    }
                    if destination.components.starts(with: path.components) {
                        throw RPCError.mapping(kind: "not_allowed", message: "cannot copy \(path) into itself",
                                               path: path.description)
                    }
                    let newName = rename ?? name
                    let newPath = try destination.appending(newName)
                    let counts = RemovalCounts()
                    let newID = try await RPCError.reportingPartial({ counts.partial }) {
                        try await copyTree(id, named: newName, into: destinationID, at: newPath,
                                           service: service, counts: counts)
                    }
                    return Result(items: [MovedItem(type: "folder", from: path.description, name: newName,
                                                    path: newPath.description, id: newID)],
                                  to: destination.description, copiedFiles: counts.files, copiedFolders: counts.folders)
                }
            case .url(let url):
                let copies = try await copyFiles([url], to: destinationID, rename: rename, service: service, shown: url)
                return Result(items: copies.map {
                    MovedItem(type: "file", from: url, name: rename,
                              path: rename.flatMap { try? destination.appending($0).description }, url: $0.url)
                }, to: destination.description, copiedFiles: copies.count, copiedFolders: 0)
            case .urls(let urls):
                let copies = try await copyFiles(urls, to: destinationID, rename: nil, service: service,
                                                 shown: urls.count == 1 ? urls[0] : nil)
                return Result(items: copies.map { MovedItem(type: "file", from: $0.sourceURL, url: $0.url) },
                              to: destination.description, copiedFiles: copies.count, copiedFolders: 0)
            }
        })
    }

    private static func copyFiles(_ urls: [String], to folder: FolderID, rename: String?, service: FichierService,
                                  shown: String?) async throws -> [CopiedFile] {
        do {
            return try await service.client.copyFiles(urls: urls, to: folder, rename: rename)
        } catch let error as FichierError {
            throw error.rpcError.about(path: shown, subject: "file")
        }
    }

    /// Makes `name` in `parent`, copies the source's files into it, then its sub-folders.
    /// `fresh`: `parent` was made by this copy (no name check needed).
    static func copyTree(_ source: FolderID, named name: String, into parent: FolderID, at path: RemotePath,
                         service: FichierService, counts: RemovalCounts, fresh: Bool = false) async throws -> FolderID {
        try Task.checkCancellation()
        // Inside a folder this copy just made there is nothing to collide with.
        if !fresh, try await service.resolver.listing(of: parent).subfolders.contains(where: { $0.name == name }) {
            throw RPCError.mapping(kind: "conflict", message: "a folder \(path) already exists", path: path.description)
        }
        let listing = try await service.resolver.listing(of: source)
        let made = try await service.client.makeFolder(named: name, in: parent)
        counts.folders += 1
        let urls = listing.files.map(\.url)
        var start = 0
        while start < urls.count {
            try Task.checkCancellation()
            let batch = Array(urls[start..<min(start + copyBatch, urls.count)])
            counts.files += try await service.client.copyFiles(urls: batch, to: made.id).count
            start += batch.count
        }
        for folder in listing.subfolders {
            _ = try await copyTree(folder.id, named: folder.name, into: made.id, at: try path.appending(folder.name),
                                   service: service, counts: counts, fresh: true)
        }
        return made.id
    }
}
