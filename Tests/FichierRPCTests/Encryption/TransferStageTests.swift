import FichierAPI
import FichierCrypto
@testable import FichierRPC
import Foundation
import Testing

@Suite("Encryption and decryption stages")
struct TransferStageTests {
    static let sizes = [0, 1, 65_535, 65_536, 65_537, 131_072, 200_003]

    @Test("Encrypted bodies have the exact formula length and decrypt to the plaintext", arguments: sizes)
    func encryptedBodyRoundTrip(size: Int) throws {
        let identity = X25519Identity.generate()
        let plain = TestPattern.bytes(size)
        let stage = try EncryptionStage(recipients: [identity.recipient])
        let body = try stage.wrap(PieceBody(plain, piece: 5_000))
        let expected = 184 + Int64(size) + 16 * Int64(max(1, (size + 65_535) / 65_536))
        #expect(body.length == expected)
        let ciphertext = try StageDriver.drain(body, bufferSize: 70_000)
        #expect(Int64(ciphertext.count) == body.length)
        #expect(ciphertext.starts(with: Array("age-encryption.org/v1\n-> X25519 ".utf8)))
        #expect(try StageDriver.decrypt(ciphertext, identity: identity) == plain)
        #expect(stage.report.plaintextSize == Int64(size))
    }

    @Test("Every reader (attempt) draws a new file key and nonce")
    func freshKeyPerAttempt() throws {
        let identity = X25519Identity.generate()
        let body = try EncryptionStage(recipients: [identity.recipient]).wrap(BytesUploadBody(TestPattern.bytes(1000)))
        let first = try StageDriver.drain(body)
        let second = try StageDriver.drain(body)
        #expect(first.count == second.count)
        #expect(first != second)
        // Same header length, different stanza and payload.
        #expect(first[184...] != second[184...])
        #expect(try StageDriver.decrypt(first, identity: identity) == StageDriver.decrypt(second, identity: identity))
    }

    @Test("Extra recipients can each decrypt")
    func extraRecipients() throws {
        let own = X25519Identity.generate()
        let recovery = X25519Identity.generate()
        let body = try EncryptionStage(recipients: [own.recipient, recovery.recipient]).wrap(BytesUploadBody(TestPattern.bytes(70_000)))
        #expect(body.length == 22 + 98 * 2 + 48 + 16 + 70_000 + 32)
        let ciphertext = try StageDriver.drain(body)
        #expect(Int64(ciphertext.count) == body.length)
        #expect(try StageDriver.decrypt(ciphertext, identity: recovery) == TestPattern.bytes(70_000))
    }

    @Test("A source that grows or shrinks during the upload is refused")
    func sourceMustKeepItsLength() throws {
        let identity = X25519Identity.generate()
        let stage = try EncryptionStage(recipients: [identity.recipient])
        let grown = try stage.wrap(PieceBody(TestPattern.bytes(100), announced: 90))
        #expect(throws: FichierError.self) { try StageDriver.drain(grown) }
        let shrunk = try stage.wrap(PieceBody(TestPattern.bytes(80), announced: 90))
        do {
            _ = try StageDriver.drain(shrunk)
            Issue.record("a shrunk source was accepted")
        } catch let error as FichierError {
            #expect(error.kind == .localIO)
            #expect(error.message.contains("shrank"))
        }
    }

    @Test("Without recipients there is nothing to encrypt to")
    func noRecipients() {
        #expect(throws: RPCError.self) { try EncryptionStage(recipients: []) }
    }

    // MARK: Decryption

    static func sealed(_ plain: [UInt8], to identity: X25519Identity) throws -> [UInt8] {
        try StageDriver.drain(EncryptionStage(recipients: [identity.recipient]).wrap(BytesUploadBody(plain)))
    }

    @Test("Decryption releases the plaintext, across retries", arguments: sizes)
    func decryptionRoundTrip(size: Int) throws {
        let identity = X25519Identity.generate()
        let plain = TestPattern.bytes(size, seed: 3)
        let ciphertext = try Self.sealed(plain, to: identity)
        let destination = MemorySink()
        let stage = DecryptionStage(mode: .always, identities: [identity])
        let sink = try stage.wrap(destination)
        // A first attempt that breaks off, then a full one: the second starts over.
        try sink.begin(status: 200, headers: HTTPHeaders())
        try ciphertext.prefix(300).withUnsafeBytes { try sink.write($0) }
        try StageDriver.feed(ciphertext, into: sink, piece: 1_000)
        #expect(destination.bytes == plain)
        #expect(destination.finished)
        #expect(stage.report.decrypted == true)
        #expect(stage.report.plaintextBytes == Int64(size))
        #expect(stage.report.failure == nil)
    }

    /// Damage done to a stored ciphertext, as a hostile host could.
    enum Damage: String, CaseIterable, Sendable {
        case flipHeaderMAC, flipNonce, flipFirstChunk, flipLastChunk, truncateAtBoundary, truncateMidChunk, dropLastChunk,
             swapChunks, appendGarbage, appendFinalChunkCopy, truncateHeader
    }

    static func damaged(_ ciphertext: [UInt8], _ damage: Damage) -> [UInt8] {
        var bytes = ciphertext
        let chunk = 65_552
        let payload = 184
        switch damage {
        case .flipHeaderMAC: bytes[160] ^= 0x01
        case .flipNonce: bytes[175] ^= 0x01
        case .flipFirstChunk: bytes[payload + 10] ^= 0x80
        case .flipLastChunk: bytes[bytes.count - 3] ^= 0x01
        case .truncateAtBoundary: bytes = Array(bytes[0..<(payload + chunk)])
        case .truncateMidChunk: bytes = Array(bytes[0..<(payload + chunk + 100)])
        case .dropLastChunk: bytes = Array(bytes[0..<(payload + 2 * chunk)])
        case .swapChunks:
            let first = Array(bytes[payload..<(payload + chunk)])
            let second = Array(bytes[(payload + chunk)..<(payload + 2 * chunk)])
            bytes.replaceSubrange(payload..<(payload + chunk), with: second)
            bytes.replaceSubrange((payload + chunk)..<(payload + 2 * chunk), with: first)
        case .appendGarbage: bytes += [1, 2, 3]
        case .appendFinalChunkCopy: bytes += bytes[(payload + 2 * chunk)...]
        case .truncateHeader: bytes = Array(bytes[0..<100])
        }
        return bytes
    }

    @Test("Tampered, truncated, reordered or extended ciphertext is an integrity failure", arguments: Damage.allCases)
    func tamperingIsDetected(damage: Damage) throws {
        let identity = X25519Identity.generate()
        let plain = TestPattern.bytes(2 * 65_536 + 500)
        let ciphertext = Self.damaged(try Self.sealed(plain, to: identity), damage)
        let destination = MemorySink()
        let stage = DecryptionStage(mode: .always, identities: [identity])
        let sink = try stage.wrap(destination)
        #expect(throws: FichierError.self) { try StageDriver.feed(ciphertext, into: sink, piece: 3_000) }
        let failure = try #require(stage.report.failure)
        #expect(failure.code == 1401, "\(damage): \(failure)")
        #expect(failure.data.kind == "integrity")
        #expect(!destination.finished)
        // Whatever reached the destination is an authenticated prefix of the plaintext.
        #expect(plain.starts(with: destination.bytes))
    }

    @Test("An altered recipient stanza reads as a file for another key")
    func alteredStanza() throws {
        let identity = X25519Identity.generate()
        var ciphertext = try Self.sealed(TestPattern.bytes(10), to: identity)
        // Another canonical base64 character inside the ephemeral share (not its last one).
        ciphertext[40] = ciphertext[40] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let stage = DecryptionStage(mode: .always, identities: [identity])
        #expect(throws: FichierError.self) { try StageDriver.feed(ciphertext, into: try stage.wrap(MemorySink())) }
        #expect(stage.report.failure?.code == 1603)
        #expect(stage.report.failure?.message.contains("altered") == true)
    }

    @Test("A file for another identity is key_missing")
    func wrongIdentity() throws {
        let ciphertext = try Self.sealed(TestPattern.bytes(10), to: X25519Identity.generate())
        let stage = DecryptionStage(mode: .always, identities: [X25519Identity.generate()])
        let destination = MemorySink()
        #expect(throws: FichierError.self) { try StageDriver.feed(ciphertext, into: try stage.wrap(destination)) }
        #expect(stage.report.failure?.code == 1603)
        #expect(destination.bytes.isEmpty)
    }

    @Test("Detect mode decrypts age data and passes anything else through")
    func detectMode() throws {
        let identity = X25519Identity.generate()
        let plain = TestPattern.bytes(70_000)
        for (input, expected, decrypted) in [(try Self.sealed(plain, to: identity), plain, true),
                                             (plain, plain, false),
                                             (Array("age".utf8), Array("age".utf8), false),
                                             ([], [], false)] {
            for piece in [1, 7, 5_000] {
                let stage = DecryptionStage(mode: .detect, identities: [identity])
                let destination = MemorySink()
                try StageDriver.feed(input, into: try stage.wrap(destination), piece: piece)
                #expect(destination.bytes == expected)
                #expect(stage.report.decrypted == decrypted)
            }
        }
    }

    @Test("Detect mode with the vault locked: plaintext passes, age data is vault_locked")
    func detectWhileLocked() throws {
        let plainStage = DecryptionStage(mode: .detect, identities: nil)
        let destination = MemorySink()
        try StageDriver.feed(Array("hello".utf8), into: try plainStage.wrap(destination))
        #expect(destination.bytes == Array("hello".utf8))

        let ciphertext = try Self.sealed(TestPattern.bytes(10), to: X25519Identity.generate())
        let lockedStage = DecryptionStage(mode: .detect, identities: nil)
        #expect(throws: FichierError.self) { try StageDriver.feed(ciphertext, into: try lockedStage.wrap(MemorySink())) }
        #expect(lockedStage.report.failure?.code == 1600)
    }

    @Test("Armored age data is recognised and decrypted")
    func armoredInput() throws {
        let identity = X25519Identity.generate()
        let plain = TestPattern.bytes(1_000)
        var armored: [UInt8] = []
        var offset = 0
        let source = try AgeEncryptingReader(recipients: [identity.recipient], armor: true) { buffer in
            let count = min(buffer.count, plain.count - offset)
            for index in 0..<count { buffer[index] = plain[offset + index] }
            offset += count
            return count
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            armored += buffer[0..<count]
        }
        let stage = DecryptionStage(mode: .detect, identities: [identity])
        let destination = MemorySink()
        try StageDriver.feed([0x0A, 0x0A] + armored, into: try stage.wrap(destination), piece: 10)
        #expect(destination.bytes == plain)
        #expect(stage.report.decrypted == true)
    }

    @Test("Decrypted output goes to a 0600 file")
    func privateFileSink() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fichier-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("out.partial").path
        let previous = umask(0)
        defer { umask(previous) }
        let sink = PrivateFileSink(path: path)
        try StageDriver.feed(TestPattern.bytes(10_000), into: sink)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(TestPattern.bytes(10_000)))
        // It does not follow a symlink planted at its path.
        let planted = directory.appendingPathComponent("planted.partial").path
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: directory.appendingPathComponent("victim").path)
        #expect(throws: FichierError.self) { try PrivateFileSink(path: planted).begin(status: 200, headers: HTTPHeaders()) }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("victim").path))
    }
}
