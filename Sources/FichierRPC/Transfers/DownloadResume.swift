import FichierAPI
import FichierCrypto

/// How a download with `resume` goes on from the `.partial` an earlier attempt kept, decided
/// from the file's first bytes (one small ranged request) and the `.partial`'s:
/// - stored bytes (a file that is not decrypted): the missing bytes are appended, when the
///   `.partial` starts with the file's bytes;
/// - a decryption: from the last whole kept chunk of plaintext (`DecryptedResume`);
/// - afresh, when the `.partial` cannot be continued (another file's, stored bytes where
///   plaintext is due or the reverse, an armored age file, less than a chunk of plaintext).
///   The `.partial` was only ever a download in progress, so it is replaced, never appended to.
enum DownloadResume {
    case storedBytes(kept: Int64)
    case decrypting(DecryptedResume)
    case afresh(reason: String?)

    /// The file's bytes fetched to decide: room for any age header a client writes.
    static let prefixBytes = 65_536

    /// Decides for a `.partial` of `kept` bytes (at most `size`, the file's size), fetching the
    /// file's first bytes through `token` (which must allow more than one request).
    static func decide(partial: String, kept: Int64, size: Int64, decryption: DecryptionStage?,
                       token: DownloadToken, client: FichierClient) async throws -> DownloadResume {
        let length = Int(min(size, Int64(prefixBytes)))
        guard kept > 0, length > 0 else { return .afresh(reason: nil) }
        let sink = PrefixSink()
        _ = try await client.download(token: token, range: 0..<Int64(length), into: sink)
        let stored = sink.bytes
        let keptPrefix = try LocalFiles.prefix(of: partial, count: Int(min(kept, Int64(stored.count))))
        let startsAsStored = !keptPrefix.isEmpty && stored.starts(with: keptPrefix)
        let isAge = DecryptingSink.classify(stored) == true

        guard let decryption, isAge else {
            if decryption?.mode == .always { return .afresh(reason: nil) }   // not age: the download says so
            return startsAsStored ? .storedBytes(kept: kept)
                                  : .afresh(reason: "the .partial does not start with this file's bytes")
        }
        if startsAsStored {
            return .afresh(reason: "the .partial holds this file's stored (encrypted) bytes, and this download decrypts")
        }
        guard stored.starts(with: Array("age-encryption.org/".utf8)) else {
            return .afresh(reason: "an armored age file is decrypted from its start")
        }
        guard let identities = decryption.identities, !identities.isEmpty else { throw decryption.unavailable }
        let resumption: AgeResumption
        do {
            resumption = try stored.withUnsafeBytes { try AgeResumption(identities: identities, prefix: $0) }
        } catch AgeError.noMatch(let detail) {
            // Kept: the plaintext may be for an identity the vault no longer holds.
            var error = AgeError.noMatch(detail).rpcError
            error.message = "none of the vault's identities can decrypt this file; \(partial) is kept (\(detail))"
            throw error
        } catch {
            return .afresh(reason: "its header does not open (\(error))")         // the download reports it
        }
        let chunk = Int64(AgeFormat.chunkSize)
        guard kept >= chunk else { return .afresh(reason: "less than one chunk of plaintext was kept") }
        let checkChunk = kept / chunk - 1
        guard resumption.storedOffset(ofChunk: checkChunk) < size else {
            return .afresh(reason: "the .partial is longer than this file's plaintext")
        }
        let plaintext = try LocalFiles.bytes(of: partial, from: checkChunk * chunk, count: Int(chunk))
        guard plaintext.count == Int(chunk) else { return .afresh(reason: "the .partial became shorter") }
        return .decrypting(DecryptedResume(resumption: resumption, checkChunk: checkChunk, checkPlaintext: plaintext))
    }

    /// Collects a small response body.
    private final class PrefixSink: ResponseSink {
        var bytes: [UInt8] = []
        func begin(status: Int, headers: HTTPHeaders) throws { bytes = [] }
        func write(_ chunk: UnsafeRawBufferPointer) throws { bytes += chunk }
    }
}
