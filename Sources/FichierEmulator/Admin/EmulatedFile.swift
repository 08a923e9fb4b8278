/// A file of the emulator, as tests see it.
public struct EmulatedFile: Sendable, Equatable {
    /// `https://1fichier.com/?<id>`.
    public var url: String
    public var id: String
    public var name: String
    /// The folder holding it; nil for an anonymous upload (outside the account).
    public var folderID: Int?
    public var size: Int64
    /// Whirlpool, 128 lowercase hex; empty in discard mode.
    public var whirlpool: String
    public var contentType: String
    /// Upload date, `YYYY-MM-DD HH:MM:SS` Europe/Paris.
    public var date: String
    /// Where the bytes are on disk; nil in discard mode.
    public var storedPath: String?

    init(_ file: StoredFile, storedPath: String?) {
        url = file.url
        id = file.id
        name = file.name
        folderID = file.folderID
        size = file.size
        whirlpool = file.checksum
        contentType = file.contentType
        date = file.date
        self.storedPath = storedPath
    }
}
