import FichierAPI

/// `fs/rmdir {path | folderId, recursive?}`: removes a folder. Without `recursive` it must be
/// empty; with it, its files and sub-folders go first, bottom up. The root is refused.
enum RmdirMethod {
    struct Params: Decodable, Sendable {
        var path: String?
        var folderId: Int?
        var recursive: Bool?
    }

    struct Result: Encodable, Sendable {
        var id: FolderID
        var path: String?
        /// Files and folders removed (the folder itself included).
        var removedFiles: Int
        var removedFolders: Int
    }

    /// file/rm.cgi takes several URLs; this many per call.
    static let removalBatch = 100

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("fs/rmdir", ordering: { (params: Params) throws -> [OrderingKey] in
            if let path = params.path { return PathKeys.mutation(try RemoteParams.path(path, field: "path")) }
            return params.folderId.map { [.exclusive("folder:\($0)")] } ?? []
        }, service.tracked { (params: Params, _: RequestContext) async throws -> Result in
            let id: FolderID
            var path: RemotePath?
            switch (params.path, params.folderId) {
            case (let text?, nil):
                let parsed = try RemoteParams.path(text, field: "path")
                path = parsed
                guard !parsed.isRoot else { throw refuseRoot() }
                id = try await service.locator.folderID(parsed)
            case (nil, let folder?):
                guard folder > 0 else {
                    if folder == 0 { throw refuseRoot() }
                    throw RPCError.invalidParams(path: "folderId", problem: "must not be negative")
                }
                id = folder
            default:
                throw RPCError.invalidParams(path: "", problem: "give one of path or folderId")
            }
            let counts = RemovalCounts()
            do {
                if params.recursive == true {
                    // Part-way through a tree, say what is already gone.
                    try await RPCError.reportingPartial({ counts.partial }) {
                        try await removeTree(id, service: service, counts: counts)
                    }
                } else {
                    let listing = try await service.resolver.listing(of: id)
                    guard listing.subfolders.isEmpty, listing.files.isEmpty else {
                        throw RPCError.mapping(
                            kind: "not_empty",
                            message: "\(path?.description ?? "folder \(id)") holds \(listing.subfolders.count) folder(s) and \(listing.files.count) file(s); use recursive")
                    }
                    try await service.client.removeFolder(id)
                    counts.folders += 1
                }
            } catch let error as FichierError {
                throw error.rpcError.about(path: path?.description, subject: "folder")
            } catch let error as RPCError {
                throw error.about(path: path?.description, subject: "folder")
            }
            return Result(id: id, path: path?.description, removedFiles: counts.files, removedFolders: counts.folders)
        })
    }

    static func refuseRoot() -> RPCError {
        RPCError.mapping(kind: "not_allowed", message: "the root folder cannot be removed", path: "/")
    }

    /// Files, then sub-folders (each the same way), then the folder.
    static func removeTree(_ id: FolderID, service: FichierService, counts: RemovalCounts) async throws {
        try Task.checkCancellation()
        let listing = try await service.resolver.listing(of: id)
        let urls = listing.files.map(\.url)
        var start = 0
        while start < urls.count {
            try Task.checkCancellation()
            let batch = Array(urls[start..<min(start + removalBatch, urls.count)])
            _ = try await service.client.removeFiles(urls: batch)
            counts.files += batch.count
            start += batch.count
        }
        for folder in listing.subfolders {
            try await removeTree(folder.id, service: service, counts: counts)
        }
        try Task.checkCancellation()
        try await service.client.removeFolder(id)
        counts.folders += 1
    }
}
