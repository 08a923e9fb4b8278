/// A folder. The root (id 0, "Root") is implicit and never stored.
struct StoredFolder: Codable, Sendable, Equatable {
    var id: Int
    var name: String
    var parentID: Int
    var createDate: String
    /// Public share by URL (folder/share `share:1`).
    var shared: Int = 0
    var sharePassword: String?
    var shares: [FolderShare] = []
}
