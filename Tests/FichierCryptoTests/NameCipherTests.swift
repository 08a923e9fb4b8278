import Foundation
import Testing
@testable import FichierCrypto

@Suite("Filename encryption")
struct NameCipherTests {
    let cipher = try! NameCipher(key: SecureBytes(TestSupport.pseudoRandomBytes(32, seed: 42)))

    @Test("Round trips, determinism, base32 alphabet and 16-byte length buckets")
    func roundTrip() throws {
        for name in ["a", "report.pdf", "été 2024 — photos", "日本語のファイル名.txt", String(repeating: "x", count: 127),
                     "with spaces and 'quotes' \"double\" $dollar `tick`"] {
            let encrypted = try cipher.encrypt(name)
            #expect(try cipher.decrypt(encrypted) == name.precomposedStringWithCanonicalMapping)
            #expect(try cipher.encrypt(name) == encrypted)
            #expect(encrypted.allSatisfy { ("a"..."z").contains($0) || ("2"..."7").contains($0) })
            let padded = (name.precomposedStringWithCanonicalMapping.utf8.count / 16 + 1) * 16
            #expect(encrypted.count == (((16 + padded) * 8) + 4) / 5)
            #expect(encrypted.count <= NameCipher.maximumEncodedLength)
        }
        #expect(try cipher.encrypt("a") != cipher.encrypt("b"))
        // NFC and NFD spellings of the same name encrypt identically.
        #expect(try cipher.encrypt("e\u{301}t\u{65}\u{301}") == cipher.encrypt("\u{e9}t\u{e9}"))
        #expect(NameCipher.maximumEncodedLength == 231)
    }

    @Test("Names encrypted under another key, altered or plain are rejected")
    func rejection() throws {
        let encrypted = try cipher.encrypt("secret-plans.txt")
        let other = try NameCipher(key: SecureBytes(TestSupport.pseudoRandomBytes(32, seed: 1000)))
        #expect(throws: NameCipherError.notEncryptedName) { _ = try other.decrypt(encrypted) }
        var chars = Array(encrypted)
        for index in chars.indices {
            let original = chars[index]
            chars[index] = original == "a" ? "b" : "a"
            #expect(throws: NameCipherError.self) { _ = try cipher.decrypt(String(chars)) }
            chars[index] = original
        }
        for plain in ["", "report.pdf", "ABCDEFGH", String(encrypted.dropLast()), encrypted + "a", encrypted.uppercased()] {
            #expect(throws: NameCipherError.notEncryptedName) { _ = try cipher.decrypt(plain) }
        }
    }

    @Test("Length limit and invalid names give clear errors")
    func limits() throws {
        #expect(throws: NameCipherError.nameTooLong(bytes: 128, maximum: 127)) { _ = try cipher.encrypt(String(repeating: "y", count: 128)) }
        #expect(throws: NameCipherError.nameTooLong(bytes: 129, maximum: 127)) { _ = try cipher.encrypt(String(repeating: "é", count: 64) + "z") }
        #expect(throws: NameCipherError.emptyName) { _ = try cipher.encrypt("") }
        #expect(throws: NameCipherError.invalidCharacter) { _ = try cipher.encrypt("a/b") }
        #expect(throws: NameCipherError.invalidKey) { _ = try NameCipher(key: SecureBytes([1, 2, 3])) }
        #expect("\(NameCipherError.nameTooLong(bytes: 128, maximum: 127))".contains("127"))
    }

    @Test("Golden value pins the construction")
    func golden() throws {
        let key = SecureBytes([UInt8](0..<32))
        let fixed = try NameCipher(key: key)
        let encrypted = try fixed.encrypt("hello.txt")
        let goldenFile = TestSupport.fixtures.appendingPathComponent("golden/name-hello.txt")
        if ProcessInfo.processInfo.environment["FICHIER_REGENERATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: goldenFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((encrypted + "\n").utf8).write(to: goldenFile)
        }
        let expected = try String(contentsOf: goldenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(encrypted == expected)
        #expect(try fixed.decrypt(expected) == "hello.txt")
    }
}
