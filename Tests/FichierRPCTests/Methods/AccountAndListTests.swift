import FichierEmulator
import Foundation
import Testing

@Suite("account/info and fs/list")
struct AccountAndListTests {
    @Test func accountInfoIsNormalisedAndKeepsRawFields() async throws {
        let sandbox = try await SandboxServer.start()
        let result = try await sandbox.result("account/info")
        #expect(result["email"] as? String == "emulator@example.com")
        #expect((result["offer"] as? [String: Any])?["code"] as? Int == 1)
        #expect((result["offer"] as? [String: Any])?["name"] as? String == "Premium")
        #expect(result["premium"] as? Bool == true)
        #expect(result["uploadForbidden"] as? Bool == false)
        #expect((result["subscriptionEnd"] as? String)?.hasSuffix("Z") == true)
        let storage = try #require(result["storage"] as? [String: Any])
        #expect(storage["coldUsed"] as? Int == 0)
        #expect(storage["coldAllowed"] as? Int == 100_000_000_000_000)
        let raw = try #require(result["raw"] as? [String: Any])
        #expect(raw["offer"] as? String == "1")
        #expect(raw["status"] == nil)
        try await sandbox.stop()
    }

    @Test func listShowsFoldersAndFilesWithPaths() async throws {
        let sandbox = try await SandboxServer.start()
        let docs = try sandbox.emulator.admin.makeFolder(named: "docs", in: 0)
        try sandbox.emulator.admin.makeFolder(named: "sub", in: docs)
        let url = try sandbox.emulator.admin.addFile(named: "a.txt", in: docs, contents: Array("alpha".utf8))
        let result = try await sandbox.result("fs/list", #"{"path":"/docs"}"#)
        let folder = try #require(result["folder"] as? [String: Any])
        #expect(folder["id"] as? Int == docs)
        #expect(folder["path"] as? String == "/docs")
        let folders = try #require(result["folders"] as? [[String: Any]])
        #expect(folders.map { $0["path"] as? String } == ["/docs/sub"])
        let files = try #require(result["files"] as? [[String: Any]])
        #expect(files.count == 1)
        #expect(files[0]["url"] as? String == url)
        #expect(files[0]["path"] as? String == "/docs/a.txt")
        #expect(files[0]["size"] as? Int == 5)
        #expect((files[0]["checksum"] as? String)?.count == 128)
        #expect(result["nextCursor"] == nil)
        #expect(result["complete"] as? Bool == true)

        let byID = try await sandbox.result("fs/list", #"{"folderId":\#(docs)}"#)
        #expect((byID["files"] as? [[String: Any]])?.first?["url"] as? String == url)
        #expect((byID["folder"] as? [String: Any])?["path"] == nil)

        let missing = try await sandbox.call("fs/list", #"{"path":"/nope"}"#)
        #expect(missing.errorCode == 1300)
        #expect(missing.errorData?["subject"] as? String == "folder")
        #expect(missing.errorData?["path"] as? String == "/nope")
        #expect(try await sandbox.call("fs/list", #"{"path":"relative"}"#).errorCode == -32602)
        #expect(try await sandbox.call("fs/list", #"{}"#).errorCode == -32602)
        #expect(try await sandbox.call("fs/list", #"{"path":"/","pageSize":0}"#).errorCode == -32602)
        let badCursor = try await sandbox.call("fs/list", #"{"cursor":"0123456789abcdef.5"}"#)
        #expect(badCursor.errorCode == -32602)
        #expect((badCursor.errorData?["errors"] as? [[String: Any]])?.first?["path"] as? String == "cursor")
        try await sandbox.stop()
    }

    @Test func pagesComeFromOneSnapshot() async throws {
        let sandbox = try await SandboxServer.start()
        let folder = try sandbox.emulator.admin.makeFolder(named: "many", in: 0)
        for index in 0..<3 { try sandbox.emulator.admin.makeFolder(named: "d\(index)", in: folder) }
        try sandbox.emulator.admin.addFiles(count: 7, in: folder, size: 10)
        var names: [String] = []
        var page = try await sandbox.result("fs/list", #"{"path":"/many","pageSize":4}"#)
        var pages = 1
        while true {
            names += ((page["folders"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            names += ((page["files"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            #expect((page["totals"] as? [String: Any])?["files"] as? Int == 7)
            guard let cursor = page["nextCursor"] as? String else { break }
            if pages == 1 {
                // A change between pages does not show up in this listing's later pages.
                try sandbox.emulator.admin.addFile(named: "late.bin", in: folder, contents: [1, 2, 3])
            }
            page = try await sandbox.result("fs/list", #"{"cursor":"\#(cursor)","pageSize":4}"#)
            pages += 1
        }
        #expect(pages == 3)
        #expect(names.count == 10)
        #expect(Set(names).count == 10)
        #expect(!names.contains("late.bin"))
        try await sandbox.stop()
    }

    @Test func listingCappedByTheProviderSaysIncomplete() async throws {
        let sandbox = try await SandboxServer.start(configureEmulator: { $0.listingCap = 5; $0.storage = .discard })
        let folder = try sandbox.emulator.admin.makeFolder(named: "capped", in: 0)
        try sandbox.emulator.admin.addFiles(count: 8, in: folder, size: 1)
        let result = try await sandbox.result("fs/list", #"{"path":"/capped"}"#)
        #expect((result["files"] as? [[String: Any]])?.count == 5)
        #expect(result["complete"] as? Bool == false)
        try await sandbox.stop()
    }
}
