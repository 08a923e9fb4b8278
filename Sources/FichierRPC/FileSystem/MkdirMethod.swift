import FichierAPI

/// `fs/mkdir {path, parents?}`: makes a folder. Without `parents` the parent must exist and
/// the folder must not; with it, missing ancestors are made and an existing folder is fine.
enum MkdirMethod {
    struct Params: Decodable, Sendable {
        var path: String
        var parents: Bool?
    }

    struct Result: Encodable, Sendable {
        var type = "folder"
        var id: FolderID
        var name: String
        var path: String
        /// False when the folder already existed (only with `parents`).
        var created: Bool
    }

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("fs/mkdir", ordering: { (params: Params) throws -> [OrderingKey] in
            PathKeys.mutation(try RemoteParams.path(params.path, field: "path"))
        }, service.tracked { (params: Params, _: RequestContext) async throws -> Result in
            let path = try RemoteParams.path(params.path, field: "path")
            guard let parent = path.parent, let name = path.name else {
                if params.parents == true { return Result(id: 0, name: "Root", path: "/", created: false) }
                throw RPCError.mapping(kind: "conflict", message: "the root folder always exists", path: "/")
            }
            let existing: FolderID?
            do {
                existing = try await service.locator.folderID(path)
            } catch let error as RPCError where error.data.kind == "not_found" {
                existing = nil
            }
            if let existing {
                guard params.parents == true else {
                    throw RPCError.mapping(kind: "conflict", message: "a folder \(path) already exists",
                                           path: path.description)
                }
                return Result(id: existing, name: name, path: path.description, created: false)
            }
            do {
                if params.parents == true {
                    let id = try await service.resolver.ensureFolder(path)
                    return Result(id: id, name: name, path: path.description, created: true)
                }
                let parentID = try await service.locator.folderID(parent)
                let folder = try await service.client.makeFolder(named: name, in: parentID)
                return Result(id: folder.id, name: folder.name, path: path.description, created: true)
            } catch let error as FichierError {
                throw error.rpcError.about(path: path.description, subject: "folder")
            }
        })
    }
}
