/// A remote upload request (remote/request.cgi) and its outcome.
struct RemoteTask: Codable, Sendable, Equatable {
    struct Result: Codable, Sendable, Equatable {
        var status: String
        var url: String
        var downloadLink: String
        var message: String
    }

    var id: Int
    var urls: [String]
    var headers: [String: String]
    var folderID: Int
    var requestDate: String
    /// Empty until every URL was processed.
    var executionDate: String = ""
    var results: [Result] = []
}
