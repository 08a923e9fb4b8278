import Testing
@testable import FichierCrypto

/// The encryptor seals batches of chunks on several threads when the caller's buffer is large;
/// the bytes must be exactly those of sealing chunk by chunk.
@Suite("age encryption in parallel batches")
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
}
