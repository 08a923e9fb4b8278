import Foundation

/// A sub-folder entry of `folder/ls.cgi` (`sub_folders[]`), or the folder `folder/mkdir.cgi` made.
public struct FolderSummary: Sendable, Hashable {
    public var id: FolderID
    /// The user's name (decoded with `NameCodec`).
    public var name: String
    public var wireName: String
    public var createdAt: Date?
    public var isPasswordProtected: Bool
    public var raw: JSONValue

    public init(json: JSONValue) throws(FichierError) {
        let json = try Wire.requireObject(json, "folder")
        guard let id = json.member("id", "folder_id")?.intValue else { throw Wire.missing("id", in: "folder") }
        self.id = id
        wireName = json.member("name")?.stringValue ?? ""
        name = NameCodec.decode(wireName)
        createdAt = json.member("create_date", "date")?.dateValue
        isPasswordProtected = Wire.flag(json, "pass")
        raw = json
    }

    init(id: FolderID, wireName: String, createdAt: Date?, raw: JSONValue) {
        self.id = id
        self.wireName = wireName
        name = NameCodec.decode(wireName)
        self.createdAt = createdAt
        isPasswordProtected = false
        self.raw = raw
    }
}
