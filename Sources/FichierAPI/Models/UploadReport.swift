/// `end.pl?xid=…` with `JSON: 1`: what the node stored. `size` arrives as a string.
public struct UploadReport: Sendable, Hashable {
    /// One stored file.
    public struct Link: Sendable, Hashable {
        /// The file's URL (`download`).
        public var url: String
        public var name: String
        public var wireName: String
        public var size: Int64
        public var whirlpool: String?
        /// The removal link; empty when the upload is tied to an account.
        public var removeURL: String?
        public var raw: JSONValue

        public init(json: JSONValue) throws(FichierError) {
            let json = try Wire.requireObject(json, "upload report link")
            url = try Wire.string(json, "download", "url", what: "upload report")
            wireName = json.member("filename", "name")?.stringValue ?? ""
            name = NameCodec.decode(wireName)
            size = try Wire.int64(json, "size", what: "upload report")
            whirlpool = json.member("whirlpool", "checksum")?.stringValue?.lowercased()
            removeURL = json.member("remove")?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            raw = json
        }
    }

    /// 1 when the files went to a recipient's "incoming" folder.
    public var incoming: Bool
    /// Usually one entry; 1fichier sometimes sends none (a failed upload).
    public var links: [Link]
    public var raw: JSONValue

    public init(json: JSONValue) throws(FichierError) {
        let json = try Wire.requireObject(json, "upload report")
        incoming = Wire.flag(json, "incoming")
        var links: [Link] = []
        for entry in json["links"]?.arrayValue ?? [] {
            links.append(try Link(json: entry))
        }
        self.links = links
        raw = json
    }
}
