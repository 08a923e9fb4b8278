import FichierAPI

/// `fs/move {path | url | urls, to, rename?}`: files with file/mv.cgi (the URL stays),
/// folders with folder/mv.cgi. A rename equal to the current name is dropped (1fichier
/// refuses it).
enum MoveMethod {
    struct Result: Encodable, Sendable {
        var items: [MovedItem]
        var to: String
    }

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("fs/move", ordering: { (params: MoveCopyParams) throws -> [OrderingKey] in
            try params.orderingKeys(sourceIsRead: false)
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
                    let name = try rename.map { try service.names.storedName(renaming: file.name, to: $0) } ?? file.name
                    let shown = service.names.view(of: name).name
                    let sourceFolder = try await service.locator.folderID(path.parent ?? .root)
                    let newPath = try destination.appending(shown).description
                    if sourceFolder != destinationID || name != file.name {
                        try await moveFiles([file.url], to: destinationID, rename: name == file.name ? nil : name,
                                            service: service, shown: path.description)
                    }
                    return Result(items: [MovedItem(type: "file", from: path.description, name: shown, path: newPath,
                                                    url: file.url)],
                                  to: destination.description)
                case .folder(let id, _):
                    guard let name = path.name else {
                        throw RPCError.mapping(kind: "not_allowed", message: "the root folder cannot be moved", path: "/")
                    }
                    if destination.components.starts(with: path.components) {
                        throw RPCError.mapping(kind: "not_allowed", message: "cannot move \(path) into itself",
                                               path: path.description)
                    }
                    let newName = rename ?? name
                    let newPath = try destination.appending(newName)
                    if newPath != path {
                        let siblings = try await service.resolver.listing(of: destinationID)
                        if siblings.subfolders.contains(where: { $0.name == newName }) {
                            throw RPCError.mapping(kind: "conflict", message: "a folder \(newPath) already exists",
                                                   path: newPath.description)
                        }
                        do {
                            try await service.client.moveFolder(id, to: destinationID,
                                                                rename: newName == name ? nil : newName)
                        } catch let error as FichierError {
                            throw error.rpcError.about(path: path.description, subject: "folder")
                        }
                    }
                    return Result(items: [MovedItem(type: "folder", from: path.description, name: newName,
                                                    path: newPath.description, id: id)],
                                  to: destination.description)
                }
            case .url(let url):
                var newName = rename
                if let wanted = rename {
                    let info: FileInfo
                    do {
                        info = try await service.client.fileInfo(url: url)
                    } catch let error as FichierError {
                        throw error.rpcError.about(path: url, subject: "file")
                    }
                    if info.name == wanted { newName = nil }
                }
                try await moveFiles([url], to: destinationID, rename: newName, service: service, shown: url)
                return Result(items: [MovedItem(type: "file", from: url, name: rename,
                                                path: rename.flatMap { try? destination.appending($0).description },
                                                url: url)],
                              to: destination.description)
            case .urls(let urls):
                try await moveFiles(urls, to: destinationID, rename: nil, service: service,
                                    shown: urls.count == 1 ? urls[0] : nil)
                return Result(items: urls.map { MovedItem(type: "file", from: $0, url: $0) }, to: destination.description)
            }
        })
    }

    private static func moveFiles(_ urls: [String], to folder: FolderID, rename: String?, service: FichierService,
                                  shown: String?) async throws {
        do {
            _ = try await service.client.moveFiles(urls: urls, to: folder, rename: rename)
        } catch let error as FichierError {
            throw error.rpcError.about(path: shown, subject: "file")
        }
    }
}
