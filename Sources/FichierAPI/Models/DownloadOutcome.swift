/// What a download delivered into its sink.
public struct DownloadOutcome: Sendable, Hashable {
    /// 200 for a whole file, 206 for a range.
    public var status: Int
    public var bytesWritten: Int64
    /// The first byte delivered (the range start, or 0).
    public var offset: Int64
    /// The size of the whole file, when the answer said (Content-Range or Content-Length).
    public var totalSize: Int64?
    public var contentType: String?
}
