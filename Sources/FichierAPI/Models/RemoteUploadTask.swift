import Foundation

/// One entry of `remote/ls.cgi`'s `data`.
public struct RemoteUploadTask: Sendable, Hashable {
    public var id: Int
    public var requestedAt: Date?
    /// Empty until the task ran.
    public var executedAt: Date?
    public var raw: JSONValue

    public var isDone: Bool { executedAt != nil }

    public init(json: JSONValue) throws(FichierError) {
        let json = try Wire.requireObject(json, "remote upload task")
        guard let id = json.member("id")?.intValue else { throw Wire.missing("id", in: "remote upload task") }
        self.id = id
        requestedAt = json.member("request_date", "date")?.dateValue
        executedAt = json.member("execution_date")?.dateValue
        raw = json
    }
}
