import Foundation

extension FichierClient {
    /// `folder/ls.cgi`: a folder's sub-folders, and its files when `includeFiles` (`files: 1`).
    /// 1fichier allows one listing per folder per 30 s; `PathResolver` caches them.
    public func listFolder(_ id: FolderID, includeFiles: Bool = false) async throws -> FolderListing {
        var body: [String: JSONValue] = ["folder_id": .integer(Int64(id))]
        if includeFiles { body["files"] = 1 }
        let json = try await call(.folderList, .object(body))
        return try FolderListing(json: json, requestedID: id, includesFiles: includeFiles)
    }

    /// `folder/mkdir.cgi`: makes `named` (user form, ≤ 250 characters once encoded) in `parent`.
    public func makeFolder(named name: String, in parent: FolderID) async throws -> FolderSummary {
        let wireName = try Self.wireName(name)
        let json = try await call(.folderMake, .object(["name": .string(wireName), "folder_id": .integer(Int64(parent))]))
        guard let id = json.member("folder_id", "id")?.intValue else {
            throw Wire.missing("folder_id", in: "mkdir")
        }
        let folder = FolderSummary(id: id, wireName: json.member("name")?.stringValue ?? wireName,
                                   createdAt: json.member("create_date", "date")?.dateValue ?? Date(), raw: json)
        await observers.announce(.folderAdded(parent: parent, folder: folder))
        return folder
    }

    /// `folder/mv.cgi`: moves a folder into `destination`, renaming it when `rename` is given.
    public func moveFolder(_ id: FolderID, to destination: FolderID, rename: String? = nil) async throws {
        var body: [String: JSONValue] = ["folder_id": .integer(Int64(id)),
                                         "destination_folder_id": .integer(Int64(destination))]
        let wireName = try rename.map(Self.wireName)
        if let wireName { body["rename"] = .string(wireName) }
        _ = try await call(.folderMove, .object(body))
        await observers.announce(.folderMoved(id: id, to: destination, wireName: wireName))
    }

    /// `folder/rm.cgi`: removes an empty folder (1fichier refuses a non-empty one).
    public func removeFolder(_ id: FolderID) async throws {
        guard id != 0 else { throw FichierError(.invalidArgument, "the root folder cannot be removed") }
        _ = try await call(.folderRemove, .object(["folder_id": .integer(Int64(id))]))
        await observers.announce(.folderRemoved(id: id))
    }

    /// A user name in 1fichier's form; refuses empty and over-long names.
    static func wireName(_ name: String) throws(FichierError) -> String {
        guard !name.isEmpty else { throw FichierError(.invalidArgument, "a name may not be empty") }
        let wire = NameCodec.encode(name)
        guard wire.count <= 250 else {
            throw FichierError(.invalidArgument, "the name is longer than 1fichier's 250 characters")
        }
        return wire
    }
}
