import FichierAPI
import Foundation
import HTTPTypes

extension APIHandlers {
    /// remote/request.cgi: `urls` (1–100), `folder_id`, `headers`; the fetch runs in the background.
    func requestRemoteUpload(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let urls = try parameters.strings("urls"), !urls.isEmpty else { throw .invalidParameter("urls") }
        guard urls.count <= 100 else { throw .tooManyURLs }
        let folder = try parameters.folderID()
        var headers: [String: String] = [:]
        if let object = try parameters.object("headers") {
            for member in object.members {
                guard case .string(let value) = member.value else { throw .invalidParameter("headers") }
                guard !member.key.isEmpty, !member.key.contains(where: { $0 == ":" || $0 == "\r" || $0 == "\n" }),
                      !value.contains(where: { $0 == "\r" || $0 == "\n" })
                else { throw .invalidParameter("headers") }
                headers[member.key] = value
            }
        }
        let task = try store.mutate { state throws(APIError) -> RemoteTask in
            guard folder >= 0, state.folderExists(folder) else { throw .resourceNotFound }
            let task = RemoteTask(
                id: state.nextRemoteID, urls: urls, headers: headers, folderID: folder,
                requestDate: ParisTime.format(Date()))
            state.nextRemoteID += 1
            state.remoteTasks[task.id] = task
            return task
        }
        core.remote.start(task.id)
        var echoed = WireObject()
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { echoed[name] = .string(value) }
        return [
            "status": "OK", "id": .int(task.id), "date": .string(task.requestDate),
            "urls": .array(urls.map { .string($0) }), "headers": .object(echoed),
        ]
    }

    /// remote/ls.cgi: every request with its dates; `execution_date` is empty until done.
    func listRemoteUploads() -> WireJSON {
        let tasks = store.peek { $0.remoteTasks.values.sorted { $0.id < $1.id } }
        return [
            "status": "OK",
            "data": .array(tasks.map {
                ["id": .int($0.id), "request_date": .string($0.requestDate), "execution_date": .string($0.executionDate)]
            }),
        ]
    }

    /// remote/info.cgi: one request with its links and per-URL results.
    func remoteUploadInfo(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let id = try parameters.int("id") else { throw .invalidParameter("id") }
        guard let task = store.peek({ $0.remoteTasks[id] }) else { throw .resourceNotFound }
        return [
            "id": .int(task.id), "request_date": .string(task.requestDate),
            "execution_date": .string(task.executionDate),
            "links": .array(task.urls.map { .string($0) }),
            "result": .array(task.results.map {
                ["status": .string($0.status), "url": .string($0.url), "download_link": .string($0.downloadLink),
                 "message": .string($0.message)]
            }),
        ]
    }

    // MARK: FTP (shapes unknown; plausible answers)

    func listFTPUsers() -> WireJSON {
        let users = store.peek { $0.ftpUsers }
        return [
            "status": "OK", "count": .int(users.count),
            "items": .array(users.map { ["user": .string($0.user), "folder_id": .int($0.folderID)] }),
        ]
    }

    func addFTPUser(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let user = try parameters.string("user"), !user.isEmpty, NameRules.isValid(user) else {
            throw .invalidParameter("user")
        }
        guard let password = try parameters.string("pass"), password.count >= 6 else { throw .invalidParameter("pass") }
        _ = password
        let folder = try parameters.folderID()
        try store.mutate { state throws(APIError) in
            guard folder >= 0, state.folderExists(folder) else { throw .resourceNotFound }
            guard !state.ftpUsers.contains(where: { $0.user == user }) else {
                throw APIError(status: .forbidden, message: "FTP user already exists #915")
            }
            state.ftpUsers.append(FTPUser(user: user, folderID: folder))
        }
        return ["status": "OK", "message": "FTP user added"]
    }

    func removeFTPUser(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let user = try parameters.string("user") else { throw .invalidParameter("user") }
        try store.mutate { state throws(APIError) in
            guard let index = state.ftpUsers.firstIndex(where: { $0.user == user }) else { throw .resourceNotFound }
            state.ftpUsers.remove(at: index)
        }
        return ["status": "OK", "message": "FTP user removed"]
    }
}
