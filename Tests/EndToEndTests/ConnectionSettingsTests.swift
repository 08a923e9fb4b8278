import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// How the built binary reaches 1fichier: one process per sandbox directory, the API key's
/// sources and their order (`--api-key-file`, `FICHIER_API_KEY_FILE`, `FICHIER_API_KEY`), and
/// the listing window (`--listing-window`, `FICHIER_LISTING_WINDOW_MS`).
@Suite("Connection settings")
struct ConnectionSettingsTests {
    /// Two processes on one sandbox directory used to overwrite each other's saved state.
    /// Now the second is refused (exit 2, the directory and the holder's pid in the message),
    /// and a holder killed with SIGKILL leaves no lock behind.
    @Test func aSandboxDirectoryServesOneProcessAtATime() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let sandbox = scratch.file("sandbox")
        let serve = try ServeSession.sandbox(sandbox)
        _ = try await serve.result("fs/mkdir", #"{"path":"/kept","parents":true}"#)
        let uploaded = try await serve.result("transfer/upload", #"{"data":"a2VwdAo=","remote":"/kept/first.txt"}"#)
        #expect(uploaded["path"] as? String == "/kept/first.txt")
        let holder = serve.child.process.processIdentifier

        let verb = try await runFichier(["upload", try scratch.write("second.txt", "second\n"), "/kept/", "--sandbox", sandbox])
        #expect(verb.status == 2, "\(verb)")
        #expect(verb.stderr.contains("the data directory \(sandbox) is in use"), "\(verb)")
        #expect(verb.stderr.contains("pid \(holder)"), "\(verb)")
        let second = try ServeSession.sandbox(sandbox)
        #expect(try await second.child.exitStatus() == 2)
        #expect(second.child.errors.text.contains("is in use"), "\(second.child.errors.text)")
        #expect(second.child.output.raw.isEmpty, "nothing on the protocol channel")

        // The first one still works; its state is saved moments after a change.
        #expect(try await serve.result("fs/stat", #"{"path":"/kept/first.txt"}"#)["size"] as? Int == 5)
        let state = sandbox + "/state.json"
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: state, encoding: .utf8), text.contains("first.txt") { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        kill(holder, SIGKILL)
        #expect(try await serve.child.exitStatus() == 128 + SIGKILL)

        let after = try await runFichier(["ls", "/kept", "--sandbox", sandbox, "--json"])
        #expect(after.status == 0, "\(after)")
        let names = (try after.json()["files"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["first.txt"])
    }

    @Test func theAPIKeyComesFromTheFirstConfiguredSource() async throws {
        let emulator = try await EmulatorProcess()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let good = try Self.keyFile(scratch, "good.key", emulator.key + "\n")
        let wrong = try Self.keyFile(scratch, "wrong.key", "wrongkey0123456789abcdefghijklmn\n")
        func ls(_ extra: [String] = [], _ environment: [String: String]) async throws -> CommandOutcome {
            try await runFichier(["ls", "/", "--api-url", emulator.apiURL, "--json"] + extra,
                                 environment: environment.merging(["FICHIER_PACE_MS": "0"]) { $1 })
        }
        // FICHIER_API_KEY_FILE alone, as cron and git-annex use it.
        let fromFile = try await ls([], ["FICHIER_API_KEY_FILE": good])
        #expect(fromFile.status == 0, "\(fromFile)")
        // The order: --api-key-file, then FICHIER_API_KEY_FILE, then FICHIER_API_KEY.
        #expect(try await ls([], ["FICHIER_API_KEY_FILE": good, "FICHIER_API_KEY": "wrongkey0123456789abcdefghijklmn"]).status == 0)
        #expect(try await ls([], ["FICHIER_API_KEY_FILE": wrong, "FICHIER_API_KEY": emulator.key]).status == 7)
        #expect(try await ls(["--api-key-file", good], ["FICHIER_API_KEY_FILE": wrong]).status == 0)
        #expect(try await ls(["--api-key-file", wrong], ["FICHIER_API_KEY_FILE": good]).status == 7)
        // An empty variable counts as unset.
        #expect(try await ls([], ["FICHIER_API_KEY_FILE": "", "FICHIER_API_KEY": emulator.key]).status == 0)

        // A key file that group or others may read is refused, naming the file, never its contents.
        let open = try Self.keyFile(scratch, "open.key", emulator.key + "\n", mode: 0o644)
        for refused in [try await ls([], ["FICHIER_API_KEY_FILE": open]), try await ls(["--api-key-file", open], [:])] {
            #expect(refused.status == 2, "\(refused)")
            #expect(refused.stderr.contains(open) && refused.stderr.contains("chmod 600"), "\(refused)")
            #expect(!refused.stderr.contains(emulator.key) && !refused.stdout.contains(emulator.key))
        }
        let missing = try await ls([], ["FICHIER_API_KEY_FILE": scratch.file("none.key")])
        #expect(missing.status == 2 && missing.stderr.contains("none.key"), "\(missing)")

        // `serve` reads it too, and says where the key came from.
        let serve = try ServeSession(["--api-url", emulator.apiURL, "--pace", "0"], environment: ["FICHIER_API_KEY_FILE": good])
        #expect(try await serve.result("vault/status")["apiKeySource"] as? String == "file")
        #expect(try await serve.result("fs/list", #"{"path":"/"}"#)["folder"] != nil)
        #expect(try await serve.finish() == 0)
        #expect(!serve.child.errors.text.contains(emulator.key))
        let refusedServe = try ServeSession(["--api-url", emulator.apiURL], environment: ["FICHIER_API_KEY_FILE": open])
        #expect(try await refusedServe.child.exitStatus() == 2)
        #expect(refusedServe.child.errors.text.contains("chmod 600"))
        await emulator.stop()
    }

    /// A folder listed a moment ago is not listed again inside the window (1fichier allows one
    /// listing per folder per 30 s), so a file another process uploaded meanwhile is not found;
    /// with a window of 0 (a local emulator) it is listed again and found.
    @Test func theListingWindowCanBeShortened() async throws {
        let emulator = try await EmulatorProcess()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let local = try scratch.write("late.txt", "late\n")
        let key = ["FICHIER_API_KEY": emulator.key]
        #expect(try await runFichier(["mkdir", "/w", "--api-url", emulator.apiURL, "--pace", "0"], environment: key).status == 0)

        func probe(_ arguments: [String], environment: [String: String], file: String) async throws -> JSONMessage {
            let serve = try ServeSession(["--api-url", emulator.apiURL, "--pace", "0"] + arguments,
                                         environment: key.merging(environment) { $1 })
            _ = try await serve.result("fs/list", #"{"path":"/w"}"#)
            let upload = try await runFichier(["upload", local, "/w/\(file)", "--api-url", emulator.apiURL, "--pace", "0"],
                                              environment: key)
            #expect(upload.status == 0, "\(upload)")
            let stat = try await serve.call("fs/stat", #"{"path":"/w/\#(file)"}"#)
            #expect(try await serve.finish() == 0)
            return stat
        }
        let windowed = try await probe([], environment: [:], file: "a.txt")
        #expect(windowed.errorCode == 1300, "\(windowed)")
        let option = try await probe(["--listing-window", "0"], environment: [:], file: "b.txt")
        #expect(option.result?["size"] as? Int == 5, "\(option)")
        let variable = try await probe([], environment: ["FICHIER_LISTING_WINDOW_MS": "0"], file: "c.txt")
        #expect(variable.result?["size"] as? Int == 5, "\(variable)")

        let bad = try await runFichier(["ls", "/", "--api-url", emulator.apiURL],
                                       environment: key.merging(["FICHIER_LISTING_WINDOW_MS": "soon"]) { $1 })
        #expect(bad.status == 2 && bad.stderr.contains("FICHIER_LISTING_WINDOW_MS"), "\(bad)")
        let tooLong = try await runFichier(["ls", "/", "--listing-window", "600001", "--api-url", emulator.apiURL], environment: key)
        #expect(tooLong.status == 2 && tooLong.stderr.contains("--listing-window"), "\(tooLong)")
        await emulator.stop()
    }

    static func keyFile(_ scratch: ScratchDirectory, _ name: String, _ contents: String, mode: mode_t = 0o600) throws -> String {
        let path = try scratch.write(name, contents)
        guard chmod(path, mode) == 0 else { throw TestFailure("chmod \(path)") }
        return path
    }
}
