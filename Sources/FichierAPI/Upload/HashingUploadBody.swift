/// Wraps a body so each attempt's bytes are hashed with Whirlpool as they stream; the digest of
/// the last complete pass is available afterwards.
final class HashingUploadBody: UploadBody, @unchecked Sendable {
    private let inner: any UploadBody
    // Written by the transport thread at the end of a pass, read after the transfer completed.
    private let digest = Locked<String?>(nil)

    init(_ inner: any UploadBody) {
        self.inner = inner
    }

    var length: Int64 { inner.length }

    func makeReader() throws -> any ByteReader {
        digest.withLock { $0 = nil }
        return HashingReader(inner: try inner.makeReader(), length: inner.length) { [digest] hex in
            digest.withLock { $0 = hex }
        }
    }

    /// The Whirlpool of the last reader that delivered every byte.
    var whirlpool: String? { digest.current }
}

final class HashingReader: ByteReader {
    private let inner: any ByteReader
    private let hasher = Whirlpool()
    private let length: Int64
    private var seen: Int64 = 0
    private let done: (String) -> Void

    init(inner: any ByteReader, length: Int64, done: @escaping (String) -> Void) {
        self.inner = inner
        self.length = length
        self.done = done
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try inner.read(into: buffer)
        if count > 0 {
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            seen += Int64(count)
            if seen == length { done(hasher.finalize()) }
        }
        return count
    }
}
