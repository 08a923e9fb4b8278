/// The API endpoints the emulator serves under `/v1/` (reference §0). Anything else is 404,
/// including the invented names of blog posts (§14).
enum APIEndpoint: String, CaseIterable, Sendable {
    case userInfo = "user/info.cgi"
    case uploadServer = "upload/get_upload_server.cgi"
    case downloadToken = "download/get_token.cgi"
    case fileList = "file/ls.cgi"
    case fileInfo = "file/info.cgi"
    case fileScan = "file/scan.cgi"
    case fileRemove = "file/rm.cgi"
    case fileMove = "file/mv.cgi"
    case fileCopy = "file/cp.cgi"
    case fileRename = "file/rename.cgi"
    case fileAttributes = "file/chattr.cgi"
    case folderList = "folder/ls.cgi"
    case folderMake = "folder/mkdir.cgi"
    case folderShare = "folder/share.cgi"
    case folderMove = "folder/mv.cgi"
    case folderRemove = "folder/rm.cgi"
    case remoteRequest = "remote/request.cgi"
    case remoteList = "remote/ls.cgi"
    case remoteInfo = "remote/info.cgi"
    case ftpProcess = "ftp/process.cgi"
    case ftpUsersList = "ftp/users/ls.cgi"
    case ftpUsersAdd = "ftp/users/add.cgi"
    case ftpUsersRemove = "ftp/users/rm.cgi"

    /// get_upload_server works anonymously; everything else needs a valid key.
    var requiresKey: Bool { self != .uploadServer }

    /// get_upload_server is documented as GET and shown with POST; the rest is POST only.
    var allowsGet: Bool { self == .uploadServer }
}
