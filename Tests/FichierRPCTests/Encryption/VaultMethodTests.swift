import FichierAPI
import FichierCrypto
@testable import FichierRPC
import Foundation
import Testing

/// A vault in a fresh temporary directory (light Argon2id parameters for speed).
final class TestVault: @unchecked Sendable {
    static let passphrase = "pässwörd \"quoted\" ☃ 😀 canary-PASS-7f3a"
    let directory: URL
    let path: String

    init(create: Bool = true, apiKey: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fichier-vault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("vault").path
        if create {
            let vault = try Vault.create(at: path, passphrase: SecureBytes(Array(Self.passphrase.utf8)), kdf: .small)
            if let apiKey {
                try vault.update { contents in
                    try contents.updateProfile { $0.apiKey = SecureBytes(Array(apiKey.utf8)) }
                }
            }
        }
    }

    func open() throws -> Vault {
        try Vault.open(at: path, secret: .passphrase(SecureBytes(Array(Self.passphrase.utf8))))
    }

    /// Argon2id runs on a thread of its own, not on one of the few threads of the
    /// cooperative pool that parallel tests share.
    static func make(create: Bool = true, apiKey: String? = nil) async throws -> TestVault {
        try await offPool { try TestVault(create: create, apiKey: apiKey) }
    }

    func opened() async throws -> Vault {
        try await offPool { try self.open() }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The passphrase as a JSON string literal with escapes (`\"`, `\u00e4`, a surrogate pair).
    static var passphraseJSON: String {
        var text = "\""
        for scalar in passphrase.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "ä": text += "\\u00e4"
            case "😀": text += "\\ud83d\\ude00"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}

@Suite("Vault methods")
struct VaultMethodTests {
    struct KeyResult: Encodable, Sendable {
        var keyLength: Int
    }

    /// A server with the vault methods, and `test/needs-key` standing for a 1fichier method
    /// whose API key comes from the vault.
    static func server(_ vault: SessionVault, keySource: APIKeySource = .vault) throws -> PipeServer {
        var registry = MethodRegistry()
        VaultMethods.register(in: &registry, vault: vault, keySource: keySource)
        let credentials = VaultCredentials(vault: vault)
        registry.register("test/needs-key") { (_: NoParams, _: RequestContext) async throws -> KeyResult in
            do {
                let key = try await credentials.apiKey()
                return KeyResult(keyLength: key.withUnsafeBytes { $0.count })
            } catch let error as FichierError {
                throw error.rpcError
            }
        }
        registry.gate(["test/needs-key"], on: vault, keyFromVault: keySource == .vault)
        return try PipeServer(methods: registry)
    }

    @Test("Status, wrong passphrase, unlock with escapes, lock — never a secret on the wire")
    func unlockAndLock() async throws {
        let files = try await TestVault.make(apiKey: "canaryAPIKEY0123456789abcdefABCD")
        let vault = SessionVault(path: files.path)
        let server = try Self.server(vault)
        server.request(1, "vault/status")
        let locked = try await server.output.reply(1)
        #expect(locked.result?["exists"] as? Bool == true)
        #expect(locked.result?["locked"] as? Bool == true)
        #expect(locked.result?["profiles"] == nil)
        #expect((locked.result?["slots"] as? [[String: Any]])?.first?["kind"] as? String == "passphrase")

        server.request(2, "test/needs-key")
        #expect(try await server.output.reply(2).errorCode == 1600)

        server.request(3, "vault/unlock", #"{"passphrase":"wrong one"}"#)
        let wrong = try await server.output.reply(3)
        #expect(wrong.errorCode == 1601)
        #expect(wrong.errorKind == "vault_bad_secret")

        server.request(4, "vault/unlock", #"{"passphrase":\#(TestVault.passphraseJSON)}"#)
        let unlocked = try await server.output.reply(4)
        #expect(unlocked.result?["locked"] as? Bool == false, "\(unlocked)")
        #expect(unlocked.result?["profile"] as? String == "default")
        #expect(unlocked.result?["hasApiKey"] as? Bool == true)
        #expect((unlocked.result?["recipient"] as? String)?.hasPrefix("age1") == true)

        server.request(5, "test/needs-key")
        #expect(try await server.output.reply(5).result?["keyLength"] as? Int == 32)

        server.request(6, "vault/lock")
        #expect(try await server.output.reply(6).result?["locked"] as? Bool == true)
        server.request(7, "test/needs-key")
        #expect(try await server.output.reply(7).errorCode == 1600)

        server.closeInput()
        _ = try await server.exitStatus()
        let everything = server.output.all.joined(separator: "\n")
        #expect(!everything.contains("canary-PASS"))
        #expect(!everything.contains("canaryAPIKEY"))
        #expect(!everything.contains("AGE-SECRET-KEY"))
    }

    @Test("A vault/unlock holds back the requests that arrive after it")
    func pipelinedUnlock() async throws {
        let files = try await TestVault.make(apiKey: "K0123456789")
        let vault = SessionVault(path: files.path)
        let server = try Self.server(vault)
        server.request(1, "vault/unlock", #"{"passphrase":\#(TestVault.passphraseJSON)}"#)
        server.request(2, "test/needs-key")
        server.request(3, "vault/status")
        #expect(try await server.output.reply(2).result?["keyLength"] as? Int == 11)
        #expect(try await server.output.reply(3).result?["locked"] as? Bool == false)
        // A lock that arrives after an unlock wins, even while the unlock still derives its key.
        server.request(4, "vault/unlock", #"{"passphrase":\#(TestVault.passphraseJSON)}"#)
        server.request(5, "vault/lock")
        server.request(6, "test/needs-key")
        #expect(try await server.output.reply(4).result?["locked"] as? Bool == true)
        #expect(try await server.output.reply(6).errorCode == 1600)
        #expect(!vault.isUnlocked)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test("Corrupted vault, missing vault, key file, bad params")
    func failures() async throws {
        let files = try await TestVault.make()
        let keyFile = files.directory.appendingPathComponent("machine.key").path
        try await files.opened().addKeyFile(at: keyFile)
        let vault = SessionVault(path: files.path)
        let server = try Self.server(vault, keySource: .environment)

        server.request(1, "vault/unlock", #"{"keyFile":"\#(keyFile)"}"#)
        #expect(try await server.output.reply(1).result?["locked"] as? Bool == false)
        server.request(2, "test/needs-key")
        let noKey = try await server.output.reply(2)
        #expect(noKey.errorCode == 1100)  // the key source is not the vault: no gate
        #expect((noKey.error?["message"] as? String)?.contains("no API key") == true)

        for (id, params, field) in [(10, #"{}"#, ""), (11, #"{"passphrase":"a","keyFile":"b"}"#, ""),
                                    (12, #"{"passphrase":42}"#, "passphrase"), (13, #"{"passphrase":""}"#, "passphrase"),
                                    (14, #"{"passphrase":\#(TestVault.passphraseJSON),"profile":"nope"}"#, "profile")] {
            server.request(id, "vault/unlock", params)
            let response = try await server.output.reply(id)
            #expect(response.errorCode == -32602, "\(params): \(response)")
            let errors = response.errorData?["errors"] as? [[String: Any]]
            #expect(errors?.first?["path"] as? String == field)
        }
        server.request(15, "vault/unlock", #"{"keyFile":"\#(files.directory.path)/absent.key"}"#)
        #expect(try await server.output.reply(15).errorCode == 1601)

        // One flipped byte in the payload: corrupt, not a wrong passphrase.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: files.path)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: files.path))
        server.request(20, "vault/unlock", #"{"passphrase":\#(TestVault.passphraseJSON)}"#)
        let corrupt = try await server.output.reply(20)
        #expect(corrupt.errorCode == 1602)
        #expect(corrupt.errorKind == "vault_corrupt")
        // The failed unlock left the earlier unlock in place.
        #expect(vault.isUnlocked)
        server.closeInput()
        _ = try await server.exitStatus()

        let missing = SessionVault(path: files.directory.appendingPathComponent("none").path)
        let other = try Self.server(missing)
        other.request(1, "vault/unlock", #"{"passphrase":"x"}"#)
        #expect(try await other.output.reply(1).errorCode == 1604)
        other.request(2, "test/needs-key")
        #expect(try await other.output.reply(2).errorCode == 1604)
        other.request(3, "vault/status")
        #expect(try await other.output.reply(3).result?["exists"] as? Bool == false)
        other.closeInput()
        _ = try await other.exitStatus()
    }

    @Test("The vault locks itself after the idle time")
    func autoLock() async throws {
        let files = try await TestVault.make()
        let vault = SessionVault(path: files.path, autoLock: .milliseconds(300))
        try vault.adopt(try await files.opened())
        #expect(vault.isUnlocked)
        let deadline = ContinuousClock.now + .seconds(10)
        while vault.isUnlocked && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!vault.isUnlocked)
        #expect(throws: RPCError.self) { try vault.profile(for: "test") }
    }

    @Test("Secret params are read into secure memory and wiped from the line")
    func secretParams() throws {
        var line = Array(#"{"jsonrpc":"2.0","id":1,"method":"vault/unlock","params":{"n":5,"profile":"w\u00f6rk","passphrase":"a\"b\\c\u00e9\ud83d\ude00\n"}}"#.utf8)
        let start = try #require(line.indices.first { Array(line[$0...]).starts(with: Array(#"{"n""#.utf8)) })
        let range = start..<(line.count - 1)
        try line.withUnsafeMutableBufferPointer { buffer in
            let params = try SecretParams(line: UnsafeBufferPointer(buffer), range: range)
            #expect(try params.string("profile") == "wörk")
            let secret = try #require(try params.secret("passphrase"))
            #expect(secret.withUnsafeBytes { Array($0) } == Array("a\"b\\cé😀\n".utf8))
            #expect(try params.secret("absent") == nil)
            #expect(throws: RPCError.self) { _ = try params.secret("n") }
            #expect(throws: RPCError.self) { _ = try params.string("n") }
        }
        let text = String(decoding: line, as: UTF8.self)
        #expect(!text.contains("u00e9"))
        #expect(text.contains(#""passphrase":"          "#))
        #expect((try? JSONSerialization.jsonObject(with: Data(line))) != nil)

        var notObject = Array(#"[1]"#.utf8)
        let rejected = notObject.withUnsafeMutableBufferPointer { buffer in
            (try? SecretParams(line: UnsafeBufferPointer(buffer), range: 0..<3)) == nil
        }
        #expect(rejected)
    }

    @Test("Crypto and vault errors map to the table")
    func errorMapping() {
        let cases: [(RPCError, Int, Int32)] = [
            (VaultError.badSecret.rpcError, 1601, 12), (VaultError.badKeyFile("x").rpcError, 1601, 12),
            (VaultError.corrupt("x").rpcError, 1602, 11), (VaultError.unsupportedVersion(9).rpcError, 1602, 11),
            (VaultError.notFound(path: "/v").rpcError, 1604, 10), (VaultError.locked.rpcError, 1600, 10),
            (VaultError.outOfMemory(bytes: 1 << 28).rpcError, 1605, 13),
            (VaultError.kdfLimitExceeded("x").rpcError, 1606, 14), (VaultError.io("x").rpcError, 1400, 6),
            (AgeError.payload("x").rpcError, 1401, 6), (AgeError.headerMAC("x").rpcError, 1401, 6),
            (AgeError.header("x").rpcError, 1401, 6), (AgeError.noMatch("x").rpcError, 1603, 10),
            (AgeError.resources("x").rpcError, 1605, 13), (AgeError.invalidKey("x").rpcError, 1306, 2),
            (NameCipherError.notEncryptedName.rpcError, 1401, 6),
        ]
        for (error, code, exit) in cases {
            #expect(error.code == code, "\(error)")
            #expect(exitStatus(for: error) == exit, "\(error)")
        }
    }
}

/// Runs blocking work on a new thread.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }.start()
    }
}

extension LineCollector {
    /// The terminal response to `id`, with a timeout generous enough for a loaded machine.
    func reply(_ id: AnyHashable) async throws -> Message {
        try await response(id, timeout: .seconds(120))
    }
}
