import FichierAPI
import FichierCrypto
import Foundation

/// A decrypted download picked up at a chunk: `local.partial` holds the authenticated
/// plaintext of the file's first chunks. The download asks for the stored bytes from the last
/// kept chunk on; that chunk is opened again and must give the plaintext kept for it (so a
/// `.partial` of another file, or a file replaced since, is caught before anything is
/// appended), and decryption goes on after it.
struct DecryptedResume: Sendable {
    /// The file's header and payload key, read from its first bytes.
    let resumption: AgeResumption
    /// The last kept chunk, where the download starts.
    let checkChunk: Int64
    /// The plaintext kept for `checkChunk`.
    let checkPlaintext: [UInt8]

    /// Plaintext bytes kept from before: whole chunks up to and including `checkChunk`.
    var keptBytes: Int64 { (checkChunk + 1) * Int64(AgeFormat.chunkSize) }
    /// Where the download starts in the stored file.
    var storedOffset: Int64 { resumption.storedOffset(ofChunk: checkChunk) }

    /// The Whirlpool state of the stored bytes before `storedOffset`, for `verify`: the header
    /// and nonce as fetched, then the kept chunks before `checkChunk` sealed again (age seals
    /// deterministically once the header is known, so they are the stored bytes exactly when
    /// the kept plaintext is this file's).
    func storedHash(partial: String) throws -> Whirlpool {
        let hasher = Whirlpool()
        resumption.storedPrefix.withUnsafeBytes { hasher.update($0) }
        guard checkChunk > 0 else { return hasher }
        guard let file = FileHandle(forReadingAtPath: partial) else {
            throw RPCError.mapping(kind: "local_io", message: "cannot read \(partial)", path: partial)
        }
        defer { try? file.close() }
        let batch = 16
        let sealed = UnsafeMutableRawBufferPointer.allocate(byteCount: batch * AgeFormat.encryptedChunkSize, alignment: 16)
        defer { sealed.deallocate() }
        var chunk: Int64 = 0
        while chunk < checkChunk {
            let count = Int(min(Int64(batch), checkChunk - chunk))
            let plaintext = try file.read(upToCount: count * AgeFormat.chunkSize) ?? Data()
            guard plaintext.count == count * AgeFormat.chunkSize else {
                throw RPCError.mapping(kind: "local_io", message: "\(partial) became shorter while it was read", path: partial)
            }
            let written = plaintext.withUnsafeBytes { resumption.reseal($0, fromChunk: chunk, into: sealed) }
            hasher.update(UnsafeRawBufferPointer(rebasing: sealed[0..<written]))
            chunk += Int64(count)
        }
        return hasher
    }
}
