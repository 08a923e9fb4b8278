/// A request body of known length. Each attempt asks for a fresh reader.
public protocol UploadBody: Sendable {
    /// The exact number of bytes the readers produce; sent as Content-Length.
    var length: Int64 { get }
    /// A new reader positioned at the start.
    func makeReader() throws -> any ByteReader
}

/// Pulls body bytes. Called on the transport thread, one call at a time.
public protocol ByteReader: AnyObject {
    /// Fills up to `buffer.count` bytes and returns how many; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Receives a response body. Called on the transport thread, one call at a time, and only for
/// 2xx answers (other statuses are buffered for error classification).
public protocol ResponseSink: AnyObject {
    func begin(status: Int, headers: HTTPHeaders) throws
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// How far a transfer got.
public struct TransferProgress: Sendable, Equatable {
    public var bytesDone: Int64
    public var bytesTotal: Int64?

    public init(bytesDone: Int64, bytesTotal: Int64?) {
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
    }
}

/// Called on the transport thread, at most about ten times a second plus once at the end.
public typealias ProgressHandler = @Sendable (TransferProgress) -> Void
