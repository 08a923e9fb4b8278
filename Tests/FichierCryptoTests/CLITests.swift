import Foundation
import Testing
@testable import FichierCrypto
#if canImport(Glibc)
import Glibc
#endif

/// End-to-end tests of the built `fichier` binary's vault and encrypt/decrypt commands,
/// including interop with the stock `age` tool (Debian package `age`).
@Suite("fichier vault / encrypt / decrypt commands")
struct CLITests {
    static let passphrase = "a long vault passphrase"

    static func age() throws -> String {
        try #require(TestProcess.which("age"), "the age tool is required (Debian package age)")
    }

    /// A fresh HOME with a vault (small KDF) and a passphrase file.
    static func setUp() throws -> (FichierCLI, String) {
        let home = try TestSupport.temporaryDirectory("cli")
        let cli = FichierCLI(home: home)
        let passFile = try cli.write("pass", passphrase + "\n")
        let created = try cli.run(["vault", "init", "--kdf", "small", "--passphrase-file", passFile])
        #expect(created.status == 0, "\(created.stderrText)")
        return (cli, passFile)
    }

    @Test("Binary exists next to the tests")
    func binary() {
        #expect(FileManager.default.isExecutableFile(atPath: FichierCLI.binary), "build the package first: \(FichierCLI.binary)")
    }

    @Test("Interop: what age encrypts we decrypt, and what we encrypt age decrypts",
          arguments: [0, 1, 65535, 65536, 65537, 131072, 131073, 12_345, 333_333, 1_000_003])
    func ageInterop(size: Int) throws {
        let age = try Self.age()
        let home = try TestSupport.temporaryDirectory("interop")
        defer { TestSupport.cleanUp(home) }
        let cli = FichierCLI(home: home)
        let identity = X25519Identity.generate()
        let idFile = try cli.write("id.txt", identity.encoded().unsafeStringCopy()! + "\n")
        let plaintext = TestSupport.pseudoRandomBytes(size, seed: UInt64(size) &+ 17)
        let plainFile = home.appendingPathComponent("plain")
        try Data(plaintext).write(to: plainFile)

        for armor in [false, true] {
            // age → fichier
            let fromAge = home.appendingPathComponent("from-age\(armor)")
            let enc = try TestProcess.run(age, (armor ? ["-a"] : []) + ["-r", identity.recipient.encoded, "-o", fromAge.path, plainFile.path])
            #expect(enc.status == 0, "\(enc.stderrText)")
            let dec = try cli.run(["decrypt", "-i", idFile, fromAge.path])
            #expect(dec.status == 0, "\(dec.stderrText)")
            #expect(dec.stdout == plaintext)

            // fichier → age
            let ours = home.appendingPathComponent("ours\(armor)")
            let enc2 = try cli.run(["encrypt"] + (armor ? ["-a"] : []) + ["-r", identity.recipient.encoded, "-o", ours.path, plainFile.path])
            #expect(enc2.status == 0, "\(enc2.stderrText)")
            let ourBytes = try Data(contentsOf: ours)
            let binarySize = AgeFormat.encryptedSize(plaintextSize: Int64(size), recipients: [identity.recipient])
            #expect(Int64(ourBytes.count) == (armor ? AgeFormat.armoredSize(binarySize: binarySize) : binarySize))
            let dec2 = try TestProcess.run(age, ["-d", "-i", idFile, ours.path])
            #expect(dec2.status == 0, "\(dec2.stderrText)")
            #expect(dec2.stdout == plaintext)
        }
    }

    @Test("Interop with age's passphrase mode (scrypt) through a pseudo-terminal")
    func passphraseInterop() throws {
        let age = try Self.age()
        let home = try TestSupport.temporaryDirectory("scrypt")
        defer { TestSupport.cleanUp(home) }
        let cli = FichierCLI(home: home)
        let plainFile = try cli.write("plain", "passphrase-protected content\n")
        let byAge = home.appendingPathComponent("by-age.age").path
        let enc = try FichierCLI.runOnTerminal([age, "-p", "-o", byAge, plainFile], typed: "tr0ub4dor\ntr0ub4dor\n")
        #expect(enc.status == 0)
        let decrypted = home.appendingPathComponent("dec").path
        let dec = try cli.runWithTerminal(["decrypt", "-p", "-o", decrypted, byAge], typed: "tr0ub4dor\n")
        #expect(dec.status == 0, "\(dec.stdoutText)")
        #expect(try String(contentsOfFile: decrypted, encoding: .utf8) == "passphrase-protected content\n")
        let wrong = try cli.runWithTerminal(["decrypt", "-p", "-o", decrypted + "2", byAge], typed: "nope\n")
        #expect(wrong.status == 10)    // key_missing: no identity or passphrase opens the file
        #expect(!FileManager.default.fileExists(atPath: decrypted + "2"))

        let ours = home.appendingPathComponent("ours.age").path
        let enc2 = try cli.runWithTerminal(["encrypt", "-p", "-o", ours, plainFile], typed: "hunter22\nhunter22\n")
        #expect(enc2.status == 0, "\(enc2.stdoutText)")
        let dec2 = try FichierCLI.runOnTerminal([age, "-d", "-o", decrypted + "3", ours], typed: "hunter22\n")
        #expect(dec2.status == 0)
        #expect(try String(contentsOfFile: decrypted + "3", encoding: .utf8) == "passphrase-protected content\n")
    }

    @Test("decrypt -o: tampered, truncated or extended input leaves no output file and says why")
    func decryptToFileDiscipline() throws {
        let (cli, passFile) = try Self.setUp()
        defer { TestSupport.cleanUp(cli.home) }
        let plaintext = TestSupport.pseudoRandomBytes(200_000, seed: 9)
        let plainFile = cli.home.appendingPathComponent("plain")
        try Data(plaintext).write(to: plainFile)
        let encFile = cli.home.appendingPathComponent("file.age")
        #expect(try cli.run(["encrypt", "--passphrase-file", passFile, "-o", encFile.path, plainFile.path]).status == 0)
        let good = Array(try Data(contentsOf: encFile))
        let out = cli.home.appendingPathComponent("out").path
        let ok = try cli.run(["decrypt", "--passphrase-file", passFile, "-o", out, encFile.path])
        #expect(ok.status == 0)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: out))) == plaintext)
        try FileManager.default.removeItem(atPath: out)

        var flipped = good
        flipped[good.count - 100] ^= 0x40
        let variants: [(String, [UInt8])] = [
            ("tampered", flipped),
            ("truncated at a chunk boundary", Array(good.prefix(184 + 2 * 65552))),
            ("truncated mid-chunk", Array(good.prefix(good.count - 10))),
            ("appended", good + [0x00]),
        ]
        for (name, bytes) in variants {
            let bad = cli.home.appendingPathComponent("bad.age")
            try Data(bytes).write(to: bad)
            let result = try cli.run(["decrypt", "--passphrase-file", passFile, "-o", out, bad.path])
            #expect(result.status == 6, "\(name): \(result.stderrText)")    // integrity
            #expect(result.stderrText.contains("no output written"), "\(name)")
            #expect(result.stderrText.contains("payload integrity"), "\(name): \(result.stderrText)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(name)")
            #expect(!FileManager.default.fileExists(atPath: out + ".partial"), "\(name)")
        }
        // Without -o, only authenticated chunks reach stdout.
        let streamed = try cli.run(["decrypt", "--passphrase-file", passFile], stdin: Array(good.prefix(184 + 2 * 65552)))
        #expect(streamed.status == 6)
        #expect(streamed.stdout == Array(plaintext.prefix(2 * 65536)))
        // A file for somebody else is "no match".
        let other = try cli.run(["decrypt", "-i", try cli.write("other.txt", X25519Identity.generate().encoded().unsafeStringCopy()!),
                                 "-o", out, encFile.path])
        #expect(other.status == 10)
        #expect(other.stderrText.contains("no identity matched"))
    }

    @Test("-o onto a FIFO (or a device) writes through it instead of replacing it with a file")
    func outputToFIFO() throws {
        let home = try TestSupport.temporaryDirectory("fifo")
        defer { TestSupport.cleanUp(home) }
        let cli = FichierCLI(home: home)
        let identity = X25519Identity.generate()
        let fifo = home.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let captured = home.appendingPathComponent("captured").path
        let devNull = open("/dev/null", O_RDONLY)
        let sink = open(captured, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let cat = try Spawned("/bin/cat", [fifo], stdin: devNull, stdout: sink, stderr: sink, environment: [:])
        close(devNull); close(sink)
        let result = try cli.run(["encrypt", "-r", identity.recipient.encoded, "-o", fifo], stdin: Array("through a fifo\n".utf8))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(cat.wait().status == 0)
        var info = stat()
        #expect(stat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        #expect(!FileManager.default.fileExists(atPath: fifo + ".partial"))
        let decrypted = TestSupport.decrypt(Array(try Data(contentsOf: URL(fileURLWithPath: captured))), with: [identity])
        #expect(decrypted.plaintext == Array("through a fifo\n".utf8))
    }

    @Test("Vault commands: status, set-key, profiles, recipients, passwd, key file, export-identity, restore")
    func vaultCommands() throws {
        let age = try Self.age()
        let (cli, passFile) = try Self.setUp()
        defer { TestSupport.cleanUp(cli.home) }
        let unlock = ["--passphrase-file", passFile]

        let status = try cli.run(["vault", "status"])
        #expect(status.status == 0)
        #expect(status.stdoutText.contains("generation 1"))
        #expect(status.stdoutText.contains("Argon2id 2 passes, 64 MiB"))

        let key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
        #expect(try cli.run(["vault", "set-key"] + unlock, stdin: Array((key + "\n").utf8)).status == 0)
        let profiles = try cli.run(["vault", "profiles"] + unlock)
        #expect(profiles.stdoutText.contains("api key: set"))
        #expect(!profiles.stdoutText.contains(key))
        let json = try cli.run(["vault", "status", "--json", "--unlock"] + unlock)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any]
        #expect(object?["generation"] as? Int == 2)
        #expect(!json.stdoutText.contains(key))

        #expect(try cli.run(["vault", "profiles", "add", "work", "--api-url", "http://127.0.0.1:9/v1"] + unlock).status == 0)
        #expect(try cli.run(["vault", "profiles", "set", "work", "--encrypt-uploads", "on", "--default"] + unlock).status == 0)
        let listed = try cli.run(["vault", "profiles", "list"] + unlock).stdoutText
        #expect(listed.contains("work (default)"))
        #expect(listed.contains("encrypt uploads: on"))

        let extra = X25519Identity.generate()
        #expect(try cli.run(["vault", "recipients", "add", extra.recipient.encoded] + unlock).status == 0)
        #expect(try cli.run(["vault", "recipients", "add", "age1notarecipient"] + unlock).status != 0)
        #expect(try cli.run(["vault", "recipients"] + unlock).stdoutText.contains(extra.recipient.encoded))
        // Encrypting with the (now default) work profile reaches the extra recipient too.
        let sealed = try cli.run(["encrypt"] + unlock, stdin: Array("to both\n".utf8))
        #expect(sealed.status == 0)
        let extraID = try cli.write("extra.txt", extra.encoded().unsafeStringCopy()!)
        #expect(try TestProcess.run(age, ["-d", "-i", extraID], stdin: sealed.stdout).stdoutText == "to both\n")

        // export-identity lets stock age decrypt the profile's files.
        let exported = try cli.run(["vault", "export-identity", "--profile", "work"] + unlock)
        #expect(exported.stderrText.contains("warning"))
        let idFile = try cli.write("exported.txt", exported.stdoutText)
        #expect(try TestProcess.run(age, ["-d", "-i", idFile], stdin: sealed.stdout).stdoutText == "to both\n")
        let exportedFile = cli.home.appendingPathComponent("id-file").path
        #expect(try cli.run(["vault", "export-identity", "-o", exportedFile] + unlock).status == 0)
        #expect(VaultTests.mode(exportedFile) == 0o600)

        // Key file slot, then passwd; the key file keeps working.
        let keyFile = cli.home.appendingPathComponent("machine.key").path
        #expect(try cli.run(["vault", "add-keyfile", keyFile] + unlock).status == 0)
        #expect(VaultTests.mode(keyFile) == 0o600)
        #expect(try cli.run(["vault", "profiles"], environment: ["FICHIER_KEYFILE": keyFile]).status == 0)
        let newPass = try cli.write("newpass", "another passphrase\n")
        let passwd = try cli.run(["vault", "passwd", "--kdf", "small", "--new-passphrase-file", newPass] + unlock)
        #expect(passwd.status == 0, "\(passwd.stderrText)")
        #expect(passwd.stderrText.contains(".bak"))
        #expect(try cli.run(["vault", "profiles"] + unlock).status == 12)
        #expect(try cli.run(["vault", "profiles", "--passphrase-file", newPass]).status == 0)
        #expect(try cli.run(["vault", "profiles", "--key-file", keyFile]).status == 0)

        // Restore: a missing vault opens from the backup with a warning; restore puts it back.
        try FileManager.default.removeItem(atPath: cli.vaultPath)
        let fromBackup = try cli.run(["vault", "profiles", "--key-file", keyFile])
        #expect(fromBackup.status == 0)
        #expect(fromBackup.stderrText.contains("vault restore"))
        #expect(try cli.run(["vault", "restore"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.vaultPath))
        #expect(try cli.run(["vault", "restore"]).status != 0)    // intact: needs --force

        // Corruption, wrong passphrase and missing vault have distinct exit codes.
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: cli.vaultPath)))
        bytes[bytes.count / 2] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: cli.vaultPath))
        let corrupt = try cli.run(["vault", "profiles", "--passphrase-file", newPass])
        #expect(corrupt.status == 11)
        #expect(corrupt.stderrText.contains("corrupted"))
        #expect(try cli.run(["vault", "status", "--vault", cli.home.appendingPathComponent("nothing").path]).status == 10)
    }

    @Test("Unlock sources: fd, file, key file, environment, terminal; precedence and env scrubbing")
    func unlockSources() throws {
        let (cli, passFile) = try Self.setUp()
        defer { TestSupport.cleanUp(cli.home) }
        let wrongFile = try cli.write("wrong", "wrong\n")
        // --passphrase-fd 0 reads stdin.
        #expect(try cli.run(["vault", "profiles", "--passphrase-fd", "0"], stdin: Array("\(Self.passphrase)\n".utf8)).status == 0)
        // Flags beat the environment; the environment variables work on their own.
        #expect(try cli.run(["vault", "profiles", "--passphrase-file", passFile], environment: ["FICHIER_PASSPHRASE_FILE": wrongFile]).status == 0)
        #expect(try cli.run(["vault", "profiles"], environment: ["FICHIER_PASSPHRASE_FILE": passFile]).status == 0)
        #expect(try cli.run(["vault", "profiles"], environment: ["FICHIER_PASSPHRASE_FILE": passFile, "FICHIER_PASSPHRASE": "wrong"]).status == 0)
        #expect(try cli.run(["vault", "profiles"], environment: ["FICHIER_PASSPHRASE": Self.passphrase]).status == 0)
        #expect(try cli.run(["vault", "profiles"], environment: ["FICHIER_PASSPHRASE": "wrong"]).status == 12)
        // The terminal prompt (echo off) is the last resort.
        let prompted = try cli.runWithTerminal(["vault", "profiles"], typed: "\(Self.passphrase)\n")
        #expect(prompted.status == 0, "\(prompted.stdoutText)")
        #expect(prompted.stdoutText.contains("Vault passphrase:"))
        #expect(!prompted.stdoutText.contains(Self.passphrase), "the passphrase was echoed")
        // No terminal and no source: a clear error, not a hang.
        let setsid = try #require(TestProcess.which("setsid"))
        let none = try TestProcess.run(setsid, ["-w", FichierCLI.binary, "vault", "profiles"], environment: cli.environment)
        #expect(none.status != 0)
        #expect(none.stderrText.contains("no terminal"))
    }

    @Test("Out-of-memory in Argon2id (MODERATE, 256 MiB, under a low RLIMIT_AS) is its own error")
    func outOfMemoryChild() throws {
        let home = try TestSupport.temporaryDirectory("oom")
        defer { TestSupport.cleanUp(home) }
        let cli = FichierCLI(home: home)
        let passFile = try cli.write("pass", "moderate passphrase\n")
        // The real MODERATE profile, once.
        let created = try cli.run(["vault", "init", "--passphrase-file", passFile])
        #expect(created.status == 0, "\(created.stderrText)")
        #expect(try cli.run(["vault", "status"]).stdoutText.contains("Argon2id 3 passes, 256 MiB"))
        #expect(try cli.run(["vault", "profiles", "--passphrase-file", passFile]).status == 0)
        let limited = try TestProcess.run("/bin/bash", ["-c", "ulimit -v 220000; exec \"$0\" vault profiles --passphrase-file \"$1\"",
                                                        FichierCLI.binary, passFile], environment: cli.environment)
        #expect(limited.status == 13, "\(limited.stderrText)")
        #expect(limited.stderrText.contains("could not allocate 256 MiB"))
        #expect(!limited.stderrText.contains("wrong passphrase or key"))
    }

    @Test("umask 000 still gives a 0700 directory and 0600 files")
    func umask() throws {
        let home = try TestSupport.temporaryDirectory("umask")
        defer { TestSupport.cleanUp(home) }
        let cli = FichierCLI(home: home)
        let passFile = try cli.write("pass", "p\n")
        let result = try TestProcess.run("/bin/bash", ["-c", "umask 000; \"$0\" vault init --kdf small --passphrase-file \"$1\" && \"$0\" vault add-keyfile \"$2\" --passphrase-file \"$1\" && echo key | \"$0\" vault set-key --passphrase-file \"$1\"",
                                                       FichierCLI.binary, passFile, home.appendingPathComponent("k").path],
                                         environment: cli.environment)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(VaultTests.mode(cli.vaultPath) == 0o600)
        #expect(VaultTests.mode(cli.vaultPath + ".bak") == 0o600)
        #expect(VaultTests.mode(cli.vaultPath + ".lock") == 0o600)
        #expect(VaultTests.mode(home.appendingPathComponent("k").path) == 0o600)
        #expect(VaultTests.mode(home.appendingPathComponent("config/fichier").path) == 0o700)
    }

    @Test("Two processes writing at once serialise: every update survives")
    func concurrentProcesses() async throws {
        let (cli, passFile) = try Self.setUp()
        defer { TestSupport.cleanUp(cli.home) }
        let keyFile = cli.home.appendingPathComponent("k").path
        #expect(try cli.run(["vault", "add-keyfile", keyFile, "--passphrase-file", passFile]).status == 0)
        let recipients = (0..<8).map { _ in X25519Identity.generate().recipient.encoded }
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for half in [Array(recipients[0..<4]), Array(recipients[4...])] {
                group.addTask {
                    var worst: Int32 = 0
                    for recipient in half {
                        let result = try cli.run(["vault", "recipients", "add", recipient, "--key-file", keyFile],
                                                 environment: ["FICHIER_TEST_VAULT_SAVE_PAUSE_MS": "20"])
                        worst = max(worst, result.status)
                    }
                    return worst
                }
            }
            for try await status in group { #expect(status == 0) }
        }
        let listed = try cli.run(["vault", "recipients", "--key-file", keyFile]).stdoutText
        for recipient in recipients { #expect(listed.contains(recipient)) }
    }

    @Test("A writer killed with SIGKILL mid-save leaves a vault that opens")
    func killDuringSave() throws {
        let (cli, passFile) = try Self.setUp()
        defer { TestSupport.cleanUp(cli.home) }
        let keyFile = cli.home.appendingPathComponent("k").path
        #expect(try cli.run(["vault", "add-keyfile", keyFile, "--passphrase-file", passFile]).status == 0)
        let key = try VaultKeyFile.read(path: keyFile)
        var env = cli.environment
        env["FICHIER_TEST_VAULT_SAVE_PAUSE_MS"] = "15"
        let devNull = open("/dev/null", O_RDWR)
        defer { close(devNull) }
        var killedMidway = 0
        for round in 0..<30 {
            let recipient = X25519Identity.generate().recipient.encoded
            let child = try Spawned(FichierCLI.binary, ["vault", "recipients", "add", recipient, "--key-file", keyFile],
                                    stdin: devNull, stdout: devNull, stderr: devNull, environment: env)
            // Key-file unlock is instant; the save takes ~5 pauses of 15 ms. Spread the kills over it.
            usleep(useconds_t(20_000 + (round * 7919) % 90_000))
            kill(child.pid, SIGKILL)
            let (status, _) = child.wait()
            if status == 128 + SIGKILL { killedMidway += 1 }
            let vault = try Vault.open(at: cli.vaultPath, secret: .keyFile(key))
            #expect(!vault.openedFromBackup)
        }
        #expect(killedMidway > 10, "only \(killedMidway) runs were killed before finishing")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: cli.vaultPath).deletingLastPathComponent().path)
        // Temp files of killed writers are removed by the next writer, under the lock.
        #expect(try cli.run(["vault", "recipients", "add", X25519Identity.generate().recipient.encoded, "--key-file", keyFile]).status == 0)
        let after = try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: cli.vaultPath).deletingLastPathComponent().path)
        #expect(after.filter { $0.contains(".tmp-") }.isEmpty, "before: \(leftovers), after: \(after)")
    }

    @Test("Leak test: a canary API key and passphrase never appear on stdout, stderr or in any file")
    func leaks() throws {
        let canaryPass = "CANARY-PASSPHRASE-5e1d9b"
        let canaryKey = "CANARYapiKEY0123456789abcdefXYZW"
        let canaryNewPass = "CANARY-NEWPASS-7c2a44"
        let home = try TestSupport.temporaryDirectory("leak")
        defer { TestSupport.cleanUp(home) }
        let cli = FichierCLI(home: home)
        let inputs = home.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let passFile = inputs.appendingPathComponent("pass").path
        let newPassFile = inputs.appendingPathComponent("newpass").path
        let wrongFile = inputs.appendingPathComponent("wrong").path
        try Data((canaryPass + "\n").utf8).write(to: URL(fileURLWithPath: passFile))
        try Data((canaryNewPass + "\n").utf8).write(to: URL(fileURLWithPath: newPassFile))
        try Data("CANARY-WRONG-PASS\n".utf8).write(to: URL(fileURLWithPath: wrongFile))
        let plain = inputs.appendingPathComponent("plain").path
        try Data("some file\n".utf8).write(to: URL(fileURLWithPath: plain))
        let outDir = home.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        let keyFile = outDir + "/machine.key"
        let recipient = X25519Identity.generate().recipient.encoded
        let pf = ["--passphrase-file", passFile]

        var results: [(String, TestProcess.Result)] = []
        func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) throws {
            #expect(!args.contains { $0.contains("CANARY") }, "a canary on the command line")
            results.append((args.joined(separator: " "), try cli.run(args, stdin: stdin.map { Array($0.utf8) }, environment: env)))
        }
        try run(["vault", "init", "--kdf", "small"] + pf)
        try run(["vault", "init", "--kdf", "small"] + pf)                       // error path: exists
        try run(["vault", "status"])
        try run(["vault", "status", "--unlock"] + pf)
        try run(["vault", "status", "--unlock", "--json"] + pf)
        try run(["vault", "set-key"] + pf, stdin: canaryKey + "\n")
        try run(["vault", "set-key"], stdin: canaryKey + "\n", env: ["FICHIER_PASSPHRASE": canaryPass])
        try run(["vault", "set-key", "--passphrase-fd", "0"], stdin: canaryPass + "\n")   // refused: stdin twice
        try run(["vault", "profiles"] + pf)
        try run(["vault", "profiles"], env: ["FICHIER_PASSPHRASE_FILE": wrongFile])     // wrong passphrase
        try run(["vault", "profiles", "add", "second"] + pf)
        try run(["vault", "profiles", "set", "second", "--encrypt-names", "on"] + pf)
        try run(["vault", "recipients", "add", recipient] + pf)
        try run(["vault", "recipients"] + pf)
        try run(["vault", "recipients", "remove", recipient] + pf)
        try run(["vault", "add-keyfile", keyFile] + pf)
        try run(["vault", "export-identity", "-o", outDir + "/id.txt"] + pf)
        try run(["vault", "passwd", "--kdf", "small", "--new-passphrase-file", newPassFile] + pf)
        try run(["vault", "profiles", "--passphrase-file", newPassFile])
        try run(["vault", "remove-slot", "0000000000000000", "--passphrase-file", newPassFile])
        try run(["encrypt", "-o", outDir + "/f.age", plain, "--passphrase-file", newPassFile])
        try run(["decrypt", "-o", outDir + "/f.txt", outDir + "/f.age", "--passphrase-file", newPassFile])
        try run(["decrypt", "-o", outDir + "/g.txt", plain, "--key-file", keyFile])     // not an age file
        try run(["encrypt", "-a", plain, "--key-file", keyFile])
        try run(["vault", "restore", "--force"])
        try run(["vault", "status", "--unlock"], env: ["FICHIER_PASSPHRASE": canaryPass])

        #expect(try cli.run(["vault", "profiles", "--passphrase-file", passFile]).status == 0)   // restored generation
        for (command, result) in results {
            for canary in [canaryPass, canaryKey, canaryNewPass, "CANARY-WRONG-PASS"] {
                #expect(!result.stdoutText.contains(canary), "\(command): stdout has \(canary)")
                #expect(!result.stderrText.contains(canary), "\(command): stderr has \(canary)")
            }
        }
        // Every file the commands wrote (vault, backup, lock, key file, outputs, any log).
        let enumerator = FileManager.default.enumerator(atPath: home.path)!
        while let relative = enumerator.nextObject() as? String {
            let path = home.appendingPathComponent(relative).path
            guard !relative.hasPrefix("inputs"), let data = FileManager.default.contents(atPath: path) else { continue }
            for canary in [canaryPass, canaryKey, canaryNewPass] {
                #expect(data.range(of: Data(canary.utf8)) == nil, "\(relative) contains \(canary)")
            }
        }
    }

    @Test("≥ 1 GiB through pipes both ways with age, in constant memory")
    func gigabyteThroughPipes() throws {
        let age = try Self.age()
        let home = try TestSupport.temporaryDirectory("gib")
        defer { TestSupport.cleanUp(home) }
        let cli = FichierCLI(home: home)
        let identity = X25519Identity.generate()
        let idFile = try cli.write("id.txt", identity.encoded().unsafeStringCopy()! + "\n")
        let blocks = 1024      // 1 GiB
        for direction in ["fichier-encrypt", "fichier-decrypt"] {
            let source = makePipe(), middle = makePipe(), sink = makePipe()
            let errFile = open(home.appendingPathComponent("err-\(direction)").path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            let ours: Spawned, theirs: Spawned
            if direction == "fichier-encrypt" {
                ours = try Spawned(FichierCLI.binary, ["encrypt", "-r", identity.recipient.encoded],
                                   stdin: source.read, stdout: middle.write, stderr: errFile, environment: cli.environment)
                theirs = try Spawned(age, ["-d", "-i", idFile], stdin: middle.read, stdout: sink.write, stderr: errFile, environment: cli.environment)
            } else {
                theirs = try Spawned(age, ["-r", identity.recipient.encoded], stdin: source.read, stdout: middle.write, stderr: errFile, environment: cli.environment)
                ours = try Spawned(FichierCLI.binary, ["decrypt", "-i", idFile],
                                   stdin: middle.read, stdout: sink.write, stderr: errFile, environment: cli.environment)
            }
            for fd in [source.read, middle.read, middle.write, sink.write, errFile] { close(fd) }
            ours.startSampling()
            let writer = Thread {
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: PatternStream.blockSize, alignment: 16)
                defer { buffer.deallocate(); close(source.write) }
                for index in 0..<blocks {
                    PatternStream.fill(block: index, into: buffer)
                    var offset = 0
                    while offset < buffer.count {
                        let n = Glibc.write(source.write, buffer.baseAddress! + offset, buffer.count - offset)
                        if n <= 0 { if errno == EINTR { continue }; return }
                        offset += n
                    }
                }
            }
            writer.start()
            // Read and compare against the regenerated pattern.
            let expected = UnsafeMutableRawBufferPointer.allocate(byteCount: PatternStream.blockSize, alignment: 16)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
            defer { expected.deallocate(); buffer.deallocate() }
            var total = 0, block = 0, offset = 0, mismatch = false
            PatternStream.fill(block: 0, into: expected)
            while true {
                let n = Glibc.read(sink.read, buffer.baseAddress!, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                var consumed = 0
                while consumed < n {
                    if block >= blocks { mismatch = true; break }
                    let take = min(n - consumed, PatternStream.blockSize - offset)
                    if memcmp(buffer.baseAddress! + consumed, expected.baseAddress! + offset, take) != 0 { mismatch = true }
                    consumed += take
                    offset += take
                    total += take
                    if offset == PatternStream.blockSize {
                        block += 1
                        offset = 0
                        if block < blocks { PatternStream.fill(block: block, into: expected) }
                    }
                }
            }
            close(sink.read)
            let (ourStatus, ourRSS) = ours.wait()
            let (theirStatus, _) = theirs.wait()
            let stderr = (try? String(contentsOfFile: home.appendingPathComponent("err-\(direction)").path, encoding: .utf8)) ?? ""
            #expect(ourStatus == 0 && theirStatus == 0, "\(direction): \(stderr)")
            #expect(total == blocks * PatternStream.blockSize, "\(direction)")
            #expect(!mismatch, "\(direction): output differs from the input")
            #expect(ourRSS > 0 && ourRSS < 48 << 20, "\(direction): fichier peak RSS \(ourRSS >> 20) MiB")
            print("\(direction): 1 GiB through pipes, fichier peak RSS \(ourRSS >> 20) MiB")
        }
    }
}
