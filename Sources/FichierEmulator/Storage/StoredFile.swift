/// A file of the emulated service. Its identity is its URL, `https://<domain>/?<id>`.
struct StoredFile: Codable, Sendable, Equatable {
    var id: String
    var name: String
    /// The folder holding it; nil for an anonymous upload, which belongs to no account.
    var folderID: Int?
    var size: Int64
    /// Whirlpool of the stored bytes; empty in discard mode.
    var checksum: String
    var contentType: String
    /// Upload date, Europe/Paris.
    var date: String
    /// Creation time (seconds since 1970), for the optional listing delay.
    var created: Double = 0
    /// Creation order, for stable listings.
    var sequence: Int64
    var domain: Int = 0
    var description: String = ""
    var password: String?
    var noSSL: Int = 0
    var inline: Int = 0
    var cdn: Int = 0
    var acl: FileACL?
    /// Removal code of an anonymous upload (the `remove` link of end.pl).
    var removeCode: String?
    /// Blob file name under `blobs/`; nil in discard mode (the download serves zeros).
    var blob: String?

    var url: String { FileURL.make(id: id, domain: domain) }
    var hasPassword: Bool { !(password ?? "").isEmpty }
}
