/// `upload/get_upload_server.cgi`: a node host and a one-time upload id. Fetch a new pair for
/// every upload.
public struct UploadServer: Sendable, Hashable {
    /// A bare host name (maybe with a port), no scheme, no path.
    public var node: String
    public var id: String
    public var raw: JSONValue

    public init(json: JSONValue) throws(FichierError) {
        let json = try Wire.requireObject(json, "upload server")
        var node = try Wire.string(json, "url", "node", "host", what: "upload server")
        for scheme in ["https://", "http://"] where node.lowercased().hasPrefix(scheme) {
            node = String(node.dropFirst(scheme.count))
        }
        while node.hasSuffix("/") { node.removeLast() }
        guard UploadServer.isValidNode(node) else {
            throw FichierError(.providerProtocol, "1fichier named an invalid upload node")
        }
        let id = try Wire.string(json, "id", what: "upload server")
        guard id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw FichierError(.providerProtocol, "1fichier handed out an invalid upload id")
        }
        self.node = node
        self.id = id
        raw = json
    }

    /// host, host:port, or [v6]:port with nothing else.
    static func isValidNode(_ node: String) -> Bool {
        guard !node.isEmpty, node.count <= 255 else { return false }
        return node.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-.:[]".contains($0)) }
    }
}
