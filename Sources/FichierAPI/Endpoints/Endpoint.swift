/// Every 1fichier path the client uses — the one table (reference §0; none of the invented
/// blog names of §14). API calls are `POST {apiURL}/{path}` with a JSON body,
/// `Authorization: Bearer KEY` and `Content-Type: application/json`; the upload node's two
/// paths live on the host that `upload/get_upload_server.cgi` hands out.
///
/// | case              | path                                | host | idempotent |
/// |-------------------|-------------------------------------|------|------------|
/// | `userInfo`        | `user/info.cgi`                     | API  | yes        |
/// | `uploadServer`    | `upload/get_upload_server.cgi`      | API  | yes        |
/// | `uploadFile`      | `upload.cgi?id=ID` (multipart POST) | node | no         |
/// | `uploadReport`    | `end.pl?xid=XID` (GET, `JSON: 1`)   | node | yes        |
/// | `downloadToken`   | `download/get_token.cgi`            | API  | yes        |
/// | `fileList`        | `file/ls.cgi`                       | API  | yes        |
/// | `fileInfo`        | `file/info.cgi`                     | API  | yes        |
/// | `fileRemove`      | `file/rm.cgi`                       | API  | no         |
/// | `fileMove`        | `file/mv.cgi`                       | API  | no         |
/// | `fileCopy`        | `file/cp.cgi`                       | API  | no         |
/// | `fileRename`      | `file/rename.cgi`                   | API  | no         |
/// | `fileAttributes`  | `file/chattr.cgi` (sets absolute values) | API | yes   |
/// | `folderList`      | `folder/ls.cgi`                     | API  | yes        |
/// | `folderMake`      | `folder/mkdir.cgi`                  | API  | no         |
/// | `folderMove`      | `folder/mv.cgi`                     | API  | no         |
/// | `folderRemove`    | `folder/rm.cgi`                     | API  | no         |
/// | `remoteRequest`   | `remote/request.cgi`                | API  | no         |
/// | `remoteList`      | `remote/ls.cgi`                     | API  | yes        |
/// | `remoteInfo`      | `remote/info.cgi`                   | API  | yes        |
///
/// Non-idempotent calls are retried only when the request never reached the server
/// (connection failure) or 1fichier refused it with a flood lock before acting.
public enum Endpoint: String, CaseIterable, Sendable {
    case userInfo = "user/info.cgi"
    case uploadServer = "upload/get_upload_server.cgi"
    case uploadFile = "upload.cgi"
    case uploadReport = "end.pl"
    case downloadToken = "download/get_token.cgi"
    case fileList = "file/ls.cgi"
    case fileInfo = "file/info.cgi"
    case fileRemove = "file/rm.cgi"
    case fileMove = "file/mv.cgi"
    case fileCopy = "file/cp.cgi"
    case fileRename = "file/rename.cgi"
    case fileAttributes = "file/chattr.cgi"
    case folderList = "folder/ls.cgi"
    case folderMake = "folder/mkdir.cgi"
    case folderMove = "folder/mv.cgi"
    case folderRemove = "folder/rm.cgi"
    case remoteRequest = "remote/request.cgi"
    case remoteList = "remote/ls.cgi"
    case remoteInfo = "remote/info.cgi"

    public enum Host: Sendable {
        /// `https://api.1fichier.com/v1` or the configured API URL.
        case api
        /// The upload node named by `get_upload_server`.
        case uploadNode
    }

    /// The path relative to its host's base.
    public var path: String { rawValue }

    public var host: Host {
        switch self {
        case .uploadFile, .uploadReport: return .uploadNode
        default: return .api
        }
    }

    public var method: HTTPRequest.Method {
        self == .uploadReport ? .get : .post
    }

    /// Repeating the call cannot change the outcome; such calls are retried on transient failures.
    public var isIdempotent: Bool {
        switch self {
        case .userInfo, .uploadServer, .uploadReport, .downloadToken, .fileList, .fileInfo,
             .fileAttributes, .folderList, .remoteList, .remoteInfo:
            return true
        case .uploadFile, .fileRemove, .fileMove, .fileCopy, .fileRename, .folderMake, .folderMove,
             .folderRemove, .remoteRequest:
            return false
        }
    }

    /// The URL of an API endpoint under `apiURL`.
    func url(apiURL: String) -> String {
        "\(apiURL)/\(path)"
    }

    /// The URL of a node endpoint on `node` (a bare host, maybe with a port).
    func url(scheme: String, node: String, query: String) -> String {
        "\(scheme)://\(node)/\(path)?\(query)"
    }
}
