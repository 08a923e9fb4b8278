import FichierAPI
import FichierEmulator
import Foundation
import Testing

/// Runs `fichier serve` and every verb with a known API key (kept in the vault) and a known
/// passphrase, at the most verbose log level, and fails if either — or an age identity —
/// appears on stdout, on stderr, or in `event/log`.
@Suite("No secret on any output")
struct SecretLeakTests {
    static let apiKey = "LEAKcanaryAPIkey0123456789abcdef"

    static func leaks(_ text: String) -> [String] {
        var found: [String] = []
        if text.contains(apiKey) { found.append("the API key") }
        if text.contains(VaultFixture.passphrase) { found.append("the passphrase") }
        if text.contains("canary-PASSPHRASE") { found.append("part of the passphrase") }
        if text.contains("AGE-SECRET-KEY-") { found.append("an age identity") }
        if text.contains("wrong-CANARY-secret") { found.append("a wrong passphrase") }
        return found
    }

    @Test func everyVerbAndServe() async throws {
        let emulator = Emulator(EmulatorConfiguration(apiKeys: [Self.apiKey]))
        try await emulator.start()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let vault = try await VaultFixture(scratch: scratch, apiKey: Self.apiKey)
        let wrongFile = try scratch.write("wrong", "wrong-CANARY-secret\n")
        let local = try scratch.write("doc.txt", "leak test contents\n")
        let base = ["FICHIER_API_URL": emulator.apiURL, "FICHIER_PACE_MS": "0"]
        // Each source once: the passphrase file, the passphrase itself in the environment, a key file.
        let byFile = base.merging(vault.unlocking) { $1 }
        let byEnvironment = base.merging(["FICHIER_VAULT": vault.path, "FICHIER_PASSPHRASE": VaultFixture.passphrase]) { $1 }
        let keyFile = scratch.file("machine.key")
        let added = try await runFichier(["vault", "add-keyfile", keyFile, "--passphrase-file", vault.passphraseFile],
                                         environment: vault.locked)
        #expect(added.status == 0, "\(added)")
        let byKeyFile = base.merging(["FICHIER_VAULT": vault.path, "FICHIER_KEYFILE": keyFile]) { $1 }

        var outcomes: [(String, CommandOutcome)] = []
        func run(_ arguments: [String], _ environment: [String: String], stdin: String? = nil) async throws -> CommandOutcome {
            // The verbs log at trace level; the vault and crypt commands have no logger.
            let verbose = ["vault", "encrypt", "decrypt"].contains(arguments[0]) ? [] : ["--log-level", "trace"]
            let outcome = try await runFichier(arguments + verbose, environment: environment, stdin: stdin)
            outcomes.append((arguments.joined(separator: " "), outcome))
            return outcome
        }
        #expect(try await run(["account"], byFile).status == 0)
        #expect(try await run(["mkdir", "-p", "/leak/in"], byEnvironment).status == 0)
        #expect(try await run(["upload", local, "/leak/in/", "--encrypt", "--verify"], byKeyFile).status == 0)
        #expect(try await run(["upload", local, "/leak/in/named.txt", "--encrypt-names"], byFile).status == 0)
        #expect(try await run(["upload", local, "/leak/in/plain.txt", "--no-encrypt", "--json"], byFile).status == 0)
        #expect(try await run(["ls", "/leak/in"], byFile).status == 0)
        #expect(try await run(["ls", "/leak/in", "--json"], byEnvironment).status == 0)
        #expect(try await run(["stat", "/leak/in/named.txt", "--json"], byFile).status == 0)
        #expect(try await run(["cp", "/leak/in/plain.txt", "/leak", "--rename", "copy.txt"], byFile).status == 0)
        #expect(try await run(["mv", "/leak/copy.txt", "/leak/in"], byFile).status == 0)
        #expect(try await run(["rename", "/leak/in/copy.txt", "copy2.txt"], byFile).status == 0)
        let link = try await run(["link", "/leak/in/doc.txt", "--json"], byFile)
        #expect(link.status == 0)
        #expect(try await run(["download", "/leak/in/doc.txt", scratch.file("doc.out")], byFile).status == 0)
        #expect(try await run(["download", "/leak/in/named.txt", scratch.file("named.out"), "--json"], byKeyFile).status == 0)
        if let direct = try? link.json()["url"] as? String {
            #expect(try await run(["remote-upload", direct, "--to", "/leak/fetched"], byFile).status == 0)
        }
        #expect(try await run(["remote-status"], byFile).status == 0)
        #expect(try await run(["rm", "/leak/in/copy2.txt"], byFile).status == 0)
        // Failures must not echo secrets either.
        #expect(try await run(["ls", "/leak", "--passphrase-file", wrongFile], base.merging(vault.locked) { $1 }).status == 12)
        #expect(try await run(["ls", "/nowhere"], byFile).status == 3)
        #expect(try await run(["rmdir", "-r", "/leak"], byFile).status == 0)
        // The vault and crypt commands.
        #expect(try await run(["vault", "status", "--unlock", "--json"], byFile).status == 0)
        #expect(try await run(["vault", "profiles"], byEnvironment).status == 0)
        #expect(try await run(["vault", "recipients"], byKeyFile).status == 0)
        #expect(try await run(["encrypt", "-o", scratch.file("doc.age"), local], byFile).status == 0)
        #expect(try await run(["decrypt", "-o", scratch.file("doc.dec"), scratch.file("doc.age")], byFile).status == 0)

        // serve: trace logs on stderr, debug event/log on stdout, the passphrase sent in vault/unlock.
        let serve = try ServeSession(["--pace", "0", "--log-level", "trace"], environment: base.merging(vault.locked) { $1 })
        _ = try await serve.result("initialize", #"{"capabilities":{"events":{"log":"debug"}}}"#)
        #expect(try await serve.call("vault/unlock", #"{"passphrase":"wrong-CANARY-secret"}"#).errorCode == 1601)
        #expect(try await serve.result("vault/unlock", #"{"passphrase":\#(jsonString(VaultFixture.passphrase))}"#)["locked"] as? Bool == false)
        _ = try await serve.result("vault/status")
        _ = try await serve.result("account/info")
        _ = try await serve.result("transfer/upload", #"{"local":\#(jsonString(local)),"remote":"/s/","encrypt":true}"#)
        _ = try await serve.result("fs/list", #"{"path":"/s"}"#)
        _ = try await serve.result("transfer/download", #"{"remote":"/s/doc.txt","local":\#(jsonString(scratch.file("s.out")))}"#)
        _ = try await serve.result("link/get", #"{"path":"/s/doc.txt"}"#)
        _ = try await serve.result("vault/lock")
        #expect(try await serve.call("fs/list", #"{"path":"/s"}"#).errorCode == 1600)
        #expect(try await serve.finish() == 0)
        #expect(serve.output.all.contains { $0.contains("event/log") }, "no event/log was sent at debug level")
        #expect(!serve.child.errors.text.isEmpty, "trace logging wrote nothing to stderr")

        for (command, outcome) in outcomes {
            #expect(Self.leaks(outcome.stdout).isEmpty, "\(command) stdout: \(Self.leaks(outcome.stdout))")
            #expect(Self.leaks(outcome.stderr).isEmpty, "\(command) stderr: \(Self.leaks(outcome.stderr))")
        }
        // The server's stdout holds our own requests' answers only; nothing echoes them.
        #expect(Self.leaks(serve.output.text).isEmpty, "serve stdout: \(Self.leaks(serve.output.text))")
        #expect(Self.leaks(serve.child.errors.text).isEmpty, "serve stderr: \(Self.leaks(serve.child.errors.text))")
        await emulator.stop()
    }
}
