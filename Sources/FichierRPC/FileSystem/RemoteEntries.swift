import FichierAPI

/// A file as the protocol shows it (`fs/list`, `fs/stat`, results of moves and copies).
struct FileEntry: Encodable, Sendable {
    var type = "file"
    var name: String
    var url: String
    var size: Int64
    /// Upload date, ISO 8601 UTC.
    var date: String?
    /// Whirlpool, 128 lowercase hex characters (may be empty right after an upload).
    var checksum: String?
    var contentType: String?
    /// Protected by a download password.
    var password: Bool
    /// Restricted by an access list.
    var acl: Bool
    var cdn: Bool
    /// The full remote path, when the folder's path is known.
    var path: String?
    var folderId: FolderID?
    /// Client-side encryption (see `FileEntry+Encryption.swift`): set for age files in a
    /// session with a vault, with the name as stored and why it could not be decrypted.
    var encrypted: Bool?
    var remoteName: String?
    var decryptError: String?

    init(_ file: RemoteFile, folderPath: RemotePath?, folderID: FolderID?) {
        name = file.name
        url = file.url
        size = file.size
        date = ISOTime.string(file.uploadedAt)
        checksum = file.checksum
        contentType = file.contentType
        password = file.isPasswordProtected
        acl = file.hasAccessList
        cdn = file.usesCDN
        path = folderPath.map { Self.join($0, file.name) }
        folderId = folderID
    }

    init(_ info: FileInfo) {
        name = info.name
        url = info.url
        size = info.size
        date = ISOTime.string(info.uploadedAt)
        checksum = info.checksum
        contentType = info.contentType
        password = info.isPasswordProtected
        acl = info.accessList.map { $0 != .object([:]) && !Self.isEmptyACL($0) } ?? false
        cdn = info.usesCDN
        if let folder = info.path {
            let trimmed = folder.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
            path = trimmed.isEmpty ? "/" + info.name : "/" + trimmed + "/" + info.name
        }
        folderId = info.folderID
    }

    static func join(_ folder: RemotePath, _ name: String) -> String {
        folder.isRoot ? "/" + name : folder.description + "/" + name
    }

    private static func isEmptyACL(_ value: JSONValue) -> Bool {
        guard let object = value.objectValue else { return true }
        return object.allSatisfy { key, member in
            if key == "premium" { return (member.intValue ?? 0) == 0 }
            return (member.arrayValue ?? []).isEmpty
        }
    }

    /// An upper bound of this entry's JSON length in bytes (for the outbound line budget).
    var encodedLengthBound: Int {
        220 + JSONLength.bound(name) + JSONLength.bound(url) + (checksum?.utf8.count ?? 0)
            + JSONLength.bound(contentType ?? "") + (path.map(JSONLength.bound) ?? 0) + 40
            + (remoteName.map { 32 + JSONLength.bound($0) } ?? 0) + (decryptError.map { 32 + JSONLength.bound($0) } ?? 0)
    }
}

/// A folder as the protocol shows it.
struct FolderEntry: Encodable, Sendable {
    var type = "folder"
    var id: FolderID
    var name: String
    /// The full remote path, when known.
    var path: String?
    /// Creation date, ISO 8601 UTC.
    var created: String?
    var password: Bool?

    init(id: FolderID, name: String, path: String?, created: String?, password: Bool?) {
        self.id = id
        self.name = name
        self.path = path
        self.created = created
        self.password = password
    }

    init(_ summary: FolderSummary, parentPath: RemotePath?) {
        id = summary.id
        name = summary.name
        path = parentPath.map { FileEntry.join($0, summary.name) }
        created = ISOTime.string(summary.createdAt)
        password = summary.isPasswordProtected
    }

    var encodedLengthBound: Int {
        120 + JSONLength.bound(name) + (path.map(JSONLength.bound) ?? 0)
    }
}

/// Upper bounds of JSON string lengths.
enum JSONLength {
    /// The escaped length of `text` with quotes: control characters take 6 bytes, `"` and
    /// `\` two, U+2028/U+2029 may be escaped too.
    static func bound(_ text: String) -> Int {
        var total = 2
        for byte in text.utf8 {
            switch byte {
            case 0..<0x20: total += 6
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): total += 2
            case 0xE2: total += 3  // may start U+2028/U+2029, escaped as 6 bytes
            default: total += 1
            }
        }
        return total
    }
}
