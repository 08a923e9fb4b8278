import FichierAPI

/// `fs/rename {path | url, name}`: renames in place. Files use file/rename.cgi, folders
/// folder/mv.cgi with `rename`. Renaming to the current name succeeds without a call.
enum RenameMethod {
    struct Params: Decodable, Sendable {
        var path: String?
        var url: String?
        var name: String
    }

    struct Result: Encodable, Sendable {
        var type: String
        var name: String
        var path: String?
        var url: String?
        var id: FolderID?
        /// False when the item already had that name.
        var renamed: Bool
    }

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("fs/rename", ordering: { (params: Params) throws -> [OrderingKey] in
            let target = try RemoteParams.target(path: params.path, url: params.url, urls: nil, allowURLs: false)
            let name = try RemoteParams.name(params.name, field: "name")
            guard case .path(let path) = target, let parent = path.parent else { return target.mutationKeys }
            return target.mutationKeys + PathKeys.mutation(try parent.appending(name))
        }, service.tracked { (params: Params, _: RequestContext) async throws -> Result in
            let name = try RemoteParams.name(params.name, field: "name")
            switch try RemoteParams.target(path: params.path, url: params.url, urls: nil, allowURLs: false) {
            case .path(let path):
                guard let parent = path.parent else {
                    throw RPCError.mapping(kind: "not_allowed", message: "the root folder cannot be renamed", path: "/")
                }
                let newPath = try parent.appending(name).description
                switch try await service.locator.item(path) {
                case .file(let file):
                    // An encrypted file keeps its scheme: the new name is stored encrypted or with `.age`.
                    let stored = try service.names.storedName(renaming: file.name, to: name)
                    if file.name == stored {
                        return Result(type: "file", name: name, path: newPath, url: file.url, renamed: false)
                    }
                    try await renameFile(file.url, to: stored, service: service, shown: path.description)
                    return Result(type: "file", name: name, path: newPath, url: file.url, renamed: true)
                case .folder(let id, _):
                    if path.name == name {
                        return Result(type: "folder", name: name, path: newPath, id: id, renamed: false)
                    }
                    let parentID = try await service.locator.folderID(parent)
                    let siblings = try await service.resolver.listing(of: parentID)
                    if siblings.subfolders.contains(where: { $0.name == name }) {
                        throw RPCError.mapping(kind: "conflict", message: "a folder \(newPath) already exists", path: newPath)
                    }
                    do {
                        try await service.client.moveFolder(id, to: parentID, rename: name)
                    } catch let error as FichierError {
                        throw error.rpcError.about(path: path.description, subject: "folder")
                    }
                    return Result(type: "folder", name: name, path: newPath, id: id, renamed: true)
                }
            case .url(let url):
                let info: FileInfo
                do {
                    info = try await service.client.fileInfo(url: url)
                } catch let error as FichierError {
                    throw error.rpcError.about(path: url, subject: "file")
                }
                let path = FileEntry(info).path.flatMap { try? RemotePath($0) }?.parent
                let newPath = path.flatMap { try? $0.appending(name).description }
                let stored = try service.names.storedName(renaming: info.name, to: name)
                if info.name == stored {
                    return Result(type: "file", name: name, path: newPath, url: url, renamed: false)
                }
                try await renameFile(url, to: stored, service: service, shown: url)
                return Result(type: "file", name: name, path: newPath, url: url, renamed: true)
            case .urls:
                throw RPCError.invalidParams(path: "urls", problem: "not accepted here")
            }
        })
    }

    private static func renameFile(_ url: String, to name: String, service: FichierService, shown: String) async throws {
        do {
            _ = try await service.client.renameFile(url: url, to: name)
        } catch let error as FichierError {
            throw error.rpcError.about(path: shown, subject: "file")
        }
    }
}
