/// A groupware share of a folder with another registered user.
struct FolderShare: Codable, Sendable, Equatable {
    var email: String
    var rw: Int
    var hideLinks: Int
}
