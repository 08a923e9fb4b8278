import FichierCrypto
@testable import FichierRPC
import Foundation
import Testing

@Suite("Encrypted names")
struct EncryptedNamesTests {
    static func cipher() throws -> NameCipher {
        try NameCipher(key: SecureBytes(randomCount: 32))
    }

    @Test func remoteNames() throws {
        let cipher = try Self.cipher()
        #expect(try EncryptedNames.remoteName(for: "report.pdf", encryptNames: false, cipher: nil) == "report.pdf.age")
        let encrypted = try EncryptedNames.remoteName(for: "report.pdf", encryptNames: true, cipher: cipher)
        #expect(encrypted == (try cipher.encrypt("report.pdf")))
        #expect(EncryptedNames.looksEncrypted(encrypted))
        #expect(throws: RPCError.self) { try EncryptedNames.remoteName(for: "x", encryptNames: true, cipher: nil) }
        let error = #expect(throws: RPCError.self) {
            try EncryptedNames.remoteName(for: String(repeating: "é", count: 64), encryptNames: true, cipher: cipher)
        }
        #expect(error?.code == -32602)
        #expect(error?.data.errors?.first?.path == "remote")
    }

    @Test func viewsOfRemoteNames() throws {
        let cipher = try Self.cipher()
        let names = EncryptedNames(active: true, cipher: cipher)
        let encrypted = try cipher.encrypt("Ünïcode notes.txt")
        #expect(names.view(of: encrypted) == .init(name: "Ünïcode notes.txt", encrypted: true, remoteName: encrypted))
        #expect(names.view(of: "photo.jpg.age") == .init(name: "photo.jpg", encrypted: true, remoteName: "photo.jpg.age"))
        #expect(names.view(of: ".age") == .init(name: ".age", encrypted: false))
        #expect(names.view(of: "plain.txt") == .init(name: "plain.txt", encrypted: false))

        // Another profile's name: listed, marked, never dropped.
        let foreign = try Self.cipher().encrypt("secret.txt")
        let other = names.view(of: foreign)
        #expect(other.name == foreign)
        #expect(other.encrypted)
        #expect(other.remoteName == foreign)
        #expect(other.decryptError?.contains("another key") == true)

        // Locked: the name is kept and the reason given.
        let locked = EncryptedNames(active: true, cipher: nil).view(of: encrypted)
        #expect(locked.name == encrypted)
        #expect(locked.decryptError?.contains("locked") == true)

        // Without a vault names are shown as stored.
        #expect(EncryptedNames.inactive.view(of: encrypted) == .init(name: encrypted, encrypted: false))
        #expect(EncryptedNames.inactive.view(of: "a.age") == .init(name: "a.age", encrypted: false))
    }

    @Test func lookupCandidates() throws {
        let cipher = try Self.cipher()
        let names = EncryptedNames(active: true, cipher: cipher)
        #expect(names.candidates(for: "report.pdf") == ["report.pdf", try cipher.encrypt("report.pdf"), "report.pdf.age"])
        #expect(EncryptedNames(active: true, cipher: nil).candidates(for: "a") == ["a", "a.age"])
        #expect(EncryptedNames.inactive.candidates(for: "a") == ["a"])
    }

    @Test func shapeOfEncryptedNames() throws {
        let cipher = try Self.cipher()
        for length in [1, 15, 16, 17, 100, 127] {
            #expect(EncryptedNames.looksEncrypted(try cipher.encrypt(String(repeating: "a", count: length))))
        }
        #expect(!EncryptedNames.looksEncrypted("report.pdf"))
        #expect(!EncryptedNames.looksEncrypted(String(repeating: "a", count: 51)))
        #expect(EncryptedNames.looksEncrypted(String(repeating: "a", count: 52)))
        #expect(!EncryptedNames.looksEncrypted(String(repeating: "A", count: 52)))
        #expect(!EncryptedNames.looksEncrypted(String(repeating: "a", count: 51) + "1"))
    }
}
