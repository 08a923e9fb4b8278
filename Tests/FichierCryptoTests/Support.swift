import Foundation
@testable import FichierCrypto

/// Paths and helpers shared by the FichierCrypto tests.
enum TestSupport {
    /// Tests/FichierCryptoTests/Fixtures.
    static let fixtures: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// The package root.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func hex(_ text: String) -> [UInt8] {
        Hex.decode(text.filter { !$0.isWhitespace })!
    }

    /// A fresh temporary directory, removed by the caller with `cleanUp`.
    static func temporaryDirectory(_ label: String = "crypto") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("fichier-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func cleanUp(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// Deterministic pseudo-random bytes (xorshift) for test data.
    static func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var out = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            out[index] = UInt8(truncatingIfNeeded: state)
        }
        return out
    }

    /// Encrypts `plaintext` in one go, reading the source in pieces of `sourceStep` bytes and
    /// pulling output in pieces of `readStep` bytes.
    static func encrypt(_ plaintext: [UInt8], to recipients: [any AgeRecipient], armor: Bool = false,
                        random: AgeRandom = .system, sourceStep: Int = 1 << 20, readStep: Int = 1 << 16) throws -> [UInt8] {
        var offset = 0
        let reader = try AgeEncryptingReader(recipients: recipients, armor: armor, plaintextSize: Int64(plaintext.count),
                                             random: random) { buffer in
            let n = min(buffer.count, sourceStep, plaintext.count - offset)
            for index in 0..<n { buffer[index] = plaintext[offset + index] }
            offset += n
            return n
        }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: readStep)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    struct DecryptOutcome {
        var plaintext: [UInt8]
        var error: (any Error)?
    }

    /// Decrypts `ciphertext` fed in pieces of `step` bytes; returns what was released and the error.
    /// Decrypts `ciphertext` written in pieces of `step` bytes; `workers` as the writer's
    /// (nil: the machine's cores, as in production).
    static func decrypt(_ ciphertext: [UInt8], with identities: [any AgeIdentity],
                        input: AgeDecryptingWriter.InputFormat = .detect, step: Int = 1 << 16,
                        workers: Int? = nil) -> DecryptOutcome {
        var released = [UInt8]()
        let writer = AgeDecryptingWriter(identities: identities, input: input,
                                         workers: workers ?? AgePayloadCipher.onlineCores) { released += $0 }
        do {
            var offset = 0
            while offset < ciphertext.count {
                let end = min(offset + step, ciphertext.count)
                try ciphertext[offset..<end].withUnsafeBytes { try writer.write($0) }
                offset = end
            }
            try writer.finish()
            return DecryptOutcome(plaintext: released, error: nil)
        } catch {
            return DecryptOutcome(plaintext: released, error: error)
        }
    }
}
