import FichierAPI

/// What sits at a remote path.
enum RemoteItem: Sendable {
    case folder(id: FolderID, summary: FolderSummary?)
    case file(RemoteFile)
}

/// Finds folders and files by path through the resolver's cached listings, and words its
/// failures for the user: `not_found` names the path asked for and says whether a file or a
/// folder was missing (`data.subject`).
struct RemoteLocator: Sendable {
    let resolver: PathResolver
    /// Encrypted files are found under their stored names (see `file(storedAs:)`).
    var names: EncryptedNames = .inactive

    /// The folder at `path`.
    func folderID(_ path: RemotePath) async throws -> FolderID {
        if path.isRoot { return 0 }
        do {
            return try await resolver.folderID(for: path)
        } catch let error as FichierError where error.kind == .notFound {
            throw Self.notFound("no such folder: \(path)", path: path, subject: "folder")
        } catch let error as FichierError {
            throw error.rpcError.about(path: path.description, subject: "folder")
        }
    }

    /// The file at `path` (`conflict` when several files share its name).
    func file(_ path: RemotePath) async throws -> RemoteFile {
        guard let parent = path.parent else {
            throw RPCError.mapping(kind: "not_found", message: "/ is a folder, not a file", path: "/")
                .about(path: "/", subject: "file")
        }
        _ = try await folderID(parent)
        do {
            return try await file(storedAs: path)
        } catch let error as FichierError where error.kind == .notFound {
            if case .folder = try? await item(path) {
                throw Self.notFound("\(path) is a folder, not a file", path: path, subject: "file")
            }
            throw Self.notFound("no such file: \(path)" + lockedNamesHint, path: path, subject: "file")
        } catch let error as FichierError {
            throw error.rpcError.about(path: path.description, subject: "file")
        }
    }

    /// The folder or file at `path`. A name shared by a folder and a file, or by several
    /// files, is a `conflict` (use the file's URL instead).
    func item(_ path: RemotePath) async throws -> RemoteItem {
        guard let parent = path.parent, let name = path.name else { return .folder(id: 0, summary: nil) }
        let parentID = try await folderID(parent)
        do {
            let id = try await resolver.folderID(for: path)
            let listing = try await resolver.listing(of: parentID)
            if listing.files.contains(where: { $0.name == name }) {
                throw RPCError.mapping(kind: "conflict",
                                       message: "\(path) names both a folder and a file; give the file's url instead",
                                       path: path.description)
            }
            return .folder(id: id, summary: listing.subfolders.first { $0.id == id })
        } catch let error as FichierError where error.kind == .notFound {
            do {
                return .file(try await file(storedAs: path))
            } catch let error as FichierError where error.kind == .notFound {
                throw Self.notFound("no such file or folder: \(path)" + lockedNamesHint, path: path, subject: "file")
            } catch let error as FichierError {
                throw error.rpcError.about(path: path.description, subject: "file")
            }
        } catch let error as FichierError {
            throw error.rpcError.about(path: path.description, subject: "folder")
        }
    }

    static func notFound(_ message: String, path: RemotePath, subject: String) -> RPCError {
        RPCError.mapping(kind: "not_found", message: message).about(path: path.description, subject: subject)
    }
}
