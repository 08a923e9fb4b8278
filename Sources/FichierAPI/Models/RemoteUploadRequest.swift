import Foundation

/// `remote/request.cgi`: a queued remote upload (1fichier fetches the URLs itself).
public struct RemoteUploadRequest: Sendable, Hashable {
    public var id: Int
    public var requestedAt: Date?
    public var urls: [String]
    public var raw: JSONValue

    public init(json: JSONValue) throws(FichierError) {
        let json = try Wire.requireObject(json, "remote upload request")
        guard let id = json.member("id")?.intValue else { throw Wire.missing("id", in: "remote upload request") }
        self.id = id
        requestedAt = json.member("date", "request_date")?.dateValue
        urls = (json["urls"]?.arrayValue ?? []).compactMap(\.stringValue)
        raw = json
    }
}
