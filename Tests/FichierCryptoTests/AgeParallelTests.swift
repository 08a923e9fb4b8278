import Testing
@testable import FichierCrypto

/// The encryptor seals, and the decryptor opens, batches of chunks on several threads: the
/// bytes (and for damaged files the error and the plaintext released before it) must be
/// exactly those of working chunk by chunk.
@Suite("age encryption and decryption in parallel batches")
struct AgeParallelTests {
    static let identity = X25519Identity.generate()
    static let chunk = 65536
    static let sizes = [0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk, 8 * chunk - 1, 8 * chunk, 8 * chunk + 1,
                        9 * chunk + 5, 16 * chunk, 17 * chunk + 3, 32 * chunk + 1, 3 << 20]

    /// Encrypts with `workers` threads, reading output in pieces of `readStep` bytes.
    private func encrypt(_ plaintext: [UInt8], workers: Int, readStep: Int, seed: UInt8) throws -> [UInt8] {
        var offset = 0
        let reader = try AgeEncryptingReader(
            recipients: [Self.identity.recipient], armor: false, plaintextSize: Int64(plaintext.count),
            random: .deterministic(seed: [UInt8](repeating: seed, count: 32)), workers: workers
        ) { buffer in
            let n = min(buffer.count, 100_003, plaintext.count - offset)
            for index in 0..<n { buffer[index] = plaintext[offset + index] }
            offset += n
            return n
        }
        var out: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: readStep)
        while true {
            let n = try piece.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            out += piece[0..<n]
        }
        return out
    }

    @Test("Same bytes as chunk-by-chunk sealing, at chunk and batch boundaries", arguments: AgeParallelTests.sizes)
    func sameBytes(size: Int) throws {
        let plaintext = TestSupport.pseudoRandomBytes(size, seed: UInt64(size) + 5)
        let sequential = try encrypt(plaintext, workers: 1, readStep: 1 << 20, seed: 9)
        let expectedSize = AgeFormat.encryptedSize(plaintextSize: Int64(size), recipients: [Self.identity.recipient])
        #expect(Int64(sequential.count) == expectedSize)
        // Reads of exactly two sealed chunks, of a few chunks and a bit, of 1 MiB and of the preferred
        // size (whole batches, read ahead across calls); 2 and 4 threads.
        for readStep in [2 * AgeFormat.encryptedChunkSize, 3 * AgeFormat.encryptedChunkSize + 999, 1 << 20,
                         AgeEncryptingReader.preferredReadSize] {
            for workers in [2, 4] {
                let parallel = try encrypt(plaintext, workers: workers, readStep: readStep, seed: 9)
                #expect(parallel == sequential, "readStep \(readStep), workers \(workers)")
            }
        }
        let outcome = TestSupport.decrypt(sequential, with: [Self.identity], step: 1 << 20)
        #expect(outcome.error == nil)
        #expect(outcome.plaintext == plaintext)
    }

    @Test("Switching between batches and single chunks mid-stream keeps the stream intact")
    func mixedReadSizes() throws {
        let plaintext = TestSupport.pseudoRandomBytes(40 * Self.chunk + 777, seed: 41)
        let sequential = try encrypt(plaintext, workers: 1, readStep: 1 << 16, seed: 3)
        var offset = 0
        let reader = try AgeEncryptingReader(
            recipients: [Self.identity.recipient], armor: false, plaintextSize: Int64(plaintext.count),
            random: .deterministic(seed: [UInt8](repeating: 3, count: 32)), workers: 2
        ) { buffer in
            let n = min(buffer.count, plaintext.count - offset)
            for index in 0..<n { buffer[index] = plaintext[offset + index] }
            offset += n
            return n
        }
        var out: [UInt8] = []
        let steps = [1 << 20, 7, 65552, 3 * 65552, 100, 1 << 19, 1]
        var turn = 0
        while true {
            var piece = [UInt8](repeating: 0, count: steps[turn % steps.count])
            turn += 1
            let n = try piece.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            out += piece[0..<n]
        }
        #expect(out == sequential)
    }

    @Test("A source failing while the next batch is read ahead: the sealed part comes out, then the error, every time")
    func readAheadFailure() throws {
        struct Boom: Error {}
        let batch = AgeEncryptingReader.batchChunks
        let limit = (batch + 2) * Self.chunk
        var served = 0
        let reader = try AgeEncryptingReader(
            recipients: [Self.identity.recipient], armor: false, plaintextSize: nil, random: .system, workers: 2
        ) { buffer in
            guard served < limit else { throw Boom() }
            let n = min(buffer.count, limit - served)
            buffer.initializeMemory(as: UInt8.self, repeating: 7)
            served += n
            return n
        }
        var piece = [UInt8](repeating: 0, count: AgeEncryptingReader.preferredReadSize)
        let first = try piece.withUnsafeMutableBytes { try reader.read(into: $0) }
        // The header and the first batch were delivered before the read-ahead failed.
        #expect(first == Int(AgeFormat.headerSize(recipients: [Self.identity.recipient])) + AgeFormat.payloadNonceSize
                + batch * AgeFormat.encryptedChunkSize)
        for _ in 0..<2 {
            #expect(throws: Boom.self) { _ = try piece.withUnsafeMutableBytes { try reader.read(into: $0) } }
        }
    }

    /// The same ciphertext decrypted one chunk at a time and in parallel batches, written in
    /// pieces of several sizes: the same plaintext, or the same error after the same prefix.
    private func expectSameDecryption(_ ciphertext: [UInt8], _ label: String) {
        let sequential = TestSupport.decrypt(ciphertext, with: [Self.identity], step: 1 << 20, workers: 1)
        let batchBytes = AgeStreamDecoder.batchChunks * AgeFormat.encryptedChunkSize
        for step in [4096, AgeFormat.encryptedChunkSize, batchBytes + 1, 3 << 20] {
            for workers in [2, 4] {
                let parallel = TestSupport.decrypt(ciphertext, with: [Self.identity], step: step, workers: workers)
                #expect(parallel.plaintext == sequential.plaintext, "\(label): step \(step), workers \(workers)")
                #expect(parallel.error.map { "\($0)" } == sequential.error.map { "\($0)" },
                        "\(label): step \(step), workers \(workers)")
            }
        }
    }

    @Test("Parallel decryption releases what chunk-by-chunk decryption releases", arguments: AgeParallelTests.sizes)
    func parallelDecryption(size: Int) throws {
        let plaintext = TestSupport.pseudoRandomBytes(size, seed: UInt64(size) + 11)
        let ciphertext = try encrypt(plaintext, workers: 1, readStep: 1 << 20, seed: 4)
        let outcome = TestSupport.decrypt(ciphertext, with: [Self.identity], step: 1 << 20, workers: 2)
        #expect(outcome.error == nil)
        #expect(outcome.plaintext == plaintext)
        expectSameDecryption(ciphertext, "intact \(size)")
    }

    @Test("Parallel decryption of damaged files: tampered, reordered, truncated, extended mid-batch")
    func parallelDecryptionOfDamagedFiles() throws {
        let chunks = 3 * AgeStreamDecoder.batchChunks + 5
        let plaintext = TestSupport.pseudoRandomBytes(chunks * Self.chunk + 100, seed: 77)
        let ciphertext = try encrypt(plaintext, workers: 1, readStep: 1 << 20, seed: 5)
        let payload = ciphertext.count - (chunks * AgeFormat.encryptedChunkSize + 100 + AgeFormat.tagSize)
        func chunkStart(_ index: Int) -> Int { payload + index * AgeFormat.encryptedChunkSize }

        for index in [0, 5, AgeStreamDecoder.batchChunks - 1, AgeStreamDecoder.batchChunks + 3, chunks] {
            var tampered = ciphertext
            tampered[chunkStart(index) + 77] ^= 0x01
            let outcome = TestSupport.decrypt(tampered, with: [Self.identity], step: 1 << 20, workers: 2)
            #expect(outcome.error != nil, "tampered chunk \(index)")
            #expect(outcome.plaintext == Array(plaintext[0..<(index * Self.chunk)]), "tampered chunk \(index)")
            expectSameDecryption(tampered, "tampered chunk \(index)")
        }

        var reordered = ciphertext
        let (a, b) = (chunkStart(6), chunkStart(9))
        let sealed = AgeFormat.encryptedChunkSize
        reordered.replaceSubrange(a..<(a + sealed), with: ciphertext[b..<(b + sealed)])
        reordered.replaceSubrange(b..<(b + sealed), with: ciphertext[a..<(a + sealed)])
        let shuffled = TestSupport.decrypt(reordered, with: [Self.identity], step: 1 << 20, workers: 2)
        #expect(shuffled.error != nil)
        #expect(shuffled.plaintext == Array(plaintext[0..<(6 * Self.chunk)]))
        expectSameDecryption(reordered, "reordered")

        for cut in [chunkStart(chunks), chunkStart(AgeStreamDecoder.batchChunks), chunkStart(2) + 1000] {
            let truncated = Array(ciphertext[0..<cut])
            let outcome = TestSupport.decrypt(truncated, with: [Self.identity], step: 1 << 20, workers: 2)
            #expect(outcome.error != nil, "truncated at \(cut)")
            expectSameDecryption(truncated, "truncated at \(cut)")
        }

        let extended = ciphertext + [UInt8](repeating: 0x42, count: AgeFormat.encryptedChunkSize)
        let outcome = TestSupport.decrypt(extended, with: [Self.identity], step: 1 << 20, workers: 2)
        #expect(outcome.error != nil)
        expectSameDecryption(extended, "extended")
    }
}
