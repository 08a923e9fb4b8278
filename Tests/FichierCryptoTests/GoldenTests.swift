import Foundation
import Testing
@testable import FichierCrypto

/// Age files produced with deterministic randomness and committed under Fixtures/golden:
/// any accidental change of the format or of the encryptor's byte layout breaks these.
/// Regenerate (after an intended change) with FICHIER_REGENERATE_GOLDEN=1.
@Suite("Golden age files")
struct GoldenTests {
    static let identityText = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
    static let cases: [(name: String, size: Int, armor: Bool)] = [
        ("empty.age", 0, false), ("one-byte.age", 1, false), ("chunk.age", 65536, false),
        ("chunk-plus-one.age", 65537, false), ("armored.age.asc", 1000, true),
    ]
    static let directory = TestSupport.fixtures.appendingPathComponent("golden")

    @Test("Deterministic encryption reproduces the committed files byte for byte", arguments: 0..<GoldenTests.cases.count)
    func reproduce(_ index: Int) throws {
        let (name, size, armor) = Self.cases[index]
        let identity = try X25519Identity(parsing: Self.identityText)
        let random = AgeRandom.deterministic(seed: [UInt8](repeating: UInt8(index + 1), count: 32))
        let plaintext = TestSupport.pseudoRandomBytes(size, seed: UInt64(size) + 77)
        let produced = try TestSupport.encrypt(plaintext, to: [identity.recipient], armor: armor, random: random)
        let url = Self.directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["FICHIER_REGENERATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try Data(produced).write(to: url)
        }
        let golden = Array(try Data(contentsOf: url))
        #expect(produced == golden)
        let outcome = TestSupport.decrypt(golden, with: [identity])
        #expect(outcome.error == nil)
        #expect(outcome.plaintext == plaintext)
    }

    @Test("The stock age tool decrypts every golden file")
    func stockAgeDecrypts() throws {
        guard let age = TestProcess.which("age") else {
            Issue.record("the age tool is not installed (Debian package age)")
            return
        }
        let dir = try TestSupport.temporaryDirectory("golden")
        defer { TestSupport.cleanUp(dir) }
        let identityFile = dir.appendingPathComponent("id.txt")
        try Data((Self.identityText + "\n").utf8).write(to: identityFile)
        for (index, entry) in Self.cases.enumerated() {
            let result = try TestProcess.run(age, ["-d", "-i", identityFile.path, Self.directory.appendingPathComponent(entry.name).path])
            #expect(result.status == 0, "\(entry.name): \(result.stderrText)")
            #expect(result.stdout == TestSupport.pseudoRandomBytes(entry.size, seed: UInt64(entry.size) + 77), "\(entry.name) (#\(index))")
        }
    }
}
