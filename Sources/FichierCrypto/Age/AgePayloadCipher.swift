import CSodium
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The age payload cipher (agead STREAM): payload key = HKDF-SHA-256(file key, nonce, "payload");
/// chunk i is ChaCha20-Poly1305 under nonce = 11-byte big-endian i ‖ final flag.
struct AgePayloadCipher {
    private let key: SecureBytes
    private var nonce = [UInt8](repeating: 0, count: ChaCha20Poly1305.nonceLength)
    /// Index of the next chunk.
    private(set) var counter: UInt64 = 0

    /// The online cores: with more than one, batches of chunks are sealed and opened in parallel.
    static let onlineCores: Int = {
        #if canImport(Glibc) || canImport(Darwin)
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }()

    init(fileKey: SecureBytes, payloadNonce: [UInt8]) {
        precondition(payloadNonce.count == AgeFormat.payloadNonceSize)
        key = HKDF.key(ikm: fileKey, salt: payloadNonce, info: "payload")
    }

    /// Makes chunk `index` the next one to seal or open (to pick a stream up part-way).
    mutating func seek(toChunk index: UInt64) {
        counter = index
    }

    private mutating func prepareNonce(final: Bool) {
        for index in 0..<8 { nonce[3 + index] = UInt8(truncatingIfNeeded: counter >> UInt64(8 * (7 - index))) }
        nonce[11] = final ? 1 : 0
    }

    /// Seals the next chunk (at most 64 KiB) into `out` (plaintext.count + 16 bytes).
    mutating func seal(_ plaintext: UnsafeRawBufferPointer, final: Bool, into out: UnsafeMutableRawBufferPointer) {
        precondition(plaintext.count <= AgeFormat.chunkSize)
        prepareNonce(final: final)
        key.withUnsafeBytes { k in
            nonce.withUnsafeBytes { n in ChaCha20Poly1305.seal(key: k, nonce: n, plaintext: plaintext, into: out) }
        }
        counter += 1
    }

    /// Seals the next chunks on all cores (each chunk has its own nonce, so they are
    /// independent): chunk i is `plaintext[i·64 KiB ..< (i+1)·64 KiB]` (the last one may be
    /// shorter, or empty when `plaintext` is), sealed at `out[i·(64 KiB+16) ...]`; only the last
    /// one carries the final flag, and only when `finalLast`. `alongside` (reading the next
    /// plaintext) runs on another thread meanwhile. Returns the bytes written; rethrows what
    /// `alongside` threw, after every chunk was sealed.
    mutating func sealChunks(_ plaintext: UnsafeRawBufferPointer, finalLast: Bool,
                             into out: UnsafeMutableRawBufferPointer,
                             alongside: (() throws -> Void)? = nil) throws -> Int {
        let chunk = AgeFormat.chunkSize
        let chunks = max(1, (plaintext.count + chunk - 1) / chunk)
        let written = plaintext.count + chunks * AgeFormat.tagSize
        precondition(out.count >= written)
        let first = counter
        let extra = alongside == nil ? 0 : 1
        let side = SideTask(body: alongside)
        key.withUnsafeBytes { key in
            let buffers = BatchBuffers(key: key, input: plaintext, output: out)
            // One iteration per chunk (dispatch balances them over the cores), the side task first.
            DispatchQueue.concurrentPerform(iterations: chunks + extra) { iteration in
                if iteration < extra {
                    side.run()
                    return
                }
                let index = iteration - extra
                let (key, plaintext, out) = (buffers.key, buffers.input, buffers.output)
                withUnsafeTemporaryAllocation(byteCount: ChaCha20Poly1305.nonceLength, alignment: 1) { nonce in
                    Self.chunkNonce(first + UInt64(index), final: finalLast && index == chunks - 1, into: nonce)
                    let start = index * chunk
                    let length = min(chunk, plaintext.count - start)
                    let sealedStart = index * AgeFormat.encryptedChunkSize
                    ChaCha20Poly1305.seal(
                        key: key, nonce: UnsafeRawBufferPointer(nonce),
                        plaintext: UnsafeRawBufferPointer(rebasing: plaintext[start..<(start + length)]),
                        into: UnsafeMutableRawBufferPointer(rebasing: out[sealedStart..<(sealedStart + length + AgeFormat.tagSize)]))
                }
            }
        }
        counter += UInt64(chunks)
        if let error = side.error { throw error }
        return written
    }

    /// Opens the next full-size chunks as non-final on all cores: chunk i is
    /// `sealed[i·(64 KiB+16) ..< (i+1)·(64 KiB+16)]`, its plaintext goes to `out[i·64 KiB ...]`.
    /// Returns how many leading chunks authenticated (all of them, or the index of the first
    /// that did not) and advances past those only; the plaintext of any later chunk is wiped.
    mutating func openChunks(_ sealed: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        let chunk = AgeFormat.chunkSize
        let chunks = sealed.count / AgeFormat.encryptedChunkSize
        precondition(chunks * AgeFormat.encryptedChunkSize == sealed.count && out.count >= chunks * chunk)
        let first = counter
        let outcomes = UnsafeMutableBufferPointer<Bool>.allocate(capacity: chunks)
        outcomes.initialize(repeating: false)
        defer { outcomes.deallocate() }
        key.withUnsafeBytes { key in
            let buffers = BatchBuffers(key: key, input: sealed, output: out)
            let results = ChunkOutcomes(flags: outcomes)
            DispatchQueue.concurrentPerform(iterations: chunks) { index in
                let (key, sealed, out) = (buffers.key, buffers.input, buffers.output)
                withUnsafeTemporaryAllocation(byteCount: ChaCha20Poly1305.nonceLength, alignment: 1) { nonce in
                    Self.chunkNonce(first + UInt64(index), final: false, into: nonce)
                    let sealedStart = index * AgeFormat.encryptedChunkSize
                    results.flags[index] = ChaCha20Poly1305.open(
                        key: key, nonce: UnsafeRawBufferPointer(nonce),
                        ciphertext: UnsafeRawBufferPointer(rebasing: sealed[sealedStart..<(sealedStart + AgeFormat.encryptedChunkSize)]),
                        into: UnsafeMutableRawBufferPointer(rebasing: out[(index * chunk)..<((index + 1) * chunk)]))
                }
            }
        }
        let opened = outcomes.firstIndex(of: false) ?? chunks
        if opened < chunks {
            sodium_memzero(out.baseAddress! + opened * chunk, (chunks - opened) * chunk)
        }
        counter += UInt64(opened)
        return opened
    }

    /// Writes chunk `number`'s nonce: 11-byte big-endian counter, then the final flag.
    private static func chunkNonce(_ number: UInt64, final: Bool, into nonce: UnsafeMutableRawBufferPointer) {
        nonce.initializeMemory(as: UInt8.self, repeating: 0)
        for byte in 0..<8 { nonce[3 + byte] = UInt8(truncatingIfNeeded: number >> UInt64(8 * (7 - byte))) }
        nonce[11] = final ? 1 : 0
    }

    /// One batch's buffers for the worker threads: read-only (key, input) or written at
    /// disjoint offsets (output), and valid until `concurrentPerform` returns.
    private struct BatchBuffers: @unchecked Sendable {
        let key: UnsafeRawBufferPointer
        let input: UnsafeRawBufferPointer
        let output: UnsafeMutableRawBufferPointer
    }

    /// Each chunk's outcome, written by its own worker (disjoint elements).
    private struct ChunkOutcomes: @unchecked Sendable {
        let flags: UnsafeMutableBufferPointer<Bool>
    }

    /// Work run by one thread of a batch, its error read once the batch is over.
    private final class SideTask: @unchecked Sendable {
        let body: (() throws -> Void)?
        private(set) var error: (any Error)?

        init(body: (() throws -> Void)?) {
            self.body = body
        }

        func run() {
            do { try body?() } catch { self.error = error }
        }
    }

    /// Opens chunk `counter` as final or not; advances only on success.
    mutating func open(_ ciphertext: UnsafeRawBufferPointer, final: Bool, into out: UnsafeMutableRawBufferPointer) -> Bool {
        prepareNonce(final: final)
        let ok = key.withUnsafeBytes { k in
            nonce.withUnsafeBytes { n in ChaCha20Poly1305.open(key: k, nonce: n, ciphertext: ciphertext, into: out) }
        }
        if ok { counter += 1 }
        return ok
    }
}

/// Header MAC: HMAC-SHA-256 under HKDF-SHA-256(file key, "", "header") over the header
/// through "---".
enum AgeHeaderMAC {
    static func compute(fileKey: SecureBytes, macInput: [UInt8]) -> [UInt8] {
        let key = HKDF.key(ikm: fileKey, salt: [], info: "header")
        return key.withUnsafeBytes { k in macInput.withUnsafeBytes { HMACSHA256.authenticate(key: k, message: $0) } }
    }
}
