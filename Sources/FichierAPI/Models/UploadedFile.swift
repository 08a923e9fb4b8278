import Foundation

/// A finished upload, as end.pl reported it.
public struct UploadedFile: Sendable, Hashable {
    public var url: String
    public var name: String
    public var wireName: String
    public var size: Int64
    /// Whirlpool as the node computed it.
    public var whirlpool: String?
    public var folder: FolderID
    public var removeURL: String?
    /// The upload report id (from the 302 Location, else the get_upload_server id).
    public var xid: String
    public var raw: JSONValue

    public var id: String { Wire.fileID(fromURL: url) }

    init(link: UploadReport.Link, folder: FolderID, xid: String) {
        url = link.url
        name = link.name
        wireName = link.wireName
        size = link.size
        whirlpool = link.whirlpool
        self.folder = folder
        removeURL = link.removeURL
        self.xid = xid
        raw = link.raw
    }
}
