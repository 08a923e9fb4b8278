import FichierAPI

/// The Whirlpool of the bytes that passed a stage, readable once the transfer is over.
final class DigestBox: Sendable {
    private let value = Locked<String?>(nil)

    var hex: String? { value.withLock { $0 } }

    func set(_ hex: String?) {
        value.withLock { $0 = hex }
    }
}

/// Hashes every byte sent, as the last stage before the wire, so the digest is what
/// 1fichier stores and reports in end.pl. Each attempt (a fresh reader) starts over.
struct WhirlpoolUploadStage: UploadStage {
    let digest = DigestBox()

    func wrap(_ body: any UploadBody) throws -> any UploadBody {
        HashedBody(inner: body, digest: digest)
    }

    private struct HashedBody: UploadBody {
        let inner: any UploadBody
        let digest: DigestBox

        var length: Int64 { inner.length }

        func makeReader() throws -> any ByteReader {
            digest.set(nil)
            return HashingReader(inner: try inner.makeReader(), length: inner.length, digest: digest)
        }
    }

    private final class HashingReader: ByteReader {
        private let inner: any ByteReader
        private let hasher = Whirlpool()
        private let length: Int64
        private var seen: Int64 = 0
        private let digest: DigestBox

        init(inner: any ByteReader, length: Int64, digest: DigestBox) {
            self.inner = inner
            self.length = length
            self.digest = digest
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let count = try inner.read(into: buffer)
            if count > 0 {
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                seen += Int64(count)
                if seen == length { digest.set(hasher.finalize()) }
            }
            return count
        }
    }
}

/// Hashes every byte received, as the first stage after the wire (what 1fichier stores).
/// A resumed download starts from a hasher that already read the bytes kept from before.
struct WhirlpoolDownloadStage: DownloadStage {
    let digest = DigestBox()
    private let seed: HandOff<Whirlpool>?

    init(continuing hasher: Whirlpool? = nil) {
        seed = hasher.map { HandOff(value: $0) }
    }

    func wrap(_ sink: any DownloadSink) throws -> any DownloadSink {
        HashingSink(inner: sink, digest: digest, seed: seed?.value)
    }

    private final class HashingSink: DownloadSink {
        private let inner: any DownloadSink
        private var hasher: Whirlpool
        private var seeded: Bool
        private let digest: DigestBox

        init(inner: any DownloadSink, digest: DigestBox, seed: Whirlpool?) {
            self.inner = inner
            self.digest = digest
            hasher = seed ?? Whirlpool()
            seeded = seed != nil
        }

        func begin(status: Int, headers: HTTPHeaders) throws {
            // A fresh response starts a fresh hash, except the first one of a resumed download.
            if !seeded { hasher = Whirlpool() }
            seeded = false
            digest.set(nil)
            try inner.begin(status: status, headers: headers)
        }

        func write(_ bytes: UnsafeRawBufferPointer) throws {
            hasher.update(bytes)
            try inner.write(bytes)
        }

        func finish() throws {
            digest.set(hasher.finalize())
            try inner.finish()
        }
    }
}
