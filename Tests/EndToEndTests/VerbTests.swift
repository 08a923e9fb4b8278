import Foundation
import Testing

/// The one-shot verbs against a persistent sandbox directory: `--json` prints exactly the
/// method's result object; exit statuses follow the error table.
@Suite("One-shot verbs")
struct VerbTests {
    @Test func verbsWithJSONOutput() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let sandbox = scratch.file("sandbox")
        let local = try scratch.write("song.txt", "la la la\n")
        func fichier(_ arguments: String...) async throws -> CommandOutcome {
            try await runFichier(Array(arguments) + ["--sandbox", sandbox, "--json"])
        }

        let mkdir = try await fichier("mkdir", "-p", "/music/2026")
        #expect(mkdir.status == 0, "\(mkdir)")
        #expect(try mkdir.json()["created"] as? Bool == true)
        let upload = try await fichier("upload", local, "/music/2026/", "--verify")
        #expect(upload.status == 0, "\(upload)")
        let uploaded = try upload.json()
        let url = try #require(uploaded["url"] as? String)
        #expect(uploaded["verified"] as? Bool == true)
        #expect(upload.stdout.filter { $0 == "\n" }.count == 1, "one result object on one line")

        let listing = try await fichier("ls", "/music/2026")
        #expect(listing.status == 0)
        #expect((try listing.json()["files"] as? [[String: Any]])?.first?["url"] as? String == url)
        #expect(try await fichier("stat", url).json()["path"] as? String == "/music/2026/song.txt")
        #expect(try await fichier("rename", "/music/2026/song.txt", "tune.txt").json()["renamed"] as? Bool == true)
        let copy = try await fichier("cp", "/music/2026/tune.txt", "/music", "--rename", "copy.txt")
        #expect(try copy.json()["copiedFiles"] as? Int == 1)
        #expect(try await fichier("mv", "/music/copy.txt", "/music/2026").status == 0)
        let link = try await fichier("link", "/music/2026/tune.txt")
        let direct = try #require(try link.json()["url"] as? String)
        let download = try await fichier("download", "/music/2026/tune.txt", scratch.path + "/", "--verify")
        #expect(download.status == 0, "\(download)")
        #expect(try String(contentsOfFile: scratch.file("tune.txt"), encoding: .utf8) == "la la la\n")
        let remote = try await fichier("remote-upload", direct, "--to", "/fetched")
        let task = try #require(try remote.json()["id"] as? Int)
        #expect(try await fichier("remote-status", String(task)).json()["id"] as? Int == task)
        #expect(try await fichier("remote-status").json()["tasks"] != nil)
        #expect(try await fichier("account").json()["premium"] as? Bool == true)
        let removed = try await fichier("rm", "/music/2026/copy.txt", url)
        #expect(removed.status == 0, "\(removed)")
        #expect(try await fichier("rmdir", "-r", "/music").json()["removedFolders"] as? Int == 2)

        // Human output is for people: no JSON.
        let human = try await runFichier(["ls", "/", "--sandbox", sandbox])
        #expect(human.status == 0)
        #expect(human.stdout.contains("fetched/"))
    }

    @Test func exitStatusesFollowTheErrorTable() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let sandbox = scratch.file("sandbox")
        func status(_ arguments: String...) async throws -> CommandOutcome {
            try await runFichier(Array(arguments) + ["--sandbox", sandbox])
        }
        #expect(try await status("mkdir", "/full").status == 0)
        #expect(try await status("upload", try scratch.write("x.txt", "x"), "/full/").status == 0)
        let missingFolder = try await status("ls", "/nope")
        #expect(missingFolder.status == 3)
        #expect(missingFolder.stderr.contains("no such folder: /nope"))
        #expect(missingFolder.stdout.isEmpty)
        #expect(try await status("stat", "/full/none.txt").status == 4)
        #expect(try await status("download", "/full/none.txt", scratch.path).status == 4)
        #expect(try await status("mkdir", "/full").status == 6)
        #expect(try await status("rmdir", "/full").status == 6)
        #expect(try await status("upload", "/no/such/local/file", "/full/").status == 6)
        #expect(try await status("rm", "/full/none.txt", "--must-exist").status == 4)
        #expect(try await status("rm", "/full/none.txt").status == 0)
        #expect(try await status("ls").status == 0)
        // Usage errors (before any request) are 2 as well.
        #expect(try await status("rename", "/full").status == 2)
        #expect(try await status("upload", "only-one-argument").status == 2)
        // --json errors go to stderr as the error object.
        let json = try await runFichier(["stat", "/full/none.txt", "--sandbox", sandbox, "--json"])
        #expect(json.status == 4)
        #expect(json.stdout.isEmpty)
        let error = try JSONSerialization.jsonObject(with: Data(json.stderr.utf8)) as? [String: Any]
        #expect(error?["code"] as? Int == 1300)
        // Without a key, calls fail with auth_missing (7) and the key is never asked on argv.
        let noKey = try await runFichier(["ls", "/", "--api-url", "http://127.0.0.1:9/v1"])
        #expect(noKey.status == 7, "\(noKey)")
        let insecure = try await runFichier(["ls", "/", "--api-url", "http://example.com/v1"])
        #expect(insecure.status == 2, "\(insecure)")
    }
}
