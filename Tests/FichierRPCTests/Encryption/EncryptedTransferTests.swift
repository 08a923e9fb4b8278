import FichierAPI
import FichierCrypto
import FichierEmulator
@testable import FichierRPC
import Foundation
import Testing

@Suite("Encrypted transfers through the emulator")
struct EncryptedTransferTests {
    static func expectedSize(_ plaintext: Int) -> Int {
        184 + plaintext + 16 * max(1, (plaintext + 65_535) / 65_536)
    }

    static func mode(_ path: String) -> Int? {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue
    }

    @Test("Encrypted round trips are byte-identical; the stored object is an age file stock age decrypts",
          arguments: [0, 1, 65_535, 65_536, 65_537])
    func roundTrip(size: Int) async throws {
        let sandbox = try await EncryptedSandbox.start()
        let plain = TestPattern.bytes(size, seed: UInt8(size % 251))
        let local = try sandbox.localFile("file-\(size).bin", plain)
        let uploaded = try await sandbox.result("transfer/upload",
                                                #"{"local":\#(json(local)),"remote":"/enc/","encrypt":true,"verify":true}"#)
        #expect(uploaded["encrypted"] as? Bool == true)
        #expect(uploaded["name"] as? String == "file-\(size).bin")
        #expect(uploaded["remoteName"] as? String == "file-\(size).bin.age")
        #expect(uploaded["path"] as? String == "/enc/file-\(size).bin")
        #expect(uploaded["size"] as? Int == Self.expectedSize(size))
        #expect(uploaded["plaintextSize"] as? Int == size)
        #expect(uploaded["verified"] as? Bool == true)   // the Whirlpool of the ciphertext sent

        let url = try #require(uploaded["url"] as? String)
        let stored = try sandbox.storedBytes(url)
        #expect(stored.count == Self.expectedSize(size))
        #expect(stored.starts(with: Array("age-encryption.org/v1\n".utf8)))
        #expect(sandbox.emulator.admin.file(url: url)?.name == "file-\(size).bin.age")
        let byAge = try EncryptedSandbox.age(["-d", "-i", try sandbox.exportedIdentity(), try sandbox.storedPath(url)])
        #expect(byAge.status == 0)
        #expect(byAge.output == plain)

        // By the user's path (the .age suffix is found) into a directory: the plain name.
        let into = sandbox.path("downloads")
        try FileManager.default.createDirectory(atPath: into, withIntermediateDirectories: true)
        let downloaded = try await sandbox.result("transfer/download",
                                                  #"{"remote":"/enc/file-\#(size).bin","local":\#(json(into + "/"))"#
                                                  + #","verify":true}"#)
        let output = try #require(downloaded["local"] as? String)
        #expect(output.hasSuffix("/file-\(size).bin"))
        #expect(downloaded["decrypted"] as? Bool == true)
        #expect(downloaded["verified"] as? Bool == true)
        #expect(downloaded["size"] as? Int == size)
        #expect(downloaded["remoteName"] as? String == "file-\(size).bin.age")
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: output))) == plain)
        #expect(Self.mode(output) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: output + ".partial"))
        try await sandbox.stop()
    }

    @Test("Data uploads, profile defaults, extra recipients, decrypt modes")
    func defaultsAndModes() async throws {
        let recovery = X25519Identity.generate()
        let sandbox = try await EncryptedSandbox.start { profile in
            profile.encryptUploads = true
            profile.extraRecipients = [recovery.recipient.encoded]
        }
        let buffer = Data("editor buffer".utf8).base64EncodedString()
        let byDefault = try await sandbox.result("transfer/upload", #"{"data":"\#(buffer)","remote":"/d/notes.md"}"#)
        #expect(byDefault["encrypted"] as? Bool == true)
        #expect(byDefault["remoteName"] as? String == "notes.md.age")
        let url = try #require(byDefault["url"] as? String)
        // The recovery recipient opens it too (without the vault).
        let stored = try sandbox.storedBytes(url)
        let twoRecipients: Int = 22 + 2 * 98 + 48 + 16 + 13 + 16
        #expect(stored.count == twoRecipients)
        #expect(try StageDriver.decrypt(stored, identity: recovery) == Array("editor buffer".utf8))

        let plain = try await sandbox.result("transfer/upload", #"{"data":"\#(buffer)","remote":"/d/plain.md","encrypt":false}"#)
        #expect(plain["encrypted"] == nil)
        #expect(plain["name"] as? String == "plain.md")

        // never: the stored bytes; auto on a plain file: the bytes, decrypted false.
        let raw = try await sandbox.result("transfer/download",
                                           #"{"remote":"/d/notes.md.age","local":\#(json(sandbox.path("raw.age"))),"decrypt":"never"}"#)
        #expect(raw["decrypted"] == nil)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: sandbox.path("raw.age")))) == stored)
        let auto = try await sandbox.result("transfer/download", #"{"remote":"/d/plain.md","local":\#(json(sandbox.path("p.md")))}"#)
        #expect(auto["decrypted"] as? Bool == false)
        #expect(try String(contentsOfFile: sandbox.path("p.md"), encoding: .utf8) == "editor buffer")
        // always on a plain file: integrity, no output.
        let always = try await sandbox.call("transfer/download",
                                            #"{"remote":"/d/plain.md","local":\#(json(sandbox.path("p2.md"))),"decrypt":"always"}"#)
        #expect(always.errorCode == 1401)
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("p2.md")))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("p2.md.partial")))
        let badMode = try await sandbox.call("transfer/download", #"{"remote":"/d/plain.md","local":"x","decrypt":"sometimes"}"#)
        #expect(badMode.errorCode == -32602)
        #expect((badMode.errorData?["errors"] as? [[String: Any]])?.first?["path"] as? String == "decrypt")
        let namesOnly = try await sandbox.call("transfer/upload", #"{"data":"eA==","remote":"/d/x","encrypt":false,"encryptNames":true}"#)
        #expect(namesOnly.errorCode == -32602)
        try await sandbox.stop()
    }

    @Test("resume with a vault: plain files resume under decrypt auto; age files as stored bytes or as plaintext")
    func resumeWithAVault() async throws {
        let sandbox = try await EncryptedSandbox.start { _ in }
        let text = String(repeating: "a line of the journal\n", count: 20_000)   // 440,000 bytes: 7 chunks
        let plaintext = Array(text.utf8)
        let encoded = Data(text.utf8).base64EncodedString()
        _ = try await sandbox.result("transfer/upload", #"{"data":"\#(encoded)","remote":"/j/plain.txt","encrypt":false}"#)
        let sealed = try await sandbox.result("transfer/upload", #"{"data":"\#(encoded)","remote":"/j/secret.txt","encrypt":true}"#)
        let stored = try sandbox.storedBytes(try #require(sealed["url"] as? String))
        func keep(_ bytes: some Sequence<UInt8>, for target: String) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: target + ".partial"))
        }
        func download(_ target: String, _ extra: String = "") async throws -> Message {
            try await sandbox.call("transfer/download",
                                   #"{"remote":"/j/secret.txt.age","local":\#(json(target)),"resume":true,"overwrite":true\#(extra)}"#)
        }

        // A plain file under decrypt auto: the kept bytes are the file's, so it resumes.
        let plainTarget = sandbox.path("plain.txt")
        try keep(plaintext.prefix(100_000), for: plainTarget)
        let plain = try await sandbox.result("transfer/download",
                                             #"{"remote":"/j/plain.txt","local":\#(json(plainTarget)),"resume":true}"#)
        #expect(plain["resumedFrom"] as? Int == 100_000)
        #expect(try String(contentsOfFile: plainTarget, encoding: .utf8) == text)

        // An age file whose .partial holds decrypted plaintext: it goes on from the last whole
        // kept chunk (3 × 64 KiB of 200,000), and verify covers every stored byte.
        let secretTarget = sandbox.path("secret.txt")
        try keep(plaintext.prefix(200_000), for: secretTarget)
        let resumed = try #require(try await download(secretTarget, #","verify":true"#).result)
        #expect(resumed["resumedFrom"] as? Int == 3 * 65536)
        #expect(resumed["size"] as? Int == plaintext.count)
        #expect(resumed["decrypted"] as? Bool == true)
        #expect(resumed["verified"] as? Bool == true)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: secretTarget))) == plaintext)
        #expect(try FileManager.default.attributesOfItem(atPath: secretTarget)[.posixPermissions] as? Int == 0o600)

        // The last kept chunk is fetched again and must be the same plaintext: a .partial of
        // something else is caught before anything is appended, and removed.
        var other = Array(plaintext.prefix(200_000))
        other[150_000] ^= 0x20
        try keep(other, for: secretTarget)
        let mismatch = try await download(secretTarget)
        #expect(mismatch.errorCode == 1401)
        #expect((mismatch.error?["message"] as? String)?.contains("not this file's") == true, "\(mismatch.error ?? [:])")
        #expect(!FileManager.default.fileExists(atPath: secretTarget + ".partial"))
        // An earlier chunk that differs is what verify catches (the kept chunks are resealed).
        other = Array(plaintext.prefix(200_000))
        other[10] ^= 0x20
        try keep(other, for: secretTarget)
        let caught = try await download(secretTarget, #","verify":true"#)
        #expect(caught.errorCode == 1401)
        #expect(FileManager.default.fileExists(atPath: secretTarget + ".partial"))

        // A file for another identity: key_missing, and the kept plaintext stays.
        let foreign = try TransferStageTests.sealed(plaintext, to: X25519Identity.generate())
        let folder = try #require(sandbox.emulator.admin.folderID(path: "/j"))
        _ = try sandbox.emulator.admin.addFile(named: "foreign.txt.age", in: folder, contents: foreign)
        let foreignTarget = sandbox.path("foreign.txt")
        try keep(plaintext.prefix(200_000), for: foreignTarget)
        let missing = try await sandbox.call("transfer/download",
                                             #"{"remote":"/j/foreign.txt.age","local":\#(json(foreignTarget)),"resume":true}"#)
        #expect(missing.errorData?["kind"] as? String == "key_missing", "\(missing.error ?? [:])")
        #expect(FileManager.default.fileExists(atPath: foreignTarget + ".partial"))

        // Stored bytes kept by a decrypt "never" download are not plaintext: decrypting starts
        // afresh (auto and always alike), and so does "never" with a .partial of plaintext.
        for mode in ["auto", "always"] {
            try keep(stored.prefix(70_000), for: secretTarget)
            let afresh = try #require(try await download(secretTarget, #","decrypt":"\#(mode)""#).result)
            #expect(afresh["resumedFrom"] as? Int == 0)
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: secretTarget))) == plaintext)
        }
        try keep(plaintext.prefix(70_000), for: secretTarget)
        let rawAfresh = try #require(try await download(secretTarget, #","decrypt":"never""#).result)
        #expect(rawAfresh["resumedFrom"] as? Int == 0)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: secretTarget))) == stored)

        // As stored bytes it resumes, and stock-age-compatible bytes come out whole.
        try keep(stored.prefix(70_000), for: secretTarget)
        let raw = try #require(try await download(secretTarget, #","decrypt":"never","verify":true"#).result)
        #expect(raw["resumedFrom"] as? Int == 70_000)
        #expect(raw["verified"] as? Bool == true)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: secretTarget))) == stored)
        try await sandbox.stop()
    }

    @Test("A decrypting download cut short keeps its authenticated plaintext with resume, and the next one completes it")
    func decryptingDownloadResumesAfterACut() async throws {
        let sandbox = try await EncryptedSandbox.start { _ in }
        let plaintext = TestPattern.bytes(6_000_000)
        let local = try sandbox.localFile("big.bin", plaintext)
        _ = try await sandbox.result("transfer/upload", #"{"local":\#(json(local)),"remote":"/c/","encrypt":true}"#)
        let target = sandbox.path("restored.bin")
        func download(resume: Bool) async throws -> Message {
            try await sandbox.call("transfer/download",
                                   #"{"remote":"/c/big.bin.age","local":\#(json(target)),"resume":\#(resume),"verify":true}"#)
        }

        // Without resume a cut download leaves nothing. (Plaintext is released a batch of 16
        // chunks at a time, so a cut keeps whole megabytes.)
        sandbox.emulator.faults.cutNextDownloads(1, after: 2_500_000)
        let lost = try await download(resume: false)
        #expect(lost.errorCode != nil && lost.result == nil)
        #expect(!FileManager.default.fileExists(atPath: target + ".partial"))

        // With resume the plaintext of the chunks that authenticated stays, mode 0600.
        sandbox.emulator.faults.cutNextDownloads(1, after: 2_500_000)
        let cut = try await download(resume: true)
        #expect(cut.errorData?["kind"] as? String == "network", "\(cut.error ?? [:])")
        let kept = try FileManager.default.attributesOfItem(atPath: target + ".partial")
        let keptSize = kept[.size] as? Int ?? 0
        #expect(keptSize > 0 && keptSize < 2_500_000 && keptSize % 65536 == 0, "\(keptSize)")
        #expect(kept[.posixPermissions] as? Int == 0o600)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: target + ".partial"))) == Array(plaintext.prefix(keptSize)))

        // Cut again further on: more is kept; then the rest completes and verifies.
        sandbox.emulator.faults.cutNextDownloads(1, after: 2_500_000)
        #expect(try await download(resume: true).errorData?["kind"] as? String == "network")
        let keptAgain = try FileManager.default.attributesOfItem(atPath: target + ".partial")[.size] as? Int ?? 0
        #expect(keptAgain > keptSize)
        let done = try #require(try await download(resume: true).result)
        #expect(done["resumedFrom"] as? Int == keptAgain)
        #expect(done["verified"] as? Bool == true && done["decrypted"] as? Bool == true)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: target))) == plaintext)
        #expect(!FileManager.default.fileExists(atPath: target + ".partial"))
        try await sandbox.stop()
    }

    @Test("Encrypted names: listed decrypted, resolved by the user's path, renamed in scheme; foreign names listed with decryptError")
    func encryptedNames() async throws {
        let sandbox = try await EncryptedSandbox.start()
        let admin = sandbox.emulator.admin
        let report = try sandbox.localFile("report.pdf", TestPattern.bytes(70_000))
        let uploaded = try await sandbox.result("transfer/upload",
                                                #"{"local":\#(json(report)),"remote":"/docs/","encryptNames":true}"#)
        let remoteName = try #require(uploaded["remoteName"] as? String)
        #expect(EncryptedNames.looksEncrypted(remoteName))
        #expect(uploaded["name"] as? String == "report.pdf")
        let folder = try #require(admin.folderID(path: "/docs"))
        #expect(admin.files(in: folder).map(\.name) == [remoteName])

        // Someone else's encrypted name, and an entry our key cannot read: listed, not dropped.
        let foreign = try NameCipher(key: SecureBytes(randomCount: 32)).encrypt("their secret.txt")
        try admin.addFile(named: foreign, in: folder, contents: Array("x".utf8))
        try admin.addFile(named: "readme.txt", in: folder, contents: Array("plain".utf8))

        let listing = try await sandbox.result("fs/list", #"{"path":"/docs"}"#)
        let files = try #require(listing["files"] as? [[String: Any]])
        #expect(files.count == 3)
        let mine = try #require(files.first { $0["remoteName"] as? String == remoteName })
        #expect(mine["name"] as? String == "report.pdf")
        #expect(mine["path"] as? String == "/docs/report.pdf")
        #expect(mine["encrypted"] as? Bool == true)
        #expect(mine["decryptError"] == nil)
        let theirs = try #require(files.first { $0["remoteName"] as? String == foreign })
        #expect(theirs["name"] as? String == foreign)
        #expect(theirs["encrypted"] as? Bool == true)
        #expect((theirs["decryptError"] as? String)?.isEmpty == false)
        let readme = try #require(files.first { $0["name"] as? String == "readme.txt" })
        #expect(readme["encrypted"] == nil)

        // Resolution by the user's path.
        let stat = try await sandbox.result("fs/stat", #"{"path":"/docs/report.pdf"}"#)
        #expect(stat["remoteName"] as? String == remoteName)
        #expect(stat["url"] as? String == uploaded["url"] as? String)
        let downloaded = try await sandbox.result("transfer/download",
                                                  #"{"remote":"/docs/report.pdf","local":\#(json(sandbox.path("back.pdf")))}"#)
        #expect(downloaded["name"] as? String == "report.pdf")
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: sandbox.path("back.pdf")))) == TestPattern.bytes(70_000))
        let link = try await sandbox.result("link/get", #"{"path":"/docs/report.pdf"}"#)
        #expect((link["url"] as? String)?.isEmpty == false)

        // A rename keeps the name encrypted; the new name resolves, the old one no more.
        let renamed = try await sandbox.result("fs/rename", #"{"path":"/docs/report.pdf","name":"final.pdf"}"#)
        #expect(renamed["name"] as? String == "final.pdf")
        let cipher = try sandbox.vault.profile(for: "test").nameCipher()
        let finalName = try cipher.encrypt("final.pdf")
        let namesAfterRename = admin.files(in: folder).map(\.name)
        #expect(namesAfterRename.contains(finalName))
        #expect(try await sandbox.call("fs/stat", #"{"path":"/docs/report.pdf"}"#).errorCode == 1300)
        try await sandbox.result("fs/mkdir", #"{"path":"/archive"}"#)
        let moved = try await sandbox.result("fs/move", #"{"path":"/docs/final.pdf","to":"/archive","rename":"old.pdf"}"#)
        #expect((moved["items"] as? [[String: Any]])?.first?["path"] as? String == "/archive/old.pdf")
        let archive = try #require(admin.folderID(path: "/archive"))
        let oldName = try cipher.encrypt("old.pdf")
        #expect(admin.files(in: archive).map(\.name) == [oldName])
        let deleted = try await sandbox.call("fs/delete", #"{"path":"/archive/old.pdf"}"#)
        #expect(deleted.result != nil, "\(deleted)")
        #expect(admin.files(in: archive).isEmpty)

        // Locked: names cannot be read (but are listed), lookups say why they fail.
        sandbox.vault.lock()
        let lockedListing = try await sandbox.result("fs/list", #"{"path":"/docs"}"#)
        let lockedFiles = try #require(lockedListing["files"] as? [[String: Any]])
        #expect(lockedFiles.count == 2)
        #expect(lockedFiles.contains { ($0["decryptError"] as? String)?.contains("locked") == true })
        let notFound = try await sandbox.call("fs/stat", #"{"path":"/docs/final.pdf"}"#)
        #expect(notFound.errorCode == 1300)
        #expect((notFound.error?["message"] as? String)?.contains("vault is locked") == true)
        try await sandbox.stop()
    }

    @Test("Tampered, truncated, reordered or extended stored ciphertext: integrity error, no output file",
          arguments: TransferStageTests.Damage.allCases)
    func storedCiphertextTampering(damage: TransferStageTests.Damage) async throws {
        let sandbox = try await EncryptedSandbox.start()
        let plain = TestPattern.bytes(2 * 65_536 + 500, seed: 11)
        let local = try sandbox.localFile("victim.bin", plain)
        let uploaded = try await sandbox.result("transfer/upload", #"{"local":\#(json(local)),"remote":"/t/","encrypt":true}"#)
        let url = try #require(uploaded["url"] as? String)
        let blob = try sandbox.storedPath(url)
        let original = try sandbox.storedBytes(url)
        try Data(TransferStageTests.damaged(original, damage)).write(to: URL(fileURLWithPath: blob))

        let output = sandbox.path("victim.out")
        let response = try await sandbox.call("transfer/download", #"{"remote":"/t/victim.bin","local":\#(json(output))}"#)
        #expect(response.errorCode == 1401, "\(damage): \(response)")
        #expect(response.errorKind == "integrity")
        #expect(!FileManager.default.fileExists(atPath: output), "\(damage)")
        #expect(!FileManager.default.fileExists(atPath: output + ".partial"), "\(damage)")
        // An existing file is never replaced by a failed download.
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: output))
        let again = try await sandbox.call("transfer/download",
                                           #"{"remote":"/t/victim.bin","local":\#(json(output)),"overwrite":true}"#)
        #expect(again.errorCode == 1401)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "keep me")
        try await sandbox.stop()
    }

    @Test("A file for another key is key_missing; a locked vault is vault_locked; no vault is vault_missing")
    func keysAndLocks() async throws {
        let sandbox = try await EncryptedSandbox.start()
        let admin = sandbox.emulator.admin
        let folder = try admin.ensureFolder(path: "/k")
        let other = X25519Identity.generate()
        try admin.addFile(named: "theirs.bin.age", in: folder, contents: TransferStageTests.sealed(TestPattern.bytes(100), to: other))
        let theirs = try await sandbox.call("transfer/download", #"{"remote":"/k/theirs.bin","local":\#(json(sandbox.path("t")))}"#)
        #expect(theirs.errorCode == 1603)
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("t")))

        try await sandbox.result("transfer/upload", #"{"data":"aGk=","remote":"/k/mine.txt","encrypt":true}"#)
        #expect(try await sandbox.call("vault/lock").result?["locked"] as? Bool == true)
        let encrypt = try await sandbox.call("transfer/upload", #"{"data":"aGk=","remote":"/k/a.txt","encrypt":true}"#)
        #expect(encrypt.errorCode == 1600)
        let undecided = try await sandbox.call("transfer/upload", #"{"data":"aGk=","remote":"/k/a.txt"}"#)
        #expect(undecided.errorCode == 1600)
        #expect((undecided.error?["message"] as? String)?.contains("encrypt: false") == true)
        #expect(try await sandbox.call("transfer/upload", #"{"data":"aGk=","remote":"/k/a.txt","encrypt":false}"#).result != nil)
        let locked = try await sandbox.call("transfer/download", #"{"remote":"/k/mine.txt","local":\#(json(sandbox.path("m")))}"#)
        #expect(locked.errorCode == 1600)
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("m")))
        // A plain file still downloads while locked.
        #expect(try await sandbox.call("transfer/download", #"{"remote":"/k/a.txt","local":\#(json(sandbox.path("a")))}"#).result != nil)
        // Unlock again through the protocol: the same file opens.
        #expect(try await sandbox.call("vault/unlock", #"{"passphrase":\#(TestVault.passphraseJSON)}"#).result != nil)
        #expect(try await sandbox.call("transfer/download", #"{"remote":"/k/mine.txt","local":\#(json(sandbox.path("m")))}"#).result != nil)
        #expect(try String(contentsOfFile: sandbox.path("m"), encoding: .utf8) == "hi")
        try await sandbox.stop()

        let plain = try await SandboxServer.start()
        let missing = try await plain.call("transfer/upload", #"{"data":"aGk=","remote":"/x.txt","encrypt":true}"#)
        #expect(missing.errorCode == 1604)
        try await plain.stop()
    }

    @Test("With the API key in the vault, the 1fichier methods answer vault_locked until it is unlocked")
    func keyFromVault() async throws {
        let sandbox = try await EncryptedSandbox.start(unlocked: false, keyFromVault: true)
        let locked = try await sandbox.call("fs/list", #"{"path":"/"}"#)
        #expect(locked.errorCode == 1600)
        #expect(locked.errorKind == "vault_locked")
        sandbox.server.request(1, "vault/unlock", #"{"passphrase":\#(TestVault.passphraseJSON)}"#)
        sandbox.server.request(2, "fs/list", #"{"path":"/"}"#)
        #expect(try await sandbox.server.output.reply(2).result != nil)
        #expect(try await sandbox.server.output.reply(1).result?["apiKeySource"] as? String == "vault")
        try await sandbox.stop()
    }
}
