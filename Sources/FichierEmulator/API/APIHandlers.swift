import Foundation

/// The endpoints' logic: validate parameters, read or change the state, shape the answer
/// exactly as the reference describes it.
struct APIHandlers {
    let core: EmulatorCore
    let facts: RequestFacts

    var store: EmulatorStore { core.store }

    func handle(_ endpoint: APIEndpoint, _ parameters: APIParameters) throws(APIError) -> WireJSON {
        switch endpoint {
        case .userInfo: try userInfo(parameters)
        case .uploadServer: uploadServer()
        case .downloadToken: try downloadToken(parameters)
        case .fileList: try listFiles(parameters)
        case .fileInfo: try fileInfo(parameters)
        case .fileScan: try scanFile(parameters)
        case .fileRemove: try removeFiles(parameters)
        case .fileMove: try moveFiles(parameters)
        case .fileCopy: try copyFiles(parameters)
        case .fileRename: try renameFiles(parameters)
        case .fileAttributes: try changeAttributes(parameters)
        case .folderList: try listFolder(parameters)
        case .folderMake: try makeFolder(parameters)
        case .folderShare: try shareFolder(parameters)
        case .folderMove: try moveFolder(parameters)
        case .folderRemove: try removeFolder(parameters)
        case .remoteRequest: try requestRemoteUpload(parameters)
        case .remoteList: listRemoteUploads()
        case .remoteInfo: try remoteUploadInfo(parameters)
        case .ftpProcess: ["status": "OK", "message": "FTP processing requested"]
        case .ftpUsersList: listFTPUsers()
        case .ftpUsersAdd: try addFTPUser(parameters)
        case .ftpUsersRemove: try removeFTPUser(parameters)
        }
    }

    // MARK: Shared pieces

    /// The id in a file URL; unknown shapes are "not found", like unknown ids.
    func fileID(_ url: String) throws(APIError) -> String {
        guard let id = FileURL.id(from: url) else { throw .resourceNotFound }
        return id
    }

    /// A file as file/ls and folder/ls (`files:1`) list it (observed key set and order).
    static func listItem(_ file: StoredFile) -> WireJSON {
        ["pass": .int(file.hasPassword ? 1 : 0), "acl": .int((file.acl?.isEmpty ?? true) ? 0 : 1),
         "size": .int(file.size), "filename": .string(file.name), "checksum": .string(file.checksum),
         "cdn": .int(file.cdn), "url": .string(file.url), "date": .string(file.date),
         "content-type": .string(file.contentType)]
    }

    /// Files visible in listings now (the optional listing delay hides fresh uploads).
    func visible(_ files: [StoredFile]) -> [StoredFile] {
        let delay = core.configuration.listingDelay
        guard delay > .zero else { return files }
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        let horizon = Date().timeIntervalSince1970 - seconds
        return files.filter { $0.created <= horizon }
    }

    func capped<T>(_ items: [T]) -> [T] {
        guard let cap = core.configuration.listingCap, cap >= 0, items.count > cap else { return items }
        return Array(items.prefix(cap))
    }

    /// Checks a protected file's password (`pass`).
    static func checkPassword(of file: StoredFile, given: String?) throws(APIError) {
        guard file.hasPassword else { return }
        guard let given, !given.isEmpty else { throw .passwordNotProvided }
        guard given == file.password else { throw .invalidPassword }
    }
}
