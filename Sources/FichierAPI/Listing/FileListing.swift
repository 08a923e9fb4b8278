/// Every file of one folder, gathered from as many `file/ls` date windows as 1fichier's cap on
/// a listing (5,000 items, no cursor) requires.
public struct FileListing: Sendable {
    /// The files, each once (by URL). When date windows were needed they are sorted by upload
    /// date in the order 1fichier lists them; otherwise they are exactly 1fichier's answer.
    public var files: [RemoteFile]
    /// Whether `files` holds every file of the folder. False only in the impossible cases: one
    /// second of upload dates holds a cap's worth of files (date filters cannot split it), or
    /// 1fichier's answers did not honour the date filters.
    public var isComplete: Bool
    /// Upload seconds (`YYYY-MM-DD HH:MM:SS`, Paris) holding at least a cap's worth of files.
    public var overfullSeconds: [String]
    /// Why the listing is incomplete, for logs and users; nil when complete.
    public var incompleteReason: String?
    /// Listing calls made, the first one included.
    public var calls: Int

    public init(files: [RemoteFile], isComplete: Bool, overfullSeconds: [String] = [],
                incompleteReason: String? = nil, calls: Int) {
        self.files = files
        self.isComplete = isComplete
        self.overfullSeconds = overfullSeconds
        self.incompleteReason = incompleteReason
        self.calls = calls
    }
}

extension RemoteFile {
    /// The upload date as 1fichier wrote it, for date windows; nil when missing or malformed.
    var wallDate: ParisWallSecond? {
        raw.member("date")?.stringValue.flatMap { ParisWallSecond($0) }
    }
}
