import Foundation

/// `remote/info.cgi`: one remote upload and the outcome per URL.
public struct RemoteUploadInfo: Sendable, Hashable {
    public struct Result: Sendable, Hashable {
        public var succeeded: Bool
        public var url: String?
        /// The stored file's URL when it worked.
        public var downloadURL: String?
        public var message: String?
        public var raw: JSONValue
    }

    public var id: Int
    public var requestedAt: Date?
    public var executedAt: Date?
    public var links: [String]
    public var results: [Result]
    public var raw: JSONValue

    public var isDone: Bool { executedAt != nil }

    public init(json: JSONValue, requestedID: Int) throws(FichierError) {
        let json = try Wire.requireObject(json, "remote upload info")
        id = json.member("id")?.intValue ?? requestedID
        requestedAt = json.member("request_date", "date")?.dateValue
        executedAt = json.member("execution_date")?.dateValue
        links = (json.member("links", "urls")?.arrayValue ?? []).compactMap { $0.stringValue ?? $0["url"]?.stringValue }
        results = (json.member("result", "results")?.arrayValue ?? []).compactMap { entry in
            guard entry.objectValue != nil else { return nil }
            return Result(succeeded: entry.member("status")?.stringValue?.uppercased() == "OK",
                          url: entry.member("url")?.stringValue,
                          downloadURL: entry.member("download_link", "download")?.stringValue,
                          message: entry.member("message")?.stringValue, raw: entry)
        }
        raw = json
    }
}
