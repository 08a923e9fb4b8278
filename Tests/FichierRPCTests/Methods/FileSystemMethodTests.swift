import FichierEmulator
import Foundation
import Testing

@Suite("fs/* methods")
struct FileSystemMethodTests {
    @Test func statFilesFoldersAndURLs() async throws {
        let sandbox = try await SandboxServer.start()
        let admin = sandbox.emulator.admin
        let docs = try admin.makeFolder(named: "docs", in: 0)
        let url = try admin.addFile(named: "n.txt", in: docs, contents: Array("notes".utf8))
        let file = try await sandbox.result("fs/stat", #"{"path":"/docs/n.txt"}"#)
        #expect(file["type"] as? String == "file")
        #expect(file["url"] as? String == url)
        #expect(file["size"] as? Int == 5)
        #expect(file["folderId"] as? Int == docs)
        let folder = try await sandbox.result("fs/stat", #"{"path":"/docs"}"#)
        #expect(folder["type"] as? String == "folder")
        #expect(folder["id"] as? Int == docs)
        #expect(try await sandbox.result("fs/stat", #"{"path":"/"}"#)["id"] as? Int == 0)
        let byURL = try await sandbox.result("fs/stat", #"{"url":"\#(url)"}"#)
        #expect(byURL["path"] as? String == "/docs/n.txt")
        #expect(byURL["name"] as? String == "n.txt")

        let missing = try await sandbox.call("fs/stat", #"{"path":"/docs/none"}"#)
        #expect(missing.errorCode == 1300)
        #expect(missing.errorData?["subject"] as? String == "file")
        let missingFolder = try await sandbox.call("fs/stat", #"{"path":"/nope/x"}"#)
        #expect(missingFolder.errorData?["subject"] as? String == "folder")
        let unknownURL = try await sandbox.call("fs/stat", #"{"url":"https://1fichier.com/?zzzzzzzzzzzzzzzzzzzz"}"#)
        #expect(unknownURL.errorCode == 1300)
        #expect(try await sandbox.call("fs/stat", #"{"path":"/a","url":"https://1fichier.com/?x"}"#).errorCode == -32602)
        #expect(try await sandbox.call("fs/stat", #"{"url":"ftp://x"}"#).errorCode == -32602)

        // Two files with one name: ambiguous by path, fine by URL.
        try admin.addFile(named: "twin", in: docs, contents: [1])
        try admin.addFile(named: "twin", in: docs, contents: [2])
        let twin = try await sandbox.call("fs/stat", #"{"path":"/docs/twin"}"#)
        #expect(twin.errorCode == 1301)
        try await sandbox.stop()
    }

    @Test func mkdirWithAndWithoutParents() async throws {
        let sandbox = try await SandboxServer.start()
        let made = try await sandbox.result("fs/mkdir", #"{"path":"/a/b/c","parents":true}"#)
        #expect(made["created"] as? Bool == true)
        #expect(made["path"] as? String == "/a/b/c")
        #expect(sandbox.emulator.admin.folderID(path: "/a/b/c") == made["id"] as? Int)
        let again = try await sandbox.result("fs/mkdir", #"{"path":"/a/b/c","parents":true}"#)
        #expect(again["created"] as? Bool == false)
        let exists = try await sandbox.call("fs/mkdir", #"{"path":"/a/b/c"}"#)
        #expect(exists.errorCode == 1301)
        let orphan = try await sandbox.call("fs/mkdir", #"{"path":"/x/y"}"#)
        #expect(orphan.errorCode == 1300)
        #expect(orphan.errorData?["subject"] as? String == "folder")
        let plain = try await sandbox.result("fs/mkdir", #"{"path":"/a/d"}"#)
        #expect(plain["created"] as? Bool == true)
        #expect(try await sandbox.call("fs/mkdir", #"{"path":"/"}"#).errorCode == 1301)
        #expect(try await sandbox.call("fs/mkdir", #"{"parents":true}"#).errorCode == -32602)
        try await sandbox.stop()
    }

    @Test func rmdirEmptyRecursiveAndRoot() async throws {
        let sandbox = try await SandboxServer.start()
        let admin = sandbox.emulator.admin
        let top = try admin.ensureFolder(path: "/top/mid/low")
        try admin.addFile(named: "f1", in: top, contents: [1])
        try admin.addFile(named: "f2", in: admin.folderID(path: "/top") ?? 0, contents: [2])
        let refused = try await sandbox.call("fs/rmdir", #"{"path":"/top"}"#)
        #expect(refused.errorCode == 1302)
        let removed = try await sandbox.result("fs/rmdir", #"{"path":"/top","recursive":true}"#)
        #expect(removed["removedFiles"] as? Int == 2)
        #expect(removed["removedFolders"] as? Int == 3)
        #expect(admin.folderID(path: "/top") == nil)
        #expect(admin.allFiles.isEmpty)
        let root = try await sandbox.call("fs/rmdir", #"{"path":"/","recursive":true}"#)
        #expect(root.errorCode == 1305)
        #expect(try await sandbox.call("fs/rmdir", #"{"folderId":0}"#).errorCode == 1305)
        let empty = try admin.makeFolder(named: "empty", in: 0)
        #expect(try await sandbox.result("fs/rmdir", #"{"folderId":\#(empty)}"#)["removedFolders"] as? Int == 1)
        #expect(try await sandbox.call("fs/rmdir", #"{"path":"/gone"}"#).errorCode == 1300)
        try await sandbox.stop()
    }

    @Test func deleteByPathURLAndURLs() async throws {
        let sandbox = try await SandboxServer.start()
        let admin = sandbox.emulator.admin
        let folder = try admin.makeFolder(named: "d", in: 0)
        try admin.addFile(named: "one", in: folder, contents: [1])
        let two = try admin.addFile(named: "two", in: folder, contents: [2])
        let three = try admin.addFile(named: "three", in: folder, contents: [3])
        let byPath = try await sandbox.result("fs/delete", #"{"path":"/d/one"}"#)
        #expect(byPath["removed"] as? Int == 1)
        let gone = try await sandbox.result("fs/delete", #"{"path":"/d/one"}"#)
        #expect(gone["missing"] as? [String] == ["/d/one"])
        let strict = try await sandbox.call("fs/delete", #"{"path":"/d/one","missingOk":false}"#)
        #expect(strict.errorCode == 1300)
        let ghost = "https://1fichier.com/?zzzzzzzzzzzzzzzzzzzz"
        let mixed = try await sandbox.result("fs/delete", #"{"urls":["\#(two)","\#(ghost)"]}"#)
        #expect(mixed["removed"] as? Int == 1)
        #expect(mixed["urls"] as? [String] == [two])
        #expect(mixed["missing"] as? [String] == [ghost])
        #expect(try await sandbox.call("fs/delete", #"{"url":"\#(ghost)","missingOk":false}"#).errorCode == 1300)
        #expect(try await sandbox.result("fs/delete", #"{"url":"\#(three)"}"#)["removed"] as? Int == 1)
        let folderPath = try await sandbox.call("fs/delete", #"{"path":"/d"}"#)
        #expect(folderPath.errorCode == 1300)
        #expect((folderPath.error?["message"] as? String)?.contains("fs/rmdir") == true)
        #expect(try await sandbox.call("fs/delete", #"{"urls":[]}"#).errorCode == -32602)
        #expect(admin.files(in: folder).isEmpty)
        try await sandbox.stop()
    }

    @Test func renameFilesAndFolders() async throws {
        let sandbox = try await SandboxServer.start()
        let admin = sandbox.emulator.admin
        let folder = try admin.makeFolder(named: "r", in: 0)
        let url = try admin.addFile(named: "old.txt", in: folder, contents: [1])
        let renamed = try await sandbox.result("fs/rename", #"{"path":"/r/old.txt","name":"new.txt"}"#)
        #expect(renamed["renamed"] as? Bool == true)
        #expect(renamed["path"] as? String == "/r/new.txt")
        #expect(admin.file(url: url)?.name == "new.txt")
        let same = try await sandbox.result("fs/rename", #"{"path":"/r/new.txt","name":"new.txt"}"#)
        #expect(same["renamed"] as? Bool == false)
        let byURL = try await sandbox.result("fs/rename", #"{"url":"\#(url)","name":"by url.txt"}"#)
        #expect(byURL["path"] as? String == "/r/by url.txt")
        #expect(admin.file(url: url)?.name == "by url.txt")
        let folderRenamed = try await sandbox.result("fs/rename", #"{"path":"/r","name":"renamed"}"#)
        #expect(folderRenamed["type"] as? String == "folder")
        #expect(admin.folderID(path: "/renamed") == folder)
        // Reserved characters travel through the name codec and come back as given.
        let odd = try await sandbox.result("fs/rename", #"{"path":"/renamed/by url.txt","name":"a\"b<c>$.txt"}"#)
        #expect(odd["name"] as? String == #"a"b<c>$.txt"#)
        let listed = try await sandbox.result("fs/list", #"{"path":"/renamed"}"#)
        #expect((listed["files"] as? [[String: Any]])?.first?["name"] as? String == #"a"b<c>$.txt"#)
        #expect(try await sandbox.call("fs/rename", #"{"path":"/renamed","name":"x/y"}"#).errorCode == -32602)
        #expect(try await sandbox.call("fs/rename", #"{"path":"/","name":"x"}"#).errorCode == 1305)
        try admin.makeFolder(named: "taken", in: 0)
        #expect(try await sandbox.call("fs/rename", #"{"path":"/renamed","name":"taken"}"#).errorCode == 1301)
        try await sandbox.stop()
    }

    @Test func moveFilesAndFolders() async throws {
        let sandbox = try await SandboxServer.start()
        let admin = sandbox.emulator.admin
        let source = try admin.makeFolder(named: "src", in: 0)
        let target = try admin.makeFolder(named: "dst", in: 0)
        let a = try admin.addFile(named: "a", in: source, contents: [1])
        let b = try admin.addFile(named: "b", in: source, contents: [2])
        let c = try admin.addFile(named: "c", in: source, contents: [3])
        let moved = try await sandbox.result("fs/move", #"{"path":"/src/a","to":"/dst"}"#)
        let item = try #require((moved["items"] as? [[String: Any]])?.first)
        #expect(item["path"] as? String == "/dst/a")
        #expect(item["url"] as? String == a)
        #expect(admin.file(url: a)?.folderID == target)
        let renamed = try await sandbox.result("fs/move", #"{"path":"/src/b","to":"/dst","rename":"b2"}"#)
        #expect((renamed["items"] as? [[String: Any]])?.first?["path"] as? String == "/dst/b2")
        #expect(admin.file(url: b)?.name == "b2")
        let byURL = try await sandbox.result("fs/move", #"{"urls":["\#(c)"],"to":"/dst"}"#)
        #expect((byURL["items"] as? [[String: Any]])?.count == 1)
        #expect(admin.file(url: c)?.folderID == target)
        // Same name kept: no rename is sent (1fichier refuses a rename to the current name).
        _ = try await sandbox.result("fs/move", #"{"url":"\#(c)","to":"/src","rename":"c"}"#)
        #expect(admin.file(url: c)?.folderID == source)

        let folder = try await sandbox.result("fs/move", #"{"path":"/dst","to":"/src","rename":"inner"}"#)
        #expect((folder["items"] as? [[String: Any]])?.first?["path"] as? String == "/src/inner")
        #expect(admin.folderID(path: "/src/inner") == target)
        #expect(try await sandbox.call("fs/move", #"{"path":"/src","to":"/src/inner"}"#).errorCode == 1305)
        #expect(try await sandbox.call("fs/move", #"{"path":"/src/a","to":"/nowhere"}"#).errorCode == 1300)
        #expect(try await sandbox.call("fs/move", #"{"urls":["\#(a)","\#(b)"],"to":"/","rename":"x"}"#).errorCode == -32602)
        try await sandbox.stop()
    }

    @Test func copyFilesAndFolderTrees() async throws {
        let sandbox = try await SandboxServer.start()
        let admin = sandbox.emulator.admin
        let tree = try admin.ensureFolder(path: "/tree/leaf")
        let root = admin.folderID(path: "/tree") ?? 0
        let one = try admin.addFile(named: "one", in: root, contents: Array("1".utf8))
        try admin.addFile(named: "two", in: tree, contents: Array("2".utf8))
        try admin.makeFolder(named: "backup", in: 0)

        let file = try await sandbox.result("fs/copy", #"{"path":"/tree/one","to":"/backup","rename":"uno"}"#)
        let copy = try #require((file["items"] as? [[String: Any]])?.first)
        #expect(copy["path"] as? String == "/backup/uno")
        #expect(copy["url"] as? String != one)
        #expect(admin.file(url: copy["url"] as? String ?? "")?.name == "uno")

        let folder = try await sandbox.result("fs/copy", #"{"path":"/tree","to":"/backup"}"#)
        #expect(folder["copiedFolders"] as? Int == 2)
        #expect(folder["copiedFiles"] as? Int == 2)
        let leaf = try #require(admin.folderID(path: "/backup/tree/leaf"))
        #expect(admin.files(in: leaf).map(\.name) == ["two"])
        #expect(admin.files(in: tree).count == 1)

        let again = try await sandbox.call("fs/copy", #"{"path":"/tree","to":"/backup"}"#)
        #expect(again.errorCode == 1301)
        #expect(try await sandbox.call("fs/copy", #"{"path":"/tree","to":"/tree/leaf"}"#).errorCode == 1305)
        let urls = try await sandbox.result("fs/copy", #"{"urls":["\#(one)"],"to":"/"}"#)
        #expect(urls["copiedFiles"] as? Int == 1)
        try await sandbox.stop()
    }
}
