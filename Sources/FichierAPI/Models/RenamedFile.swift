/// One entry of `file/rename.cgi`'s `urls`.
public struct RenamedFile: Sendable, Hashable {
    public var url: String
    public var oldName: String?
    public var newName: String
    public var raw: JSONValue

    public init(json: JSONValue, requestedName: String) throws(FichierError) {
        let json = try Wire.requireObject(json, "rename")
        url = try Wire.string(json, "url", what: "rename")
        oldName = json.member("old_filename", "old_name")?.stringValue.map(NameCodec.decode)
        newName = json.member("new_filename", "new_name", "filename")?.stringValue.map(NameCodec.decode) ?? requestedName
        raw = json
    }
}
