import CSodium
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pull-style age encryption, shaped for an upload's read callback: each `read` returns the
/// next bytes of the age file (header, nonce, sealed chunks), pulling plaintext from `source`
/// as needed. Memory stays constant: up to `batchChunks` chunks of plaintext plus one byte of
/// look-ahead, twice when sealing in parallel. When the caller's buffer holds several sealed
/// chunks, they are sealed straight into it in batches spread over the machine's cores (chunks
/// are independent), the next batch being read meanwhile; the output is the same byte for byte
/// as sealing chunk by chunk.
///
/// Every instance draws a fresh file key and payload nonce, so a retried upload must build a
/// new reader: ciphertext is never produced twice under the same key and nonce.
public final class AgeEncryptingReader {
    /// Exact number of bytes this reader will produce in total (known before the first read).
    public let encryptedSize: Int64?
    /// Plaintext bytes pulled from the source so far.
    public private(set) var plaintextBytesRead: Int64 = 0

    /// Chunks sealed together (16 × 64 KiB: a batch is about 0.7 ms of work on one core).
    static let batchChunks = 16
    /// A read size that keeps every core busy: two batches of sealed chunks, so that one batch
    /// is always being read while the other is sealed.
    public static let preferredReadSize = 2 * batchChunks * AgeFormat.encryptedChunkSize

    private let source: (UnsafeMutableRawBufferPointer) throws -> Int
    private var cipher: AgePayloadCipher
    private let workers: Int
    private var plain: UnsafeMutableRawBufferPointer          // chunk(s) + 1 byte of look-ahead
    private var spare: UnsafeMutableRawBufferPointer?         // the next batch, read while one is sealed
    private var spareCount = 0
    private var failure: (any Error)?                         // a read-ahead failed: every later read throws it
    private var plainCount = 0
    private let sealed: UnsafeMutableRawBufferPointer
    private var sealedOffset = 0
    private var sealedCount = 0
    private var pending: [UInt8] = []                         // header bytes, or armor text
    private var pendingOffset = 0
    private var armor: AgeArmorEncoder?
    private var sourceDone = false
    private var finalSealed = false
    private var finished = false

    /// - Parameters:
    ///   - recipients: at least one; an scrypt recipient must be alone.
    ///   - armor: produce the ASCII-armored form instead of binary.
    ///   - plaintextSize: when known, lets the reader report `encryptedSize` up front.
    ///   - source: fills the buffer with plaintext and returns the count, 0 at the end.
    public convenience init(recipients: [any AgeRecipient], armor: Bool = false, plaintextSize: Int64? = nil,
                            source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        try self.init(recipients: recipients, armor: armor, plaintextSize: plaintextSize, random: .system, source: source)
    }

    init(recipients: [any AgeRecipient], armor: Bool, plaintextSize: Int64?, random: AgeRandom,
         workers: Int = AgePayloadCipher.onlineCores,
         source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        guard !recipients.isEmpty else { throw AgeError.invalidKey("no recipients") }
        if recipients.count > 1 && recipients.contains(where: { $0.requiresSoleStanza }) {
            throw AgeError.invalidKey("a passphrase (scrypt) recipient cannot be combined with other recipients")
        }
        Sodium.ensureInitialized()
        self.source = source
        let fileKey = random.secret(AgeFormat.fileKeySize)

        var header = AgeFormat.versionLine
        for recipient in recipients {
            let stanza = try recipient.wrap(fileKey: fileKey, random: random)
            let encoded = stanza.encoded
            guard encoded.count == recipient.stanzaLength else {
                throw AgeError.invalidKey("recipient \(type(of: recipient)) produced a stanza of unexpected length")
            }
            header += encoded
        }
        header += Array("---".utf8)
        let mac = AgeHeaderMAC.compute(fileKey: fileKey, macInput: header)
        header += Array(" \(Base64.encodeUnpadded(mac))\n".utf8)
        let nonce = random.bytes(AgeFormat.payloadNonceSize)
        cipher = AgePayloadCipher(fileKey: fileKey, payloadNonce: nonce)

        if let plaintextSize {
            let binary = AgeFormat.encryptedSize(plaintextSize: plaintextSize, recipients: recipients)
            encryptedSize = armor ? AgeFormat.armoredSize(binarySize: binary) : binary
        } else {
            encryptedSize = nil
        }

        self.workers = armor ? 1 : max(1, workers)
        plain = .allocate(byteCount: (self.workers > 1 ? Self.batchChunks : 1) * AgeFormat.chunkSize + 1, alignment: 16)
        spare = self.workers > 1 ? .allocate(byteCount: plain.count, alignment: 16) : nil
        sealed = .allocate(byteCount: AgeFormat.encryptedChunkSize, alignment: 16)
        if armor {
            var encoder = AgeArmorEncoder()
            encoder.begin(into: &pending)
            (header + nonce).withUnsafeBytes { encoder.encode($0, into: &pending) }
            self.armor = encoder
        } else {
            pending = header + nonce
        }
    }

    deinit {
        sodium_memzero(plain.baseAddress!, plain.count)
        plain.deallocate()
        if let spare {
            sodium_memzero(spare.baseAddress!, spare.count)
            spare.deallocate()
        }
        sealed.deallocate()
    }

    /// Copies the next encrypted bytes into `buffer`; returns 0 once the whole file was read.
    /// Errors thrown by the source propagate unchanged.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let failure { throw failure }
        var written = 0
        while written < buffer.count {
            if pendingOffset < pending.count {
                let n = min(buffer.count - written, pending.count - pendingOffset)
                pending.withUnsafeBytes { src in
                    buffer.baseAddress!.advanced(by: written).copyMemory(from: src.baseAddress! + pendingOffset, byteCount: n)
                }
                pendingOffset += n
                written += n
                continue
            }
            if sealedOffset < sealedCount {
                let n = min(buffer.count - written, sealedCount - sealedOffset)
                buffer.baseAddress!.advanced(by: written).copyMemory(from: sealed.baseAddress! + sealedOffset, byteCount: n)
                sealedOffset += n
                written += n
                continue
            }
            if finished { break }
            // Batches: several chunks sealed at once, in parallel, straight into the caller's buffer.
            if workers > 1 && !finalSealed && buffer.count - written >= 2 * AgeFormat.encryptedChunkSize {
                written += sealBatches(into: UnsafeMutableRawBufferPointer(rebasing: buffer[written...]))
                if let failure, written == 0 { throw failure }
                if failure != nil { break }
                continue
            }
            // Zero-copy path: seal straight into the caller's buffer when a whole chunk fits.
            if armor == nil && !finalSealed && buffer.count - written >= AgeFormat.encryptedChunkSize {
                written += try produceNext(into: UnsafeMutableRawBufferPointer(rebasing: buffer[written...]))
                continue
            }
            _ = try produceNext(into: nil)
        }
        return written
    }

    /// Seals the next chunk (or writes the armor footer) into `target` when given (returning
    /// the bytes written there), else into the staging buffers (returning 0).
    private func produceNext(into target: UnsafeMutableRawBufferPointer?) throws -> Int {
        pending.removeAll(keepingCapacity: true)
        pendingOffset = 0
        if finalSealed {
            armor?.finish(into: &pending)
            finished = true
            return 0
        }
        try fillPlaintext(upTo: AgeFormat.chunkSize + 1)
        let count: Int
        let final: Bool
        if plainCount > AgeFormat.chunkSize {
            count = AgeFormat.chunkSize                           // more follows (look-ahead or a batch read ahead)
            final = false
        } else {
            count = plainCount
            final = true
        }
        let destination = target ?? sealed
        cipher.seal(UnsafeRawBufferPointer(start: plain.baseAddress, count: count), final: final,
                    into: UnsafeMutableRawBufferPointer(start: destination.baseAddress, count: count + AgeFormat.tagSize))
        if final {
            finalSealed = true
            sodium_memzero(plain.baseAddress!, plain.count)
            plainCount = 0
            if armor == nil { finished = true }
        } else {
            keepAfter(count)
        }
        let sealedLength = count + AgeFormat.tagSize
        if target != nil {
            sealedOffset = 0
            sealedCount = 0
            return sealedLength
        }
        if armor != nil {
            armor!.encode(UnsafeRawBufferPointer(start: sealed.baseAddress, count: sealedLength), into: &pending)
            sealedOffset = 0
            sealedCount = 0
        } else {
            sealedOffset = 0
            sealedCount = sealedLength
        }
        return 0
    }

    /// Moves the plaintext after the first `count` bytes (the look-ahead byte, or the rest of a
    /// batch read ahead) to the front of `plain`.
    private func keepAfter(_ count: Int) {
        let rest = plainCount - count
        memmove(plain.baseAddress!, plain.baseAddress! + count, rest)
        plainCount = rest
    }

    /// Seals as many whole chunks as fit in `target` (at least 2 fit), batch after batch of at
    /// most `batchChunks`: while one batch is sealed, the next is read into the spare buffer,
    /// including after the last batch that fits, so that the next call finds its first batch
    /// already read. Returns the bytes written to `target`; a failing source sets `failure`
    /// (what was sealed before stays valid output).
    private func sealBatches(into target: UnsafeMutableRawBufferPointer) -> Int {
        guard let initialSpare = spare else { return 0 }
        let chunk = AgeFormat.chunkSize
        var room = target.count / AgeFormat.encryptedChunkSize
        var chunks = min(Self.batchChunks, room)
        if plainCount > chunks * chunk + 1 {
            // A batch read ahead for a larger buffer than this one: seal what fits, keep the rest.
            let count = chunks * chunk
            let written = (try? cipher.sealChunks(UnsafeRawBufferPointer(start: plain.baseAddress, count: count),
                                                  finalLast: false, into: target)) ?? 0  // throws only for `alongside`
            keepAfter(count)
            return written
        }
        do {
            try fillPlaintext(upTo: chunks * chunk + 1)
        } catch {
            failure = error
            return 0
        }
        var written = 0
        var spareBuffer = initialSpare
        while true {
            let full = plainCount == chunks * chunk + 1
            let count = full ? chunks * chunk : plainCount
            room -= chunks
            // The next batch: for this buffer while it has room, else for the next call.
            let nextChunks = full ? (room > 0 ? min(Self.batchChunks, room) : Self.batchChunks) : 0
            var readAhead: (() throws -> Void)?
            if nextChunks > 0 {
                spareBuffer[0] = plain[count]
                spareCount = 1
                let target = spareBuffer
                readAhead = { [unowned self] in try self.fill(target, count: &self.spareCount, upTo: nextChunks * chunk + 1) }
            }
            do {
                written += try cipher.sealChunks(UnsafeRawBufferPointer(start: plain.baseAddress, count: count),
                                                 finalLast: !full,
                                                 into: UnsafeMutableRawBufferPointer(rebasing: target[written...]),
                                                 alongside: readAhead)
            } catch {
                // Only the read-ahead throws, once this batch is sealed: deliver it.
                failure = error
                return written + count + chunks * AgeFormat.tagSize
            }
            if !full {
                finalSealed = true
                finished = true
                sodium_memzero(plain.baseAddress!, plain.count)
                sodium_memzero(spareBuffer.baseAddress!, spareBuffer.count)
                plainCount = 0
                return written
            }
            // The batch read meanwhile becomes the current one.
            swap(&plain, &spareBuffer)
            spare = spareBuffer
            plainCount = spareCount
            if room == 0 { return written }
            chunks = nextChunks
        }
    }

    /// Reads until the plaintext buffer holds `limit` bytes (chunks plus one byte), or the
    /// source ends.
    private func fillPlaintext(upTo limit: Int) throws {
        try fill(plain, count: &plainCount, upTo: limit)
    }

    /// Reads into `buffer` after its first `count` bytes until it holds `limit`, or the source
    /// ends. One caller at a time (the batch's read-ahead runs while the caller waits).
    private func fill(_ buffer: UnsafeMutableRawBufferPointer, count: inout Int, upTo limit: Int) throws {
        while count < limit && !sourceDone {
            let room = UnsafeMutableRawBufferPointer(start: buffer.baseAddress! + count, count: limit - count)
            let n = try source(room)
            guard n >= 0 && n <= room.count else {
                throw AgeError.payload("the plaintext source returned an invalid count")
            }
            if n == 0 {
                sourceDone = true
            } else {
                count += n
                plaintextBytesRead += Int64(n)
            }
        }
    }
}
