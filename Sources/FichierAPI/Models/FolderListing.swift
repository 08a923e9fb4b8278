/// One folder as `folder/ls.cgi` describes it: its sub-folders, and its files when asked
/// (`files: 1`). Root is id 0, named "Root".
public struct FolderListing: Sendable, Hashable {
    public var id: FolderID
    public var name: String
    public var wireName: String
    public var subfolders: [FolderSummary]
    /// Present when the listing was asked with files; otherwise empty.
    public var files: [RemoteFile]
    public var includesFiles: Bool
    /// The folder's own file count as 1fichier reports it (not recursive).
    public var fileCount: Int?
    /// The public share URL, when the folder is shared.
    public var shareURL: String?
    public var raw: JSONValue

    public init(json: JSONValue, requestedID: FolderID, includesFiles: Bool) throws(FichierError) {
        let json = try Wire.requireObject(json, "folder listing")
        id = json.member("folder_id", "id")?.intValue ?? requestedID
        wireName = json.member("name")?.stringValue ?? (requestedID == 0 ? "Root" : "")
        name = NameCodec.decode(wireName)
        var folders: [FolderSummary] = []
        for entry in json["sub_folders"]?.arrayValue ?? [] {
            folders.append(try FolderSummary(json: entry))
        }
        subfolders = folders
        var items: [RemoteFile] = []
        for entry in json.member("items", "files_list")?.arrayValue ?? [] {
            items.append(try RemoteFile(json: entry))
        }
        files = items
        self.includesFiles = includesFiles
        fileCount = json["files"]?.arrayValue == nil ? json["files"]?.intValue : nil
        shareURL = json.member("shared")?.stringValue.flatMap { $0.hasPrefix("http") ? $0 : nil }
        raw = json
    }
}
