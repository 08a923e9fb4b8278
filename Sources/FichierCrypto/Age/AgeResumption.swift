import CSodium

/// Picks up the decryption of a binary age file part-way, for a download that kept the
/// plaintext of its first chunks: the header and payload nonce come from the file's first
/// bytes (the header MAC is verified), and decryption goes on from a later chunk.
///
/// Payload chunks are sealed deterministically (key and nonce follow from the header), so the
/// stored bytes of the kept chunks can be rebuilt from their plaintext; a download that
/// verifies the Whirlpool of the whole stored file needs only the missing bytes.
public final class AgeResumption: Sendable {
    /// Bytes of the file before its first payload chunk: the header and the payload nonce.
    public let payloadOffset: Int64
    /// The file's first `payloadOffset` bytes.
    public let storedPrefix: [UInt8]
    private let cipher: AgePayloadCipher

    /// Reads the header and payload nonce from `prefix`, the first bytes of the file.
    /// - Throws: `AgeError.noMatch` when none of `identities` opens the file, `.headerMAC`
    ///   when its header was altered, `.header` when it is malformed or longer than `prefix`.
    public init(identities: [any AgeIdentity], prefix: UnsafeRawBufferPointer) throws {
        Sodium.ensureInitialized()
        let decoder = AgeStreamDecoder(identities: identities) { _ in }
        guard let consumed = try decoder.feedHeader(prefix), let cipher = decoder.payloadCipher else {
            throw AgeError.header("the first \(prefix.count) bytes do not hold the whole header and payload nonce")
        }
        payloadOffset = Int64(consumed)
        storedPrefix = Array(prefix[0..<consumed])
        self.cipher = cipher
    }

    /// Where payload chunk `index` starts in the stored file.
    public func storedOffset(ofChunk index: Int64) -> Int64 {
        payloadOffset + index * Int64(AgeFormat.encryptedChunkSize)
    }

    /// A writer for the stored bytes from chunk `index` on (from `storedOffset(ofChunk:)`).
    /// With `expecting` (the plaintext kept for that chunk), chunk `index` is compared with it
    /// instead of being released; a difference fails with `AgeError.resumeMismatch`.
    public func writer(fromChunk index: Int64, expecting: [UInt8]? = nil,
                       output: @escaping (UnsafeRawBufferPointer) throws -> Void) -> AgeDecryptingWriter {
        precondition(index >= 0)
        let decoder = AgeStreamDecoder(resuming: cipher, atChunk: UInt64(index), expecting: expecting,
                                       batchChunks: AgeStreamDecoder.batchChunks(workers: AgePayloadCipher.onlineCores),
                                       output: output)
        return AgeDecryptingWriter(payloadDecoder: decoder)
    }

    /// Seals `plaintext` (whole 64 KiB chunks, none of them final) as chunks `index`, `index`+1 …
    /// of this file into `out`, which receives exactly the stored bytes of those chunks.
    /// Returns the number of bytes written.
    public func reseal(_ plaintext: UnsafeRawBufferPointer, fromChunk index: Int64,
                       into out: UnsafeMutableRawBufferPointer) -> Int {
        precondition(index >= 0 && plaintext.count % AgeFormat.chunkSize == 0)
        guard !plaintext.isEmpty else { return 0 }
        var sealing = cipher
        sealing.seek(toChunk: UInt64(index))
        do {
            return try sealing.sealChunks(plaintext, finalLast: false, into: out)
        } catch {
            preconditionFailure("sealing without a side task cannot fail: \(error)")
        }
    }
}
