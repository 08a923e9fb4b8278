import Foundation
import Testing
@testable import FichierCrypto

/// The Community Cryptography Test Vectors for age (Fixtures/age-cctv, see its SOURCE.md).
@Suite("age CCTV conformance")
struct CCTVTests {
    struct Vector: CustomTestStringConvertible {
        var name: String
        var expect: String
        var payloadHash: String?
        var identities: [String] = []
        var passphrases: [String] = []
        var armored = false
        var compressed = false
        var body: [UInt8]
        var testDescription: String { name }
    }

    static let directory = TestSupport.fixtures.appendingPathComponent("age-cctv")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0 != "SOURCE.md" }.sorted()
    }

    static func load(_ name: String) throws -> Vector {
        let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(name)))
        var vector = Vector(name: name, expect: "", body: [])
        var index = 0
        while true {
            guard let newline = bytes[index...].firstIndex(of: 0x0A) else { throw CCTVError.malformed(name) }
            let line = String(decoding: bytes[index..<newline], as: UTF8.self)
            index = newline + 1
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw CCTVError.malformed(name) }
            let key = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "expect": vector.expect = value
            case "payload": vector.payloadHash = value
            case "identity": vector.identities.append(value)
            case "passphrase": vector.passphrases.append(value)
            case "armored": vector.armored = value == "yes"
            case "compressed": vector.compressed = value == "zlib"
            default: break
            }
        }
        vector.body = Array(bytes[index...])
        if vector.compressed { vector.body = try inflate(vector.body) }
        return vector
    }

    /// zlib-decompresses with Python's zlib module (Foundation on Linux has no zlib API).
    static func inflate(_ data: [UInt8]) throws -> [UInt8] {
        guard let python = TestProcess.which("python3") else { throw CCTVError.missingTool("python3") }
        let result = try TestProcess.run(python, ["-c", "import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))"],
                                         stdin: data)
        guard result.status == 0 else { throw CCTVError.inflateFailed(result.stderrText) }
        return result.stdout
    }

    enum CCTVError: Error { case malformed(String), missingTool(String), inflateFailed(String) }

    @Test("The fixture folder holds the whole vector set")
    func inventory() {
        #expect(Self.names.count == 143)
        #expect(FileManager.default.fileExists(atPath: Self.directory.appendingPathComponent("SOURCE.md").path))
    }

    @Test("Each vector gives its expected outcome", arguments: CCTVTests.names)
    func vector(_ name: String) throws {
        let vector = try Self.load(name)
        var identities: [any AgeIdentity] = []
        for text in vector.identities {
            identities += try AgeKeys.identities(fileContents: SecureBytes(Array(text.utf8)))
        }
        for passphrase in vector.passphrases {
            identities.append(ScryptIdentity(passphrase: SecureBytes(Array(passphrase.utf8))))
        }
        // Feed in odd-sized pieces so chunk and line boundaries fall everywhere.
        for step in [vector.body.count + 1, 7] {
            let outcome = TestSupport.decrypt(vector.body, with: identities, input: vector.armored ? .armored : .binary, step: step)
            let releasedHash = SHA256.hex(of: outcome.plaintext)
            switch vector.expect {
            case "success":
                #expect(outcome.error == nil, "\(name): \(String(describing: outcome.error))")
                #expect(releasedHash == vector.payloadHash, "\(name)")
            case "payload failure":
                #expect((outcome.error as? AgeError)?.kind == "payload", "\(name): \(String(describing: outcome.error))")
                #expect(releasedHash == vector.payloadHash, "\(name): released plaintext differs")
            default:
                let kind = ["no match": "no_match", "HMAC failure": "header_mac", "header failure": "header",
                            "armor failure": "armor"][vector.expect]
                #expect(kind != nil, "\(name): unknown expectation \(vector.expect)")
                #expect((outcome.error as? AgeError)?.kind == kind, "\(name): \(String(describing: outcome.error))")
                #expect(outcome.plaintext.isEmpty, "\(name): plaintext released before a header-level failure")
            }
        }
    }
}
