import Foundation

/// `file/info.cgi`: one file in detail (a flat object, no `status` on success).
public struct FileInfo: Sendable, Hashable {
    public var url: String
    public var name: String
    public var wireName: String
    public var size: Int64
    public var uploadedAt: Date?
    public var folderID: FolderID?
    /// The folder path without the file name, decoded component by component.
    public var path: String?
    public var checksum: String?
    public var contentType: String?
    public var description: String?
    public var isPasswordProtected: Bool
    public var noSSL: Bool
    public var inline: Bool
    public var usesCDN: Bool
    /// The access list object (`ip`, `country`, `email`, `premium`), when set.
    public var accessList: JSONValue?
    public var raw: JSONValue

    public var id: String { Wire.fileID(fromURL: url) }

    public init(json: JSONValue) throws(FichierError) {
        let json = try Wire.requireObject(json, "file info")
        url = try Wire.string(json, "url", what: "file info")
        wireName = json.member("filename", "name")?.stringValue ?? ""
        name = NameCodec.decode(wireName)
        size = json["size"]?.int64Value ?? 0
        uploadedAt = json.member("date")?.dateValue
        folderID = json.member("folder_id")?.intValue
        path = json.member("path")?.stringValue.map { text in
            text.split(separator: "/", omittingEmptySubsequences: false)
                .map { NameCodec.decode(String($0)) }.joined(separator: "/")
        }
        checksum = json.member("checksum", "whirlpool")?.stringValue?.lowercased()
        contentType = json.member("content-type", "content_type", "contentType", "mime")?.stringValue
        description = json.member("description")?.stringValue
        isPasswordProtected = Wire.flag(json, "pass")
        noSSL = Wire.flag(json, "no_ssl")
        inline = Wire.flag(json, "inline")
        usesCDN = Wire.flag(json, "cdn")
        if let acl = json["acl"], acl.objectValue != nil { accessList = acl } else { accessList = nil }
        raw = json
    }
}
