/// An FTP sub-account (ftp/users/*.cgi).
struct FTPUser: Codable, Sendable, Equatable {
    var user: String
    var folderID: Int
}
