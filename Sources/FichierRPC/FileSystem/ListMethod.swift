import FichierAPI

/// `fs/list {path | folderId, pageSize?, cursor?}`: a folder, its sub-folders and its files,
/// paged from one snapshot of the (cached) listing.
enum ListMethod {
    struct Params: Decodable, Sendable {
        var path: String?
        var folderId: Int?
        var pageSize: Int?
        var cursor: String?
    }

    struct Totals: Encodable, Sendable {
        var folders: Int
        var files: Int
    }

    struct Result: Encodable, Sendable {
        var folder: FolderEntry
        var folders: [FolderEntry]
        var files: [FileEntry]
        /// Present when more entries follow: pass it back as `cursor`.
        var nextCursor: String?
        /// Entries of the whole listing (all pages).
        var totals: Totals
        /// False when 1fichier reported more files than its listing returned (it caps a
        /// listing at 5,000 entries).
        var complete: Bool
    }

    static let defaultPageSize = 1_000
    static let maximumPageSize = 100_000
    /// A page's entries stay under this many bytes, well inside the 1 MiB line budget.
    static let pageByteBudget = 900_000

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("fs/list", ordering: { (params: Params) throws -> [OrderingKey] in
            guard params.cursor == nil, let path = params.path else { return [] }
            return PathKeys.read(try RemoteParams.path(path, field: "path"))
        }, service.tracked { (params: Params, _: RequestContext) async throws -> Result in
            try await run(params, service: service)
        })
    }

    static func run(_ params: Params, service: FichierService) async throws -> Result {
        let pageSize = params.pageSize ?? defaultPageSize
        guard (1...maximumPageSize).contains(pageSize) else {
            throw RPCError.invalidParams(path: "pageSize", problem: "must be between 1 and \(maximumPageSize)")
        }
        if let text = params.cursor {
            guard let cursor = ListCursor(text), let snapshot = service.snapshots.snapshot(cursor.snapshot),
                  cursor.offset <= snapshot.count else {
                throw RPCError.invalidParams(path: "cursor", problem: "unknown or expired cursor; list again without one")
            }
            return page(of: snapshot, id: cursor.snapshot, from: cursor.offset, pageSize: pageSize, service: service)
        }
        let snapshot = try await takeSnapshot(params, service: service)
        if snapshot.count <= pageSize {
            return page(of: snapshot, id: nil, from: 0, pageSize: pageSize, service: service)
        }
        let id = service.snapshots.store(snapshot)
        return page(of: snapshot, id: id, from: 0, pageSize: pageSize, service: service)
    }

    private static func takeSnapshot(_ params: Params, service: FichierService) async throws -> ListingSnapshots.Snapshot {
        let folderID: FolderID
        let folderPath: RemotePath?
        switch (params.path, params.folderId) {
        case (let text?, nil):
            let path = try RemoteParams.path(text, field: "path")
            folderID = try await service.locator.folderID(path)
            folderPath = path
        case (nil, let id?):
            guard id >= 0 else { throw RPCError.invalidParams(path: "folderId", problem: "must not be negative") }
            folderID = id
            folderPath = id == 0 ? RemotePath.root : nil
        default:
            throw RPCError.invalidParams(path: "", problem: "give one of path or folderId")
        }
        let listing: FolderListing
        do {
            listing = try await service.resolver.listing(of: folderID)
        } catch let error as FichierError {
            if error.kind == .notFound {
                throw RPCError.mapping(kind: "not_found", message: "no folder with id \(folderID)")
                    .about(path: folderPath?.description, subject: "folder")
            }
            throw error.rpcError.about(path: folderPath?.description, subject: "folder")
        }
        let folder = FolderEntry(id: listing.id, name: listing.name, path: folderPath?.description,
                                 created: ISOTime.string(listing.raw["create_date"]?.dateValue),
                                 password: listing.raw["pass"].map { $0.boolValue ?? false })
        let folders = listing.subfolders.map { FolderEntry($0, parentPath: folderPath) }
        let names = service.names
        let files = listing.files.map { FileEntry($0, folderPath: folderPath, folderID: listing.id).viewed(through: names) }
        let complete = listing.fileCount.map { $0 <= files.count } ?? true
        return ListingSnapshots.Snapshot(folder: folder, folders: folders, files: files, complete: complete,
                                         reportedFileCount: listing.fileCount)
    }

    /// Entries from `offset`: sub-folders first, then files, at most `pageSize` and within
    /// the byte budget (always at least one).
    private static func page(of snapshot: ListingSnapshots.Snapshot, id: String?, from offset: Int, pageSize: Int,
                             service: FichierService) -> Result {
        var folders: [FolderEntry] = []
        var files: [FileEntry] = []
        var bytes = 400 + JSONLength.bound(snapshot.folder.name) + (snapshot.folder.path.map(JSONLength.bound) ?? 0)
        var index = offset
        let end = snapshot.count
        while index < end, index - offset < pageSize {
            let size: Int
            if index < snapshot.folders.count {
                size = snapshot.folders[index].encodedLengthBound
            } else {
                size = snapshot.files[index - snapshot.folders.count].encodedLengthBound
            }
            if index > offset && bytes + size > pageByteBudget { break }
            bytes += size
            if index < snapshot.folders.count {
                folders.append(snapshot.folders[index])
            } else {
                files.append(snapshot.files[index - snapshot.folders.count])
            }
            index += 1
        }
        var next: String?
        if index < end {
            if let id {
                next = ListCursor(snapshot: id, offset: index).text
            } else {
                // Only reached when the byte budget cut a page that fit pageSize: keep it now.
                next = ListCursor(snapshot: service.snapshots.store(snapshot), offset: index).text
            }
        } else if let id {
            service.snapshots.drop(id)
        }
        return Result(folder: snapshot.folder, folders: folders, files: files, nextCursor: next,
                      totals: Totals(folders: snapshot.folders.count, files: snapshot.files.count),
                      complete: snapshot.complete)
    }
}
