/// One entry of `file/cp.cgi`'s `urls`: the copy gets a new URL.
public struct CopiedFile: Sendable, Hashable {
    public var sourceURL: String
    public var url: String
    public var raw: JSONValue

    public init(json: JSONValue) throws(FichierError) {
        let json = try Wire.requireObject(json, "copy")
        sourceURL = json.member("from_url", "from")?.stringValue ?? ""
        url = try Wire.string(json, "to_url", "to", "url", what: "copy")
        raw = json
    }
}
