import FichierAPI

/// `transfer/remote {urls, to?, headers?}` (remote/request.cgi: 1fichier fetches the URLs
/// itself) and `transfer/remote/status {id?}` (remote/info.cgi for one task, remote/ls.cgi
/// for all).
enum RemoteUploadMethods {
    struct RequestParams: Decodable, Sendable {
        var urls: [String]
        var to: String?
        var headers: [String: String]?
    }

    struct RequestResult: Encodable, Sendable {
        /// The remote-upload task id, for `transfer/remote/status`.
        var id: Int
        var urls: [String]
        /// The destination folder.
        var to: String
        var folderId: FolderID
        var requestedAt: String?
    }

    struct StatusParams: Decodable, Sendable {
        var id: Int?
    }

    struct TaskSummary: Encodable, Sendable {
        var id: Int
        var requestedAt: String?
        /// Null until 1fichier ran the task.
        var executedAt: String?
        var done: Bool

        private enum CodingKeys: String, CodingKey { case id, requestedAt, executedAt, done }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(requestedAt, forKey: .requestedAt)
            try container.encode(executedAt, forKey: .executedAt)
            try container.encode(done, forKey: .done)
        }
    }

    struct UrlResult: Encodable, Sendable {
        var url: String?
        var ok: Bool
        /// The stored file's URL when the fetch worked.
        var fileURL: String?
        var message: String?
    }

    struct TaskDetail: Encodable, Sendable {
        var id: Int
        var requestedAt: String?
        /// Null until 1fichier ran the task.
        var executedAt: String?
        var done: Bool
        var urls: [String]
        /// One per URL once the task ran.
        var results: [UrlResult]

        private enum CodingKeys: String, CodingKey { case id, requestedAt, executedAt, done, urls, results }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(requestedAt, forKey: .requestedAt)
            try container.encode(executedAt, forKey: .executedAt)
            try container.encode(done, forKey: .done)
            try container.encode(urls, forKey: .urls)
            try container.encode(results, forKey: .results)
        }
    }

    /// One task in detail (`id` given) or every task.
    enum StatusResult: Encodable, Sendable {
        case task(TaskDetail)
        case list([TaskSummary])

        private enum CodingKeys: String, CodingKey { case tasks }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .task(let detail):
                try detail.encode(to: encoder)
            case .list(let tasks):
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(tasks, forKey: .tasks)
            }
        }
    }

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("transfer/remote", ordering: { (params: RequestParams) throws -> [OrderingKey] in
            PathKeys.read(try RemoteParams.path(params.to ?? "/", field: "to"))
        }, service.tracked { (params: RequestParams, _: RequestContext) async throws -> RequestResult in
            guard !params.urls.isEmpty else { throw RPCError.invalidParams(path: "urls", problem: "must not be empty") }
            var urls: [String] = []
            for (index, url) in params.urls.enumerated() {
                urls.append(try RemoteParams.fileURL(url, field: "urls[\(index)]"))
            }
            for (name, value) in params.headers ?? [:] {
                guard !name.isEmpty, !name.contains(where: { $0 == ":" || $0.isNewline || $0.isWhitespace }),
                      !value.contains(where: \.isNewline) else {
                    throw RPCError.invalidParams(path: "headers.\(name)", problem: "not a valid HTTP header")
                }
            }
            let destination = try RemoteParams.path(params.to ?? "/", field: "to")
            let folderID: FolderID
            do {
                folderID = try await service.resolver.ensureFolder(destination)
            } catch let error as FichierError {
                throw error.rpcError.about(path: destination.description, subject: "folder")
            }
            let request = try await service.client.requestRemoteUpload(urls: urls, to: folderID,
                                                                       headers: params.headers ?? [:])
            return RequestResult(id: request.id, urls: request.urls.isEmpty ? urls : request.urls,
                                 to: destination.description, folderId: folderID,
                                 requestedAt: ISOTime.string(request.requestedAt))
        })

        registry.register("transfer/remote/status", service.tracked { (params: StatusParams, _: RequestContext) async throws -> StatusResult in
            if let id = params.id {
                let info: RemoteUploadInfo
                do {
                    info = try await service.client.remoteUploadInfo(id: id)
                } catch let error as FichierError {
                    throw error.rpcError.about(path: nil, subject: "task")
                }
                return .task(TaskDetail(
                    id: info.id, requestedAt: ISOTime.string(info.requestedAt), executedAt: ISOTime.string(info.executedAt),
                    done: info.isDone, urls: info.links,
                    results: info.results.map { UrlResult(url: $0.url, ok: $0.succeeded, fileURL: $0.downloadURL,
                                                          message: $0.message) }))
            }
            let tasks = try await service.client.listRemoteUploads()
            return .list(tasks.map { TaskSummary(id: $0.id, requestedAt: ISOTime.string($0.requestedAt),
                                                 executedAt: ISOTime.string($0.executedAt), done: $0.isDone) })
        })
    }
}
