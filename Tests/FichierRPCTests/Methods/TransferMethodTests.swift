import FichierEmulator
import Foundation
import Testing

@Suite("transfer/* and link/get")
struct TransferMethodTests {
    static func sparseFile(at path: String, size: Int64) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw HarnessError("cannot create \(path)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
    }

    @Test func uploadFromFileAndFromData() async throws {
        let sandbox = try await SandboxServer.start()
        let local = try sandbox.localFile("report.txt", "quarterly numbers")
        let uploaded = try await sandbox.result("transfer/upload",
                                                #"{"local":\#(json(local)),"remote":"/in/box/","verify":true}"#)
        #expect(uploaded["path"] as? String == "/in/box/report.txt")
        #expect(uploaded["size"] as? Int == 17)
        #expect(uploaded["verified"] as? Bool == true)
        #expect(uploaded["skipped"] as? Bool == false)
        let stored = try #require(sandbox.emulator.admin.file(url: uploaded["url"] as? String ?? ""))
        #expect(stored.whirlpool == uploaded["whirlpool"] as? String)
        #expect(stored.folderID == sandbox.emulator.admin.folderID(path: "/in/box"))

        let buffer = Data("unsaved editor buffer".utf8).base64EncodedString()
        let fromData = try await sandbox.result("transfer/upload", #"{"data":"\#(buffer)","remote":"/in/buffer.md"}"#)
        #expect(fromData["name"] as? String == "buffer.md")
        #expect(fromData["size"] as? Int == 21)
        let events = try sandbox.server.output.messages().filter { $0.method == "event/progress" }
        #expect(events.contains { $0.params?["phase"] as? String == "uploading" })
        #expect(events.contains { $0.params?["phase"] as? String == "finalizing" })

        #expect(try await sandbox.call("transfer/upload", #"{"data":"\#(buffer)","remote":"/in/"}"#).errorCode == -32602)
        #expect(try await sandbox.call("transfer/upload", #"{"data":"%%%","remote":"/in/x"}"#).errorCode == -32602)
        #expect(try await sandbox.call("transfer/upload", #"{"remote":"/in/x"}"#).errorCode == -32602)
        let mode = try await sandbox.call("transfer/upload", #"{"data":"eA==","remote":"/in/x","ifExists":"overwrite"}"#)
        #expect(mode.errorCode == -32602)
        #expect((mode.errorData?["errors"] as? [[String: Any]])?.first?["path"] as? String == "ifExists")
        let missing = try await sandbox.call("transfer/upload", #"{"local":"/no/such/file","remote":"/in/"}"#)
        #expect(missing.errorCode == 1400)
        let empty = try sandbox.localFile("empty", "")
        #expect(try await sandbox.call("transfer/upload", #"{"local":\#(json(empty)),"remote":"/in/"}"#).errorCode == 1304)
        #expect(try await sandbox.call("transfer/upload", #"{"local":\#(json(local)),"remote":"in/"}"#).errorCode == -32602)
        try await sandbox.stop()
    }

    @Test func ifExistsModes() async throws {
        let sandbox = try await SandboxServer.start()
        let admin = sandbox.emulator.admin
        let first = try sandbox.localFile("v1", "version one")
        let second = try sandbox.localFile("v2", "version two!")
        func upload(_ local: String, _ mode: String?) async throws -> Message {
            let option = mode.map { #","ifExists":"\#($0)""# } ?? ""
            return try await sandbox.call("transfer/upload", #"{"local":\#(json(local)),"remote":"/m/doc.txt"\#(option)}"#)
        }
        let original = try #require(try await upload(first, nil).result)
        let folder = try #require(admin.folderID(path: "/m"))
        // duplicate (the default, 1fichier's own behaviour): a second file of that name.
        let duplicate = try #require(try await upload(second, "duplicate").result)
        #expect(admin.files(in: folder).filter { $0.name == "doc.txt" }.count == 2)
        // skip: nothing sent, the existing file answered (ambiguous names: the first one).
        let skipped = try #require(try await upload(second, "skip").result)
        #expect(skipped["skipped"] as? Bool == true)
        #expect([original["url"] as? String, duplicate["url"] as? String].contains(skipped["url"] as? String))
        #expect(admin.files(in: folder).count == 2)
        // error: conflict.
        let conflict = try await upload(second, "error")
        #expect(conflict.errorCode == 1301)
        #expect(conflict.errorKind == "conflict")
        // replace: upload, then both old ones go.
        let replaced = try #require(try await upload(second, "replace").result)
        #expect(Set(replaced["replaced"] as? [String] ?? []) == Set([original["url"] as? String ?? "", duplicate["url"] as? String ?? ""]))
        let left = admin.files(in: folder)
        #expect(left.map(\.url) == [replaced["url"] as? String ?? ""])
        #expect(left.first?.size == 12)
        // skip on a fresh name uploads.
        let fresh = try #require(try await sandbox.call("transfer/upload", #"{"local":\#(json(first)),"remote":"/m/new.txt","ifExists":"skip"}"#).result)
        #expect(fresh["skipped"] as? Bool == false)
        try await sandbox.stop()
    }

    @Test func mkdirThenUploadPipelinedKeepOrder() async throws {
        let sandbox = try await SandboxServer.start()
        let local = try sandbox.localFile("p.txt", "pipelined")
        sandbox.server.request(1, "fs/mkdir", #"{"path":"/p"}"#)
        sandbox.server.request(2, "transfer/upload", #"{"local":\#(json(local)),"remote":"/p/p.txt"}"#)
        sandbox.server.request(3, "fs/stat", #"{"path":"/p/p.txt"}"#)
        sandbox.server.request(4, "fs/rename", #"{"path":"/p/p.txt","name":"q.txt"}"#)
        sandbox.server.request(5, "fs/stat", #"{"path":"/p/q.txt"}"#)
        sandbox.server.request(6, "fs/rmdir", #"{"path":"/p","recursive":true}"#)
        let mkdir = try await sandbox.server.output.response(1)
        #expect(mkdir.result?["created"] as? Bool == true)
        #expect(try await sandbox.server.output.response(2).result != nil)
        #expect(try await sandbox.server.output.response(3).result?["name"] as? String == "p.txt")
        #expect(try await sandbox.server.output.response(4).result?["renamed"] as? Bool == true)
        #expect(try await sandbox.server.output.response(5).result?["name"] as? String == "q.txt")
        #expect(try await sandbox.server.output.response(6).result?["removedFiles"] as? Int == 1)
        let order = try sandbox.server.output.messages().filter(\.isResponse).compactMap(\.id)
        #expect(order == [1, 2, 3, 4, 5, 6].map { AnyHashable($0) })
        try await sandbox.stop()
    }

    @Test func downloadOverwriteRulesAndNoPartialLeft() async throws {
        let sandbox = try await SandboxServer.start()
        let admin = sandbox.emulator.admin
        let folder = try admin.makeFolder(named: "dl", in: 0)
        let url = try admin.addFile(named: "song.ogg", in: folder, contents: Array("la la la".utf8))
        let target = sandbox.directory.appendingPathComponent("song.ogg").path
        let first = try await sandbox.result("transfer/download",
                                             #"{"remote":"/dl/song.ogg","local":\#(json(target)),"verify":true}"#)
        #expect(first["size"] as? Int == 8)
        #expect(first["verified"] as? Bool == true)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "la la la")
        #expect(!FileManager.default.fileExists(atPath: target + ".partial"))

        let refused = try await sandbox.call("transfer/download", #"{"url":"\#(url)","local":\#(json(target))}"#)
        #expect(refused.errorCode == 1301)
        try Data("local edits".utf8).write(to: URL(fileURLWithPath: target))
        _ = try await sandbox.result("transfer/download", #"{"url":"\#(url)","local":\#(json(target)),"overwrite":true}"#)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "la la la")

        let into = sandbox.directory.appendingPathComponent("into")
        try FileManager.default.createDirectory(at: into, withIntermediateDirectories: true)
        let directory = try await sandbox.result("transfer/download", #"{"remote":"/dl/song.ogg","local":\#(json(into.path))}"#)
        #expect(directory["local"] as? String == into.appendingPathComponent("song.ogg").path)

        let missingTarget = sandbox.directory.appendingPathComponent("never").path
        let missing = try await sandbox.call("transfer/download", #"{"remote":"/dl/none","local":\#(json(missingTarget))}"#)
        #expect(missing.errorCode == 1300)
        #expect(!FileManager.default.fileExists(atPath: missingTarget + ".partial"))
        let noDirectory = try await sandbox.call("transfer/download",
                                                 #"{"remote":"/dl/song.ogg","local":"/no/such/dir/x"}"#)
        #expect(noDirectory.errorCode == 1400)
        try await sandbox.stop()
    }

    @Test func cancelDuringUploadLeavesNothingOrSaysUnknown() async throws {
        let sandbox = try await SandboxServer.start(configureEmulator: { $0.storage = .discard })
        let local = sandbox.directory.appendingPathComponent("big.bin").path
        try Self.sparseFile(at: local, size: 1 << 30)
        sandbox.server.request(1, "transfer/upload", #"{"local":\#(json(local)),"remote":"/c/big.bin"}"#)
        try await sandbox.server.output.wait(timeout: .seconds(30), "upload progress") { messages in
            messages.contains { $0.method == "event/progress" && $0.requestID == AnyHashable(1)
                && ($0.params?["bytesDone"] as? Int ?? 0) > 0 }
        }
        sandbox.server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":1}}"#)
        let response = try await sandbox.server.output.response(1, timeout: .seconds(30))
        #expect(response.errorCode == -32800)
        let partial = response.errorData?["partial"] as? [String: Any]
        #expect(partial?["bytesTotal"] as? Int == 1 << 30)
        let unknown = response.errorData?["remoteStateUnknown"] as? Bool == true
        let folder = sandbox.emulator.admin.folderID(path: "/c") ?? -1
        #expect(unknown || sandbox.emulator.admin.files(in: folder).isEmpty)
        // The server is still fine.
        #expect(try await sandbox.call("fs/list", #"{"path":"/"}"#).result != nil)
        try await sandbox.stop()
    }

    /// A 4 GiB download from a discard emulator, cancelled (request 1) once bytes flow.
    private static func cancelledLargeDownload(resume: Bool) async throws -> (SandboxServer, String, Message) {
        let sandbox = try await SandboxServer.start(configureEmulator: { $0.storage = .discard })
        let folder = try sandbox.emulator.admin.makeFolder(named: "z", in: 0)
        try sandbox.emulator.admin.addFiles(count: 1, in: folder, size: 4 << 30)
        let target = sandbox.directory.appendingPathComponent("zeros.bin").path
        sandbox.server.request(1, "transfer/download",
                               #"{"remote":"/z/file-000001.bin","local":\#(json(target)),"resume":\#(resume)}"#)
        try await sandbox.server.output.wait(timeout: .seconds(30), "download progress") { messages in
            messages.contains { $0.method == "event/progress" && $0.requestID == AnyHashable(1)
                && ($0.params?["bytesDone"] as? Int ?? 0) > 0 }
        }
        sandbox.server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":1}}"#)
        let response = try await sandbox.server.output.response(1, timeout: .seconds(30))
        #expect(response.errorCode == -32800)
        #expect(((response.errorData?["partial"] as? [String: Any])?["bytesDone"] as? Int ?? 0) > 0)
        #expect(!FileManager.default.fileExists(atPath: target))
        return (sandbox, target, response)
    }

    @Test func cancelDuringDownloadRemovesThePartialFile() async throws {
        let (sandbox, target, _) = try await Self.cancelledLargeDownload(resume: false)
        #expect(!FileManager.default.fileExists(atPath: target + ".partial"))
        try await sandbox.stop()
    }

    @Test func resumeContinuesFromThePartialFile() async throws {
        let sandbox = try await SandboxServer.start()
        let admin = sandbox.emulator.admin
        let folder = try admin.makeFolder(named: "r", in: 0)
        var generator = SystemRandomNumberGenerator()
        let content = (0..<(3 << 20) + 777).map { _ in UInt8.random(in: 0...255, using: &generator) }
        _ = try admin.addFile(named: "big.bin", in: folder, contents: content)
        let target = sandbox.directory.appendingPathComponent("big.bin").path
        let partial = target + ".partial"
        func download(_ extra: String = "") async throws -> Message {
            try await sandbox.call("transfer/download",
                                   #"{"remote":"/r/big.bin","local":\#(json(target)),"resume":true,"verify":true\#(extra)}"#)
        }
        func keep(_ bytes: ArraySlice<UInt8>) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: partial))
        }
        func landed() throws -> Bool {
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: target))) == content
                && !FileManager.default.fileExists(atPath: partial)
        }

        // An earlier attempt left the first 1 MiB + 123 bytes: only the rest is fetched, and the
        // Whirlpool covers the whole file.
        try keep(content[0..<((1 << 20) + 123)])
        let resumed = try #require(try await download().result)
        #expect(resumed["resumedFrom"] as? Int == (1 << 20) + 123)
        #expect(resumed["size"] as? Int == content.count)
        #expect(resumed["verified"] as? Bool == true)
        #expect(try landed())

        // All bytes already there: no transfer, still verified.
        try keep(content[...])
        let complete = try #require(try await download(#","overwrite":true"#).result)
        #expect(complete["resumedFrom"] as? Int == content.count)
        #expect(complete["verified"] as? Bool == true)
        #expect(try landed())

        // A .partial longer than the file is not of this file: started afresh.
        try keep((content + [1, 2, 3])[...])
        let afresh = try #require(try await download(#","overwrite":true"#).result)
        #expect(afresh["resumedFrom"] as? Int == 0)
        #expect(try landed())

        // A .partial that does not start with the file's bytes (its first 64 KiB are compared)
        // is not continued: started afresh.
        var wrong = Array(content[0..<5000])
        wrong[100] ^= 0xFF
        try keep(wrong[...])
        let restarted = try #require(try await download(#","overwrite":true"#).result)
        #expect(restarted["resumedFrom"] as? Int == 0)
        #expect(try landed())

        // Kept bytes that differ further on: verify catches it, and the .partial stays for a look.
        wrong = Array(content[0..<200_000])
        wrong[100_000] ^= 0xFF
        try keep(wrong[...])
        let caught = try await download(#","overwrite":true"#)
        #expect(caught.errorCode == 1401)
        #expect(FileManager.default.fileExists(atPath: partial))

        // Without resume a leftover .partial is replaced, and a failure removes it.
        let plain = try #require(try await sandbox.call("transfer/download",
                                                       #"{"remote":"/r/big.bin","local":\#(json(target)),"overwrite":true}"#).result)
        #expect(plain["resumedFrom"] == nil)
        #expect(try landed())
        try await sandbox.stop()
    }

    @Test func resumeKeepsThePartialFileWhenCancelled() async throws {
        let (sandbox, target, _) = try await Self.cancelledLargeDownload(resume: true)
        let kept = try FileManager.default.attributesOfItem(atPath: target + ".partial")[.size] as? Int ?? 0
        #expect(kept > 0 && kept < 4 << 30)

        // The next resumed download reports progress from the kept bytes on, then is cancelled too.
        sandbox.server.request(2, "transfer/download", #"{"remote":"/z/file-000001.bin","local":\#(json(target)),"resume":true}"#)
        try await sandbox.server.output.wait(timeout: .seconds(30), "resumed progress") { messages in
            messages.contains { $0.method == "event/progress" && $0.requestID == AnyHashable(2) }
        }
        let firstReport = try sandbox.server.output.messages().first {
            $0.method == "event/progress" && $0.requestID == AnyHashable(2)
        }
        #expect(firstReport?.params?["bytesDone"] as? Int == kept)
        sandbox.server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":2}}"#)
        #expect(try await sandbox.server.output.response(2, timeout: .seconds(30)).errorCode == -32800)
        let keptAgain = try FileManager.default.attributesOfItem(atPath: target + ".partial")[.size] as? Int ?? 0
        #expect(keptAgain >= kept)
        try await sandbox.stop()
    }

    @Test func remoteUploadAndStatus() async throws {
        let sandbox = try await SandboxServer.start()
        let folder = try sandbox.emulator.admin.makeFolder(named: "src", in: 0)
        try sandbox.emulator.admin.addFile(named: "page.html", in: folder, contents: Array("<p>hi</p>".utf8))
        let link = try await sandbox.result("link/get", #"{"path":"/src/page.html"}"#)
        let direct = try #require(link["url"] as? String)
        #expect(direct.hasPrefix(sandbox.emulator.baseURL))
        #expect(link["fileURL"] as? String != nil)
        let expires = try #require(ISO8601DateFormatter().date(from: link["expiresAt"] as? String ?? ""))
        #expect(abs(expires.timeIntervalSinceNow - 300) < 30)

        let request = try await sandbox.result("transfer/remote", #"{"urls":["\#(direct)"],"to":"/fetched"}"#)
        let id = try #require(request["id"] as? Int)
        #expect(request["to"] as? String == "/fetched")
        await sandbox.emulator.waitForRemoteUploads()
        let status = try await sandbox.result("transfer/remote/status", #"{"id":\#(id)}"#)
        #expect(status["done"] as? Bool == true)
        #expect((status["results"] as? [[String: Any]])?.first?["ok"] as? Bool == true)
        let all = try await sandbox.result("transfer/remote/status")
        #expect(((all["tasks"] as? [[String: Any]]) ?? []).contains { $0["id"] as? Int == id })
        let listed = try await sandbox.result("fs/list", #"{"path":"/fetched"}"#)
        #expect((listed["files"] as? [[String: Any]])?.count == 1)
        #expect(try await sandbox.call("transfer/remote", #"{"urls":[]}"#).errorCode == -32602)
        #expect(try await sandbox.call("link/get", #"{"path":"/src/none"}"#).errorCode == 1300)
        try await sandbox.stop()
    }
}
