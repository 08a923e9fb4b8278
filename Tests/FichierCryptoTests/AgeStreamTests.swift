import Foundation
import Testing
@testable import FichierCrypto

@Suite("age streaming encryption and decryption")
struct AgeStreamTests {
    static let identity = X25519Identity.generate()
    static let sizes = [0, 1, 15, 16, 17, 65535, 65536, 65537, 131071, 131072, 131073, 3 * 65536 + 12345]

    @Test("Header and size formula: 168-byte header for one X25519 stanza, 1 B → 201 B")
    func sizeFormula() throws {
        let recipients: [any AgeRecipient] = [Self.identity.recipient]
        #expect(AgeFormat.headerSize(recipients: recipients) == 168)
        #expect(AgeFormat.encryptedSize(plaintextSize: 1, recipients: recipients) == 201)
        #expect(AgeFormat.encryptedSize(plaintextSize: 0, recipients: recipients) == 200)
        #expect(AgeFormat.encryptedSize(plaintextSize: 1 << 20, recipients: recipients) == 1_049_016)
        #expect(AgeFormat.encryptedSize(plaintextSize: 65536, recipients: recipients) == 184 + 65536 + 16)
        #expect(AgeFormat.encryptedSize(plaintextSize: 65537, recipients: recipients) == 184 + 65537 + 32)
        for size in Self.sizes {
            let total = AgeFormat.encryptedSize(plaintextSize: Int64(size), recipients: recipients)
            #expect(AgeFormat.plaintextSize(encryptedSize: total, headerSize: 168) == Int64(size))
        }
    }

    @Test("Round trips at chunk boundaries with 1-, 7- and odd-sized reads and writes", arguments: AgeStreamTests.sizes)
    func roundTrip(size: Int) throws {
        let plaintext = TestSupport.pseudoRandomBytes(size, seed: UInt64(size) + 1)
        let recipients: [any AgeRecipient] = [Self.identity.recipient]
        let expectedSize = AgeFormat.encryptedSize(plaintextSize: Int64(size), recipients: recipients)
        for (sourceStep, readStep) in [(7, 1), (1, 7), (65536, 65536), (4093, 100_003)] {
            if size > 70_000 && (sourceStep == 1 || readStep == 1) { continue }   // keep the 1-byte loops short
            let ciphertext = try TestSupport.encrypt(plaintext, to: recipients, sourceStep: sourceStep, readStep: readStep)
            #expect(Int64(ciphertext.count) == expectedSize)
            for step in [1, 7, 65553, 1 << 20] {
                if size > 70_000 && step == 1 { continue }
                let outcome = TestSupport.decrypt(ciphertext, with: [Self.identity], step: step)
                #expect(outcome.error == nil)
                #expect(outcome.plaintext == plaintext)
            }
        }
    }

    @Test("A writer fed random short pieces decrypts a 1 MiB file")
    func randomPieces() throws {
        let plaintext = TestSupport.pseudoRandomBytes(1 << 20, seed: 99)
        let ciphertext = try TestSupport.encrypt(plaintext, to: [Self.identity.recipient], sourceStep: 1000)
        var released = [UInt8]()
        let writer = AgeDecryptingWriter(identities: [Self.identity]) { released += $0 }
        var offset = 0
        var generator = SystemRandomNumberGenerator()
        while offset < ciphertext.count {
            let step = Int.random(in: 1...70_000, using: &generator)
            let end = min(offset + step, ciphertext.count)
            try ciphertext[offset..<end].withUnsafeBytes { try writer.write($0) }
            offset = end
        }
        try writer.finish()
        #expect(released == plaintext)
        #expect(writer.plaintextBytesReleased == Int64(plaintext.count))
    }

    @Test("Truncation at every chunk boundary ±1 fails and releases only whole authenticated chunks")
    func truncation() throws {
        let plaintext = TestSupport.pseudoRandomBytes(3 * 65536 + 100, seed: 5)
        let ciphertext = try TestSupport.encrypt(plaintext, to: [Self.identity.recipient])
        let start = 168 + 16
        var cuts = [0, 1, 50, 167, 168, 169, start - 1, start, start + 1]
        for k in 1...3 {
            let boundary = start + k * AgeFormat.encryptedChunkSize
            cuts += [boundary - 1, boundary, boundary + 1]
        }
        cuts.append(ciphertext.count - 1)
        for cut in cuts where cut < ciphertext.count {
            let outcome = TestSupport.decrypt(Array(ciphertext[0..<cut]), with: [Self.identity])
            let error = try #require(outcome.error as? AgeError, "cut at \(cut) was accepted")
            #expect(["header", "payload"].contains(error.kind), "cut \(cut): \(error)")
            #expect(outcome.plaintext.count % AgeFormat.chunkSize == 0, "cut \(cut) released a partial chunk")
            #expect(outcome.plaintext == Array(plaintext.prefix(outcome.plaintext.count)))
            // Nothing past the last complete chunk before the cut can have been released.
            let completeChunks = max(0, (cut - start) / AgeFormat.encryptedChunkSize)
            #expect(outcome.plaintext.count <= completeChunks * AgeFormat.chunkSize)
        }
    }

    @Test("Every bit flip in the header, nonce and a one-chunk payload is detected with the right class")
    func bitFlips() throws {
        let plaintext = Array("the quick brown fox jumps over the lazy dog".utf8)
        let ciphertext = try TestSupport.encrypt(plaintext, to: [Self.identity.recipient])
        for byteIndex in 0..<ciphertext.count {
            for bit in 0..<8 {
                var tampered = ciphertext
                tampered[byteIndex] ^= UInt8(1 << bit)
                let outcome = TestSupport.decrypt(tampered, with: [Self.identity])
                let error = try #require(outcome.error as? AgeError, "flip \(byteIndex).\(bit) accepted")
                #expect(outcome.plaintext.isEmpty)
                if byteIndex >= 168 {
                    #expect(error.kind == "payload", "flip \(byteIndex).\(bit): \(error)")
                } else {
                    #expect(["header", "no_match", "header_mac"].contains(error.kind), "flip \(byteIndex).\(bit): \(error)")
                }
            }
        }
    }

    @Test("Reordered, duplicated, dropped, appended and spliced chunks are rejected")
    func structuralTampering() throws {
        let plaintext = TestSupport.pseudoRandomBytes(3 * 65536 + 7, seed: 11)
        let fileA = try TestSupport.encrypt(plaintext, to: [Self.identity.recipient])
        let fileB = try TestSupport.encrypt(plaintext, to: [Self.identity.recipient])
        let start = 184, size = AgeFormat.encryptedChunkSize
        func chunks(_ file: [UInt8]) -> [[UInt8]] {
            var out: [[UInt8]] = []
            var offset = start
            while offset < file.count { out.append(Array(file[offset..<min(offset + size, file.count)])); offset += size }
            return out
        }
        let header = Array(fileA[0..<start]), a = chunks(fileA), b = chunks(fileB)
        let cases: [(String, [UInt8], Int)] = [
            ("swap 0 and 1", header + a[1] + a[0] + a[2] + a[3], 0),
            ("duplicate 0", header + a[0] + a[0] + a[1] + a[2] + a[3], 1),
            ("drop middle", header + a[0] + a[2] + a[3], 1),
            ("drop last", header + a[0] + a[1] + a[2], 3),
            ("append garbage", fileA + [1, 2, 3], 3),
            ("append final chunk copy", fileA + a[3], 3),
            ("splice chunk from another file", header + a[0] + b[1] + a[2] + a[3], 1),
            ("concatenate two files", fileA + fileB, 3),
        ]
        for (name, data, authenticChunks) in cases {
            let outcome = TestSupport.decrypt(data, with: [Self.identity])
            let error = try #require(outcome.error as? AgeError, "\(name) accepted")
            #expect(error.kind == "payload", "\(name): \(error)")
            #expect(outcome.plaintext.count <= authenticChunks * AgeFormat.chunkSize + (authenticChunks == 3 ? 7 : 0), "\(name)")
            #expect(outcome.plaintext == Array(plaintext.prefix(outcome.plaintext.count)), "\(name)")
        }
    }

    @Test("Wrong identity is 'no match'; several recipients each decrypt")
    func recipients() throws {
        let other = X25519Identity.generate()
        let third = HybridIdentity.generate()
        let plaintext = TestSupport.pseudoRandomBytes(70_000, seed: 3)
        let ciphertext = try TestSupport.encrypt(plaintext, to: [Self.identity.recipient, other.recipient, third.recipient])
        #expect(Int64(ciphertext.count) == AgeFormat.encryptedSize(
            plaintextSize: 70_000, recipients: [Self.identity.recipient, other.recipient, third.recipient]))
        for identity in [Self.identity, other, third] as [any AgeIdentity] {
            #expect(TestSupport.decrypt(ciphertext, with: [identity]).plaintext == plaintext)
        }
        let stranger = TestSupport.decrypt(ciphertext, with: [X25519Identity.generate()])
        #expect((stranger.error as? AgeError)?.kind == "no_match")
        #expect(stranger.plaintext.isEmpty)
    }

    @Test("Post-quantum hybrid recipients round-trip and parse")
    func hybrid() throws {
        let identity = HybridIdentity.generate()
        let text = identity.recipient.encoded
        #expect(text.hasPrefix("age1pq1"))
        let parsed = try AgeKeys.recipient(text)
        let plaintext = TestSupport.pseudoRandomBytes(1000, seed: 8)
        let ciphertext = try TestSupport.encrypt(plaintext, to: [parsed])
        #expect(TestSupport.decrypt(ciphertext, with: [identity]).plaintext == plaintext)
        let reparsed = try HybridIdentity(parsing: identity.encoded().unsafeStringCopy()!)
        #expect(reparsed.recipient == identity.recipient)
    }

    @Test("scrypt passphrase recipients: round trip, must be alone, work-factor cap refused before work")
    func scrypt() throws {
        let passphrase = SecureBytes(Array("correct horse battery staple".utf8))
        let recipient = try ScryptRecipient(passphrase: passphrase, workFactor: 10)
        let plaintext = TestSupport.pseudoRandomBytes(5000, seed: 4)
        let ciphertext = try TestSupport.encrypt(plaintext, to: [recipient])
        #expect(Int64(ciphertext.count) == AgeFormat.encryptedSize(plaintextSize: 5000, recipients: [recipient]))
        #expect(TestSupport.decrypt(ciphertext, with: [ScryptIdentity(passphrase: passphrase)]).plaintext == plaintext)
        let wrong = TestSupport.decrypt(ciphertext, with: [ScryptIdentity(passphrase: SecureBytes(Array("nope".utf8)))])
        #expect((wrong.error as? AgeError)?.kind == "no_match")
        let capped = TestSupport.decrypt(ciphertext, with: [ScryptIdentity(passphrase: passphrase, maxWorkFactor: 9)])
        #expect((capped.error as? AgeError)?.kind == "header")
        #expect(throws: AgeError.self) {
            _ = try TestSupport.encrypt(plaintext, to: [recipient, Self.identity.recipient])
        }
    }

    @Test("ASCII armor round trip, exact armored size, and detection")
    func armor() throws {
        for size in [0, 1, 47, 48, 100, 65536, 70_000] {
            let plaintext = TestSupport.pseudoRandomBytes(size, seed: UInt64(size) + 10)
            let armored = try TestSupport.encrypt(plaintext, to: [Self.identity.recipient], armor: true, readStep: 333)
            let binarySize = AgeFormat.encryptedSize(plaintextSize: Int64(size), recipients: [Self.identity.recipient])
            #expect(Int64(armored.count) == AgeFormat.armoredSize(binarySize: binarySize))
            #expect(armored.starts(with: Array("-----BEGIN AGE ENCRYPTED FILE-----\n".utf8)))
            #expect(AgeFormat.recognizes(prefix: armored.prefix(40)))
            for input in [AgeDecryptingWriter.InputFormat.detect, .armored] {
                let outcome = TestSupport.decrypt(armored, with: [Self.identity], input: input, step: 61)
                #expect(outcome.error == nil)
                #expect(outcome.plaintext == plaintext)
            }
            let binary = TestSupport.decrypt(armored, with: [Self.identity], input: .binary)
            #expect((binary.error as? AgeError)?.kind == "header")
        }
    }

    @Test("Key parsing rejects malformed recipients and identities")
    func keyParsing() {
        #expect(throws: AgeError.self) { _ = try AgeKeys.recipient("age1qqqq") }
        #expect(throws: AgeError.self) { _ = try AgeKeys.recipient("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX") }
        #expect(throws: AgeError.self) { _ = try X25519Identity(parsing: "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEY") }
        #expect(throws: AgeError.self) { _ = try AgeKeys.identities(fileContents: SecureBytes(Array("# only a comment\n".utf8))) }
        #expect(throws: AgeError.self) { _ = try AgeKeys.identities(fileContents: SecureBytes(Array("garbage\n".utf8))) }
    }

    @Test("Errors thrown by the source and the output propagate unchanged")
    func callbackErrors() throws {
        struct Boom: Error {}
        let reader = try AgeEncryptingReader(recipients: [Self.identity.recipient]) { _ in throw Boom() }
        var buffer = [UInt8](repeating: 0, count: 1000)
        #expect(throws: Boom.self) { _ = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } }
        let ciphertext = try TestSupport.encrypt([1, 2, 3], to: [Self.identity.recipient])
        let writer = AgeDecryptingWriter(identities: [Self.identity]) { _ in throw Boom() }
        try writer.write(ciphertext)
        #expect(throws: Boom.self) { try writer.finish() }
        #expect(throws: Boom.self) { try writer.finish() }
    }

    @Test("256 MiB stream through encryptor and decryptor, hashed on both sides")
    func largeStream() throws {
        let total: Int64 = 256 << 20
        let random = AgeRandom.deterministic(seed: [UInt8](repeating: 3, count: 32))
        var produced: Int64 = 0
        var sourceHash = SHA256()
        let reader = try AgeEncryptingReader(recipients: [Self.identity.recipient], plaintextSize: total) { buffer in
            let n = Int(min(Int64(buffer.count), total - produced))
            guard n > 0 else { return 0 }
            let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
            random.fill(slice)
            sourceHash.update(UnsafeRawBufferPointer(slice))
            produced += Int64(n)
            return n
        }
        var outputHash = SHA256()
        var ciphertextBytes: Int64 = 0
        let writer = AgeDecryptingWriter(identities: [Self.identity]) { outputHash.update($0) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            ciphertextBytes += Int64(n)
            try buffer[0..<n].withUnsafeBytes { try writer.write($0) }
        }
        try writer.finish()
        #expect(ciphertextBytes == reader.encryptedSize)
        #expect(writer.plaintextBytesReleased == total)
        #expect(sourceHash.finalize() == outputHash.finalize())
    }
}
