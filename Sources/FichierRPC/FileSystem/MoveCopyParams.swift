import FichierAPI

/// Params of `fs/move` and `fs/copy`: what (`path`, `url` or `urls`), into which folder
/// (`to`, a folder path that must exist), and an optional new name (one item only).
struct MoveCopyParams: Decodable, Sendable {
    var path: String?
    var url: String?
    var urls: [String]?
    var to: String
    var rename: String?

    func target() throws(RPCError) -> RemoteParams.Target {
        let target = try RemoteParams.target(path: path, url: url, urls: urls, allowURLs: true)
        if rename != nil, case .urls(let list) = target, list.count != 1 {
            throw RPCError.invalidParams(path: "rename", problem: "a new name applies to one item only")
        }
        return target
    }

    func destination() throws(RPCError) -> RemotePath {
        try RemoteParams.path(to, field: "to")
    }

    func newName() throws(RPCError) -> String? {
        try rename.map { name throws(RPCError) in try RemoteParams.name(name, field: "rename") }
    }

    /// Keys: the source (`sourceKeys`), and the destination: the new path exclusively when
    /// the name is known, otherwise the destination folder shared.
    func orderingKeys(sourceIsRead: Bool) throws -> [OrderingKey] {
        let target = try target()
        let destination = try destination()
        let name = try newName()
        var keys = sourceIsRead ? target.readKeys : target.mutationKeys
        if case .path(let path) = target, let known = name ?? path.name {
            keys += PathKeys.mutation(try destination.appending(known))
        } else if let name {
            keys += PathKeys.mutation(try destination.appending(name))
        } else {
            keys += PathKeys.read(destination)
        }
        return keys
    }
}

/// One item moved or copied.
struct MovedItem: Encodable, Sendable {
    var type: String
    /// Where it came from: its path or URL as given.
    var from: String
    var name: String?
    /// Its path now, when known.
    var path: String?
    /// A file's URL (for a copy, the new file's URL).
    var url: String?
    /// A folder's id (for a copy, the new folder's id).
    var id: FolderID?
}
