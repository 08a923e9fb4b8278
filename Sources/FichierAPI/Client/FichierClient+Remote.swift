extension FichierClient {
    /// `remote/request.cgi`: asks 1fichier to fetch `urls` into `folder` (root when nil),
    /// sending `headers` along with each fetch.
    public func requestRemoteUpload(urls: [String], to folder: FolderID? = nil,
                                    headers: [String: String] = [:]) async throws -> RemoteUploadRequest {
        guard !urls.isEmpty else { throw FichierError(.invalidArgument, "no URL to fetch") }
        var body: [String: JSONValue] = ["urls": .array(urls.map(JSONValue.string))]
        if let folder { body["folder_id"] = .integer(Int64(folder)) }
        if !headers.isEmpty { body["headers"] = .object(headers.mapValues(JSONValue.string)) }
        let json = try await call(.remoteRequest, .object(body))
        // The files arrive later, when 1fichier has fetched them: the folder's listing is stale.
        await observers.announce(.folderStale(id: folder ?? 0))
        return try RemoteUploadRequest(json: json)
    }

    /// `remote/ls.cgi`: the account's remote uploads.
    public func listRemoteUploads() async throws -> [RemoteUploadTask] {
        let json = try await call(.remoteList)
        var tasks: [RemoteUploadTask] = []
        for entry in json.member("data", "items")?.arrayValue ?? [] {
            tasks.append(try RemoteUploadTask(json: entry))
        }
        return tasks
    }

    /// `remote/info.cgi`: one remote upload and its per-URL results.
    public func remoteUploadInfo(id: Int) async throws -> RemoteUploadInfo {
        try RemoteUploadInfo(json: try await call(.remoteInfo, .object(["id": .integer(Int64(id))])), requestedID: id)
    }
}
