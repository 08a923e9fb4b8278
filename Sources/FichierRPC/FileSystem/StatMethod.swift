import FichierAPI

/// `fs/stat {path | url}`: a file (`type: "file"`) or a folder (`type: "folder"`).
enum StatMethod {
    struct Params: Decodable, Sendable {
        var path: String?
        var url: String?
    }

    /// Either entry, encoded flat with its `type`.
    enum Result: Encodable, Sendable {
        case file(FileEntry)
        case folder(FolderEntry)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .file(let entry): try entry.encode(to: encoder)
            case .folder(let entry): try entry.encode(to: encoder)
            }
        }
    }

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("fs/stat", ordering: { (params: Params) throws -> [OrderingKey] in
            try RemoteParams.target(path: params.path, url: params.url, urls: nil, allowURLs: false).readKeys
        }, service.tracked { (params: Params, _: RequestContext) async throws -> Result in
            switch try RemoteParams.target(path: params.path, url: params.url, urls: nil, allowURLs: false) {
            case .path(let path):
                switch try await service.locator.item(path) {
                case .folder(let id, let summary):
                    let name = path.name ?? "Root"
                    return .folder(FolderEntry(id: id, name: summary?.name ?? name, path: path.description,
                                               created: ISOTime.string(summary?.createdAt),
                                               password: summary?.isPasswordProtected))
                case .file(let file):
                    let folder = try await service.locator.folderID(path.parent ?? .root)
                    return .file(FileEntry(file, folderPath: path.parent, folderID: folder).viewed(through: service.names))
                }
            case .url(let url):
                do {
                    return .file(FileEntry(try await service.client.fileInfo(url: url)).viewed(through: service.names))
                } catch let error as FichierError {
                    throw error.rpcError.about(path: url, subject: "file")
                }
            case .urls:
                throw RPCError.invalidParams(path: "urls", problem: "not accepted here")
            }
        })
    }
}
