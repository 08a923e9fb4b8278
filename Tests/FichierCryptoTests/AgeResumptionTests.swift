import Testing
@testable import FichierCrypto

/// Picking an age decryption up part-way: from the file's first bytes and a later chunk, the
/// rest of the plaintext comes out exactly; the last kept chunk is checked against what the
/// file holds; and the kept plaintext reseals to the stored bytes, byte for byte.
@Suite("Resuming an age decryption")
struct AgeResumptionTests {
    static let identity = X25519Identity.generate()
    static let other = X25519Identity.generate()
    static let chunk = AgeFormat.chunkSize
    static let sealed = AgeFormat.encryptedChunkSize

    /// Feeds `stored[from...]` to `writer` in pieces of `step` and returns the plaintext released.
    private func drain(_ writer: AgeDecryptingWriter, _ stored: ArraySlice<UInt8>, step: Int) throws {
        var offset = stored.startIndex
        while offset < stored.endIndex {
            let end = min(offset + step, stored.endIndex)
            try stored[offset..<end].withUnsafeBytes { try writer.write($0) }
            offset = end
        }
        try writer.finish()
    }

    @Test("The rest of the file decrypts from any later chunk, checked against the kept chunk",
          arguments: [(5 * 65536 - 1234, 1), (5 * 65536 - 1234, 4), (5 * 65536, 5), (40 * 65536 + 7, 17), (2 * 65536, 1)])
    func continuesFromAChunk(size: Int, keptChunks: Int) throws {
        // (5 × 64 KiB, 5): the kept chunk to check is the final one, and nothing follows it.
        let plaintext = TestSupport.pseudoRandomBytes(size, seed: UInt64(size + keptChunks))
        let stored = try TestSupport.encrypt(plaintext, to: [Self.other.recipient, Self.identity.recipient])
        let resumption = try stored.withUnsafeBytes {
            try AgeResumption(identities: [Self.identity], prefix: UnsafeRawBufferPointer(rebasing: $0[0..<min(16_384, $0.count)]))
        }
        #expect(resumption.storedPrefix == Array(stored[0..<Int(resumption.payloadOffset)]))
        let check = keptChunks - 1
        let start = Int(resumption.storedOffset(ofChunk: Int64(check)))
        let expected = Array(plaintext[(check * Self.chunk)..<(keptChunks * Self.chunk)])
        for step in [1 << 20, 65_552, 1000] {
            var released: [UInt8] = []
            let writer = resumption.writer(fromChunk: Int64(check), expecting: expected) { released += $0 }
            try drain(writer, stored[start...], step: step)
            #expect(released == Array(plaintext[(keptChunks * Self.chunk)...]), "step \(step)")
        }
    }

    @Test("A kept chunk that is not this file's plaintext fails before anything is released")
    func aDifferentKeptChunkFails() throws {
        let plaintext = TestSupport.pseudoRandomBytes(6 * Self.chunk + 10, seed: 77)
        let stored = try TestSupport.encrypt(plaintext, to: [Self.identity.recipient])
        let resumption = try stored.withUnsafeBytes { try AgeResumption(identities: [Self.identity], prefix: $0) }
        var kept = Array(plaintext[(2 * Self.chunk)..<(3 * Self.chunk)])
        kept[Self.chunk - 1] ^= 1
        var released: [UInt8] = []
        let writer = resumption.writer(fromChunk: 2, expecting: kept) { released += $0 }
        #expect(throws: AgeError.resumeMismatch("chunk 2 opens to other plaintext than the one kept for it")) {
            try drain(writer, stored[Int(resumption.storedOffset(ofChunk: 2))...], step: 1 << 20)
        }
        #expect(released.isEmpty)
        // The final chunk, shorter than a kept full chunk, cannot match either.
        let last = resumption.writer(fromChunk: 6, expecting: Array(plaintext[0..<Self.chunk])) { released += $0 }
        #expect(throws: AgeError.resumeMismatch("chunk 6 opens to other plaintext than the one kept for it")) {
            try drain(last, stored[Int(resumption.storedOffset(ofChunk: 6))...], step: 1 << 20)
        }
        #expect(released.isEmpty)
    }

    @Test("Stored bytes that were altered or cut after the resume point still fail")
    func tamperingAfterTheResumePointFails() throws {
        let plaintext = TestSupport.pseudoRandomBytes(4 * Self.chunk + 99, seed: 78)
        var stored = try TestSupport.encrypt(plaintext, to: [Self.identity.recipient])
        let resumption = try stored.withUnsafeBytes { try AgeResumption(identities: [Self.identity], prefix: $0) }
        let start = Int(resumption.storedOffset(ofChunk: 1))
        let cut = resumption.writer(fromChunk: 1) { _ in }
        #expect(throws: AgeError.payload("the file is truncated: the final chunk is missing")) {
            try drain(cut, stored[start..<(start + 2 * Self.sealed)], step: 1 << 20)
        }
        stored[start + Self.sealed + 5] ^= 0x80
        var released: [UInt8] = []
        let altered = resumption.writer(fromChunk: 1) { released += $0 }
        #expect(throws: AgeError.self) { try drain(altered, stored[start...], step: 1 << 20) }
        #expect(released == Array(plaintext[Self.chunk..<(2 * Self.chunk)]))
    }

    @Test("The header must be whole, its MAC intact, and opened by one of the identities")
    func theHeaderIsCheckedAsAlways() throws {
        let stored = try TestSupport.encrypt(TestSupport.pseudoRandomBytes(100, seed: 79), to: [Self.identity.recipient])
        let shortPrefix = stored.withUnsafeBytes { prefix in
            Result { try AgeResumption(identities: [Self.identity], prefix: UnsafeRawBufferPointer(rebasing: prefix[0..<60])) }
        }
        #expect(throws: AgeError.self) { try shortPrefix.get() }
        #expect(throws: AgeError.self) { try stored.withUnsafeBytes { try AgeResumption(identities: [Self.other], prefix: $0) } }
        var altered = stored
        altered[30] ^= 1
        #expect(throws: AgeError.self) { try altered.withUnsafeBytes { try AgeResumption(identities: [Self.identity], prefix: $0) } }
    }

    @Test("Kept plaintext reseals to exactly the stored bytes of its chunks")
    func resealingRebuildsTheStoredBytes() throws {
        let plaintext = TestSupport.pseudoRandomBytes(20 * Self.chunk + 5, seed: 80)
        let stored = try TestSupport.encrypt(plaintext, to: [Self.identity.recipient])
        let resumption = try stored.withUnsafeBytes { try AgeResumption(identities: [Self.identity], prefix: $0) }
        for (first, count) in [(0, 1), (0, 17), (3, 5), (19, 1)] {
            var out = [UInt8](repeating: 0, count: count * Self.sealed)
            let written = plaintext[(first * Self.chunk)..<((first + count) * Self.chunk)].withUnsafeBytes { kept in
                out.withUnsafeMutableBytes { resumption.reseal(kept, fromChunk: Int64(first), into: $0) }
            }
            #expect(written == count * Self.sealed)
            let at = Int(resumption.storedOffset(ofChunk: Int64(first)))
            #expect(out == Array(stored[at..<(at + count * Self.sealed)]), "chunks \(first)..<\(first + count)")
        }
    }
}
