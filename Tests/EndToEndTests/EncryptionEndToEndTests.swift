import FichierAPI
import FichierEmulator
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A vault for the spawned binary: made with `fichier vault init` in a scratch directory.
struct VaultFixture {
    static let passphrase = "e2e-canary-PASSPHRASE-5d1c7e"
    let scratch: ScratchDirectory
    let passphraseFile: String

    var path: String { scratch.file("vault") }

    /// Environment for a child that finds this vault and unlocks it from the passphrase file.
    var unlocking: [String: String] {
        ["FICHIER_VAULT": path, "FICHIER_PASSPHRASE_FILE": passphraseFile]
    }

    /// Environment for a child that finds this vault but has no unlock source.
    var locked: [String: String] {
        ["FICHIER_VAULT": path]
    }

    init(scratch: ScratchDirectory, apiKey: String? = nil) async throws {
        self.scratch = scratch
        passphraseFile = try scratch.write("passphrase", Self.passphrase + "\n")
        chmod(passphraseFile, 0o600)
        let created = try await runFichier(["vault", "init", "--kdf", "small", "--passphrase-file", passphraseFile],
                                           environment: ["FICHIER_VAULT": scratch.file("vault")])
        guard created.status == 0 else { throw TestFailure("vault init: \(created)") }
        if let apiKey {
            let set = try await runFichier(["vault", "set-key", "--passphrase-file", passphraseFile],
                                           environment: ["FICHIER_VAULT": scratch.file("vault")], stdin: apiKey)
            guard set.status == 0 else { throw TestFailure("vault set-key: \(set)") }
        }
    }

    /// `fichier vault export-identity -o FILE`: the identity in age-keygen's format.
    func exportIdentity() async throws -> String {
        let file = scratch.file("identity.txt")
        let exported = try await runFichier(["vault", "export-identity", "-o", file, "--passphrase-file", passphraseFile],
                                            environment: locked)
        guard exported.status == 0 else { throw TestFailure("export-identity: \(exported)") }
        return file
    }
}

/// Runs blocking work (a long write, a child waited for) on a thread of its own, so parallel
/// tests keep the cooperative pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }.start()
    }
}

/// Runs a tool to the end (off the cooperative pool); returns its status.
func runTool(_ path: String, _ arguments: [String]) async throws -> Int32 {
    try await offPool { try runToolBlocking(path, arguments) }
}

private func runToolBlocking(_ path: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// Writes `size` bytes of a pattern in 1 MiB pieces (never held whole in memory).
func writePattern(_ path: String, size: Int64) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil) else { throw TestFailure("cannot create \(path)") }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    var piece = [UInt8](repeating: 0, count: 1 << 20)
    var written: Int64 = 0
    var block: UInt64 = 0
    while written < size {
        for index in stride(from: 0, to: piece.count, by: 8) {
            var value = (block &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(index)
            withUnsafeBytes(of: &value) { bytes in
                for offset in 0..<8 { piece[index + offset] = bytes[offset] }
            }
        }
        block += 1
        let count = Int(min(Int64(piece.count), size - written))
        try handle.write(contentsOf: piece[0..<count])
        written += Int64(count)
    }
    try handle.close()
}

/// The peak resident memory of a process (VmHWM), in bytes.
func peakResidentBytes(_ pid: Int32) -> Int64? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Int64(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
    return kilobytes * 1024
}

@Suite("Encryption end to end")
struct EncryptionEndToEndTests {
    @Test("serve --sandbox with a vault: encrypted upload, names, download; stock age decrypts what is stored")
    func serveWithVault() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let vault = try await VaultFixture(scratch: scratch)
        let plain = try scratch.write("letter.txt", "Dear diary, the weather is fine.\n")
        let serve = try ServeSession.sandbox(scratch.file("sandbox"), environment: vault.unlocking)
        let initialize = try await serve.result("initialize")
        let capabilities = try #require(initialize["capabilities"] as? [String: Any])
        #expect(capabilities["encryption"] as? Bool == true)
        #expect(capabilities["vault"] as? Bool == true)
        #expect(try await serve.result("vault/status")["locked"] as? Bool == false)

        let uploaded = try await serve.result("transfer/upload",
                                              #"{"local":\#(jsonString(plain)),"remote":"/diary/","encryptNames":true}"#)
        let stored = try #require(uploaded["remoteName"] as? String)
        #expect(!stored.contains("letter"))
        let listing = try await serve.result("fs/list", #"{"path":"/diary"}"#)
        #expect((listing["files"] as? [[String: Any]])?.first?["name"] as? String == "letter.txt")
        let raw = scratch.file("raw.age")
        _ = try await serve.result("transfer/download", #"{"remote":"/diary/letter.txt","local":\#(jsonString(raw)),"decrypt":"never"}"#)
        let back = scratch.file("back.txt")
        let decrypted = try await serve.result("transfer/download", #"{"remote":"/diary/letter.txt","local":\#(jsonString(back))}"#)
        #expect(decrypted["decrypted"] as? Bool == true)
        #expect(try String(contentsOfFile: back, encoding: .utf8) == "Dear diary, the weather is fine.\n")
        #expect(try await serve.finish() == 0)
        ServeSandboxTests.expectProtocolOnly(serve.output.raw)

        // What 1fichier stores is a plain age file: the stock tool opens it with the exported identity.
        let identity = try await vault.exportIdentity()
        let byAge = scratch.file("by-age.txt")
        #expect(try await runTool("/usr/bin/age", ["-d", "-i", identity, "-o", byAge, raw]) == 0)
        #expect(try String(contentsOfFile: byAge, encoding: .utf8) == "Dear diary, the weather is fine.\n")
    }

    @Test("One-shot verbs: --encrypt, --encrypt-names, --decrypt; exit statuses for a wrong passphrase, a corrupt or a locked vault")
    func verbs() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let vault = try await VaultFixture(scratch: scratch)
        let sandbox = scratch.file("sandbox")
        let local = try scratch.write("photo.raw", String(repeating: "pixels ", count: 20_000))
        func fichier(_ arguments: [String], _ environment: [String: String]) async throws -> CommandOutcome {
            try await runFichier(arguments + ["--sandbox", sandbox, "--json"], environment: environment)
        }
        let upload = try await fichier(["upload", local, "/p/", "--encrypt-names"], vault.unlocking)
        #expect(upload.status == 0, "\(upload)")
        #expect(try upload.json()["encrypted"] as? Bool == true)
        let plain = try await fichier(["upload", local, "/p/clear.raw", "--no-encrypt"], vault.unlocking)
        #expect(try plain.json()["encrypted"] == nil)
        let listing = try await fichier(["ls", "/p"], vault.unlocking)
        let names = (try listing.json()["files"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(Set(names ?? []) == ["photo.raw", "clear.raw"])
        let human = try await runFichier(["ls", "/p", "--sandbox", sandbox], environment: vault.unlocking)
        #expect(human.stdout.contains("photo.raw  [encrypted]"), "\(human)")
        let downloaded = try await fichier(["download", "/p/photo.raw", scratch.file("photo.out")], vault.unlocking)
        #expect(downloaded.status == 0, "\(downloaded)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.file("photo.out"))) == Data(contentsOf: URL(fileURLWithPath: local)))
        // Decrypting resumes from the last whole kept chunk of plaintext (2 × 64 KiB of 140,000).
        let original = try Data(contentsOf: URL(fileURLWithPath: local))
        try original.prefix(2 * 65536 + 500).write(to: URL(fileURLWithPath: scratch.file("photo.again") + ".partial"))
        let resumed = try await fichier(["download", "/p/photo.raw", scratch.file("photo.again"), "--resume", "--verify"],
                                        vault.unlocking)
        #expect(resumed.status == 0, "\(resumed)")
        #expect(try resumed.json()["resumedFrom"] as? Int == 2 * 65536)
        #expect(try resumed.json()["verified"] as? Bool == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.file("photo.again"))) == original)
        let never = try await fichier(["download", "/p/photo.raw", scratch.file("photo.age"), "--decrypt", "never"], vault.unlocking)
        #expect(never.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.file("photo.age"))).starts(with: Data("age-encryption.org/v1\n".utf8)))
        let always = try await fichier(["download", "/p/clear.raw", scratch.file("clear.out"), "--decrypt", "always"], vault.unlocking)
        #expect(always.status == 6, "\(always)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("clear.out")))

        // Locked (no unlock source, no terminal): the profile decides about encryption.
        let undecided = try await fichier(["upload", local, "/p/again.raw"], vault.locked)
        #expect(undecided.status == 10, "\(undecided)")
        // A wrong passphrase, then a damaged vault: distinct statuses.
        let wrongFile = try scratch.write("wrong", "not the passphrase\n")
        let wrong = try await fichier(["ls", "/p", "--passphrase-file", wrongFile], vault.locked)
        #expect(wrong.status == 12, "\(wrong)")
        let serveWrong = try await runFichier(["serve", "--sandbox", sandbox, "--passphrase-file", wrongFile],
                                              environment: vault.locked)
        #expect(serveWrong.status == 12)
        #expect(serveWrong.stdout.isEmpty)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: vault.path)))
        bytes[bytes.count / 2] ^= 0x04
        try Data(bytes).write(to: URL(fileURLWithPath: vault.path))
        let corrupt = try await fichier(["ls", "/p"], vault.unlocking)
        #expect(corrupt.status == 11, "\(corrupt)")
        #expect(corrupt.stderr.contains("corrupted"))
    }

    @Test("With the API key in the vault: locked is vault_locked (exit 10), unlocked works; serve answers vault_locked until vault/unlock")
    func apiKeyFromTheVault() async throws {
        let key = "vaultkey0123456789abcdefghijklmn"
        let emulator = Emulator(EmulatorConfiguration(apiKeys: [key]))
        try await emulator.start()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let vault = try await VaultFixture(scratch: scratch, apiKey: key)
        var unlocking = vault.unlocking
        unlocking["FICHIER_API_URL"] = emulator.apiURL
        unlocking["FICHIER_PACE_MS"] = "0"
        var locked = vault.locked
        locked["FICHIER_API_URL"] = emulator.apiURL
        locked["FICHIER_PACE_MS"] = "0"
        #expect(try await runFichier(["account", "--json"], environment: unlocking).status == 0)
        let refused = try await runFichier(["account"], environment: locked)
        #expect(refused.status == 10, "\(refused)")
        #expect(refused.stderr.contains("vault is locked"))

        let serve = try ServeSession(["--pace", "0"], environment: locked)
        let before = try await serve.call("fs/list", #"{"path":"/"}"#)
        #expect(before.errorCode == 1600)
        let unlock = try await serve.result("vault/unlock", #"{"passphrase":\#(jsonString(VaultFixture.passphrase))}"#)
        #expect(unlock["apiKeySource"] as? String == "vault")
        #expect(unlock["hasApiKey"] as? Bool == true)
        #expect(try await serve.call("fs/list", #"{"path":"/"}"#).result != nil)
        #expect(try await serve.result("vault/lock")["locked"] as? Bool == true)
        #expect(try await serve.call("account/info").errorCode == 1600)
        #expect(try await serve.finish() == 0)
        #expect(!serve.output.text.contains(key))
        #expect(!serve.child.errors.text.contains(key))
        await emulator.stop()
    }

    @Test("--sandbox with a vault whose profile has an API key: the sandbox accepts it and the key comes from the vault")
    func sandboxWithTheProfileKey() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let vault = try await VaultFixture(scratch: scratch, apiKey: "profilekey0123456789abcdefghijkl")
        let serve = try ServeSession.sandbox(scratch.file("sandbox"), environment: vault.unlocking)
        let status = try await serve.result("vault/status")
        #expect(status["apiKeySource"] as? String == "vault")
        #expect(status["hasApiKey"] as? Bool == true)
        #expect(try await serve.call("fs/mkdir", #"{"path":"/a"}"#).result != nil)
        #expect(try await serve.result("vault/lock")["locked"] as? Bool == true)
        #expect(try await serve.call("fs/list", #"{"path":"/a"}"#).errorCode == 1600)
        #expect(try await serve.call("vault/unlock", #"{"keyFile":"/nonexistent/key"}"#).errorCode == 1601)
        #expect(try await serve.result("vault/unlock", #"{"passphrase":\#(jsonString(VaultFixture.passphrase))}"#)["locked"] as? Bool == false)
        #expect(try await serve.call("fs/list", #"{"path":"/a"}"#).result != nil)
        #expect(try await serve.finish() == 0)
        // Without a key in the profile the sandbox uses its own generated key.
        let bare = try await VaultFixture(scratch: try ScratchDirectory())
        defer { bare.scratch.remove() }
        let other = try ServeSession.sandbox(bare.scratch.file("sandbox"), environment: bare.unlocking)
        #expect(try await other.result("vault/status")["apiKeySource"] as? String == "sandbox")
        #expect(try await other.call("fs/list", #"{"path":"/"}"#).result != nil)
        #expect(try await other.finish() == 0)
    }

    @Test("1 GiB + 1 encrypted round trip through serve --sandbox: streamed, byte-identical, bounded memory")
    func oneGiB() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let vault = try await VaultFixture(scratch: scratch)
        let size: Int64 = (1 << 30) + 1
        let local = scratch.file("big.bin")
        try await offPool { try writePattern(local, size: size) }
        let serve = try ServeSession.sandbox(scratch.file("sandbox"), environment: vault.unlocking)
        _ = try await serve.result("initialize", #"{"capabilities":{"events":{"progress":false}}}"#)

        func timed(_ method: String, _ params: String) async throws -> ([String: Any], Double) {
            let started = ContinuousClock.now
            let id = serve.request(method, params)
            let response = try await serve.output.response(id, timeout: .seconds(900))
            let elapsed = ContinuousClock.now - started
            let result = try #require(response.result, "\(response.line)")
            return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let (plainUpload, plainSeconds) = try await timed("transfer/upload",
                                                          #"{"local":\#(jsonString(local)),"remote":"/big/plain.bin","encrypt":false}"#)
        #expect(plainUpload["size"] as? Int64 == size)
        // Keep the disk use down: the plain copy is not needed any more.
        _ = try await serve.result("fs/delete", #"{"path":"/big/plain.bin"}"#)
        let (encrypted, encryptSeconds) = try await timed("transfer/upload",
                                                          #"{"local":\#(jsonString(local)),"remote":"/big/","encrypt":true}"#)
        let chunks = (size + 65_535) / 65_536
        #expect(encrypted["size"] as? Int64 == 184 + size + 16 * chunks)
        #expect(encrypted["plaintextSize"] as? Int64 == size)
        let back = scratch.file("back.bin")
        let (downloaded, decryptSeconds) = try await timed("transfer/download",
                                                           #"{"remote":"/big/big.bin","local":\#(jsonString(back))}"#)
        #expect(downloaded["size"] as? Int64 == size)
        #expect(downloaded["decrypted"] as? Bool == true)
        #expect(try await runTool("/usr/bin/cmp", [local, back]) == 0)
        let peak = peakResidentBytes(serve.child.process.processIdentifier)
        #expect(try await serve.finish() == 0)
        let megabytes = Double(size) / 1e6
        print("""
            1 GiB through fichier serve --sandbox: plain upload \(Int(megabytes / plainSeconds)) MB/s, \
            encrypted upload \(Int(megabytes / encryptSeconds)) MB/s, decrypting download \(Int(megabytes / decryptSeconds)) MB/s; \
            peak RSS of the server (emulator included) \((peak ?? 0) >> 20) MiB
            """)
        if let peak { #expect(peak < 400 << 20, "peak RSS \(peak >> 20) MiB") }
    }
}
