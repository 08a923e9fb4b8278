import Foundation

/// A file as listed by `file/ls.cgi` or `folder/ls.cgi` with `files: 1` (`items[]`).
/// A file's identity is its URL; names may repeat in a folder.
public struct RemoteFile: Sendable, Hashable {
    public var url: String
    /// The user's name (decoded with `NameCodec`).
    public var name: String
    /// The name exactly as 1fichier stores it.
    public var wireName: String
    public var size: Int64
    /// Upload date; 1fichier keeps no modification times.
    public var uploadedAt: Date?
    /// Whirlpool, 128 lowercase hex characters; may be empty right after an upload.
    public var checksum: String?
    public var contentType: String?
    public var isPasswordProtected: Bool
    public var hasAccessList: Bool
    public var usesCDN: Bool
    public var raw: JSONValue

    /// The file id (the URL's query).
    public var id: String { Wire.fileID(fromURL: url) }

    public init(json: JSONValue) throws(FichierError) {
        let json = try Wire.requireObject(json, "file listing")
        url = try Wire.string(json, "url", what: "file listing")
        wireName = json.member("filename", "name")?.stringValue ?? ""
        name = NameCodec.decode(wireName)
        size = json["size"]?.int64Value ?? 0
        uploadedAt = json.member("date")?.dateValue
        checksum = json.member("checksum", "whirlpool")?.stringValue?.lowercased()
        contentType = json.member("content-type", "content_type", "contentType", "mime")?.stringValue
        isPasswordProtected = Wire.flag(json, "pass")
        hasAccessList = json["acl"].map { $0.boolValue ?? ($0.objectValue.map { !$0.isEmpty } ?? false) } ?? false
        usesCDN = Wire.flag(json, "cdn")
        raw = json
    }

    /// A file we just uploaded, known from end.pl before any listing shows it.
    init(uploaded link: UploadReport.Link, at date: Date) {
        url = link.url
        name = link.name
        wireName = link.wireName
        size = link.size
        uploadedAt = date
        checksum = link.whirlpool
        contentType = nil
        isPasswordProtected = false
        hasAccessList = false
        usesCDN = false
        raw = link.raw
    }
}
