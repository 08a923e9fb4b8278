import FichierAPI
import Foundation
import Testing
@testable import FichierEmulator

/// get_token and the download URLs it hands out.
@Suite struct DownloadTests {
    static func token(_ emulator: Emulator, _ url: String, single: Int = 0) async throws -> String {
        let answer = try await emulator.ok("download/get_token.cgi", "{\"url\":\"\(url)\",\"single\":\(single)}")
        #expect(answer["status"] as? String == "OK")
        return try #require(answer["url"] as? String)
    }

    @Test func fullAndRangedDownloads() async throws {
        try await EmulatorHarness.with { emulator in
            let bytes = TestFiles.pattern(1_000_000, seed: 7)
            let url = try emulator.admin.addFile(named: "movie.mp4", in: 0, contents: bytes)
            let link = try await Self.token(emulator, url)
            #expect(link.hasPrefix("\(emulator.baseURL)/dl/"))

            let whole = try await Curl.run([link])
            #expect(whole.status == 200)
            #expect(whole.body == Data(bytes))
            #expect(whole.headers["content-type"] == "video/mp4")
            #expect(whole.headers["accept-ranges"] == "bytes")
            #expect(whole.headers["content-disposition"]?.contains("filename=\"movie.mp4\"") == true)

            let part = try await Curl.run(["-r", "1000-1999", link])
            #expect(part.status == 206)
            #expect(part.headers["content-range"] == "bytes 1000-1999/1000000")
            #expect(part.headers["content-length"] == "1000")
            #expect(part.body == Data(bytes[1000..<2000]))

            let tail = try await Curl.run(["-H", "Range: bytes=-10", link])
            #expect(tail.status == 206 && tail.body == Data(bytes.suffix(10)))
            let open = try await Curl.run(["-H", "Range: bytes=999990-", link])
            #expect(open.status == 206 && open.body == Data(bytes.suffix(10)))

            let beyond = try await Curl.run(["-H", "Range: bytes=2000000-", link])
            #expect(beyond.status == 416)
            #expect(beyond.headers["content-range"] == "bytes */1000000")

            let head = try await Curl.run(["-I", link])
            #expect(head.status == 200)
            #expect(head.headers["content-length"] == "1000000")
            #expect(head.body.count < 1_000)   // curl -I writes only the headers there

            #expect(try await Curl.run(["\(emulator.baseURL)/dl/doesnotexist"]).status == 404)
            #expect(try await Curl.run(["-X", "POST", link]).status == 405)
        }
    }

    @Test func singleUseTokensServeRangesUntilTheEndIsDelivered() async throws {
        try await EmulatorHarness.with { emulator in
            let bytes = TestFiles.pattern(10_000)
            let url = try emulator.admin.addFile(named: "s.bin", in: 0, contents: bytes)
            let link = try await Self.token(emulator, url, single: 1)
            #expect(try await Curl.run(["-r", "0-4999", link]).status == 206)
            #expect(try await Curl.run(["-r", "0-99", link]).status == 206)
            let last = try await Curl.run(["-r", "5000-", link])
            #expect(last.status == 206 && last.body == Data(bytes[5000...]))
            let used = try await Curl.run([link])
            #expect(used.status == 410)
            #expect(used.headers["content-type"]?.hasPrefix("text/html") == true)
            // Without single, a token serves any number of downloads until it expires.
            let reusable = try await Self.token(emulator, url)
            for _ in 0..<3 { #expect(try await Curl.run([reusable]).status == 200) }
        }
    }

    @Test func tokensExpire() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration { $0.tokenLifetime = .seconds(3) }) { emulator in
            let url = try emulator.admin.addFile(named: "e.bin", in: 0, contents: [1, 2, 3])
            let link = try await Self.token(emulator, url)
            let issued = ContinuousClock.now   // the server issued it before this point
            #expect(try await Curl.run([link]).status == 200)
            try await Task.sleep(until: issued + .milliseconds(3_500))
            #expect(try await Curl.run([link]).status == 410)
        }
    }

    @Test func tokenErrors() async throws {
        try await EmulatorHarness.with { emulator in
            let missing = try await emulator.call("download/get_token.cgi", #"{"url":"https://1fichier.com/?zzzzzzzzzzzzzzzzzzzz"}"#)
            #expect(missing.status == 404)
            #expect(try missing.json()["message"] as? String == "Resource not found #469")
            #expect(try await emulator.call("download/get_token.cgi", "{}").status == 403)
            #expect(try await emulator.call("download/get_token.cgi", #"{"url":"https://1fichier.com/?zzzzzzzzzz"}"#, key: nil).status == 401)
            // By folder and exact file name.
            let folder = try emulator.admin.makeFolder(named: "f", in: 0)
            _ = try emulator.admin.addFile(named: "Exact.txt", in: folder, contents: [1])
            #expect(try await emulator.call("download/get_token.cgi", "{\"folder_id\":\(folder),\"filename\":\"Exact.txt\"}").status == 200)
            #expect(try await emulator.call("download/get_token.cgi", "{\"folder_id\":\(folder),\"filename\":\"exact.txt\"}").status == 404)
        }
    }

    @Test func tokenURLFollowsTheHostHeader() async throws {
        try await EmulatorHarness.with { emulator in
            let url = try emulator.admin.addFile(named: "h.bin", in: 0, contents: [1])
            let answer = try await Curl.run(["-X", "POST", "\(emulator.apiURL)/download/get_token.cgi", "-H", "Content-Type: application/json",
                                             "-H", "Authorization: Bearer \(EmulatorHarness.key)", "-H", "Host: dl.example.test",
                                             "-H", "X-Forwarded-Proto: https", "-d", "{\"url\":\"\(url)\"}"]).json()
            #expect((answer["url"] as? String)?.hasPrefix("https://dl.example.test/dl/") == true)
        }
    }
}

/// State survives a restart; discard mode keeps metadata only.
@Suite struct StorageModeTests {
    @Test func stateSurvivesARestartWithTheSameDataDirectory() async throws {
        let directory = try EmulatorHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = EmulatorHarness.configuration { $0.dataDirectory = directory.path }
        let files = try TestFiles()
        let bytes = TestFiles.pattern(70_000)
        let path = try files.make("keep.bin", bytes)
        let (url, folder, remote) = try await EmulatorHarness.with(configuration) { emulator in
            let folder = try #require(try await emulator.ok("folder/mkdir.cgi", #"{"name":"kept"}"#)["folder_id"] as? Int)
            let upload = try await NodeUpload.run(emulator, files: [path], folder: folder)
            #expect(upload.status == 302)
            let url = try #require(emulator.admin.files(in: folder).first?.url)
            _ = try await emulator.ok("file/chattr.cgi", "{\"urls\":[\"\(url)\"],\"description\":\"persisted\"}")
            _ = try await emulator.ok("user/info.cgi", #"{"page_limit":77}"#)
            let remote = try #require(try await emulator.ok("remote/request.cgi", #"{"urls":["http://127.0.0.1:9/none"]}"#)["id"] as? Int)
            await emulator.waitForRemoteUploads()
            return (url, folder, remote)
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("state.json").path))
        try await EmulatorHarness.with(configuration) { emulator in
            let listing = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(folder)}")
            let item = try #require((listing["items"] as? [[String: Any]])?.first)
            #expect(item["url"] as? String == url)
            #expect(item["checksum"] as? String == Whirlpool.hex(of: bytes))
            #expect(try await emulator.ok("file/info.cgi", "{\"url\":\"\(url)\"}")["description"] as? String == "persisted")
            #expect(try await emulator.ok("user/info.cgi")["page_limit"] as? Int == 77)
            #expect(try await emulator.ok("remote/info.cgi", "{\"id\":\(remote)}")["execution_date"] as? String != "")
            let link = try await DownloadTests.token(emulator, url)
            #expect(try await Curl.run([link]).body == Data(bytes))
            // New folder ids continue after the old ones.
            let next = try #require(try await emulator.ok("folder/mkdir.cgi", #"{"name":"next"}"#)["folder_id"] as? Int)
            #expect(next > folder)
        }
    }

    @Test func corruptStateIsAClearError() async throws {
        let directory = try EmulatorHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("{not json".utf8).write(to: directory.appendingPathComponent("state.json"))
        let emulator = Emulator(EmulatorHarness.configuration { $0.dataDirectory = directory.path })
        await #expect(throws: EmulatorError.self) { try await emulator.start() }
    }

    @Test func discardModeKeepsMetadataOnly() async throws {
        let directory = try EmulatorHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = EmulatorHarness.configuration {
            $0.storage = .discard
            $0.dataDirectory = directory.path
        }
        try await EmulatorHarness.with(configuration) { emulator in
            let files = try TestFiles()
            let path = try files.make("big.bin", TestFiles.pattern(2_000_000))
            let upload = try await NodeUpload.run(emulator, files: [path])
            let xid = try #require(upload.xid)
            let link = try #require((try await UploadNodeTests.report(emulator, xid).json()["links"] as? [[String: Any]])?.first)
            #expect(link["size"] as? String == "2000000")
            #expect(link["whirlpool"] as? String == "")
            let item = try #require((try await emulator.ok("file/ls.cgi")["items"] as? [[String: Any]])?.first)
            #expect(item["checksum"] as? String == "")
            #expect(item["size"] as? Int == 2_000_000)
            let blobs = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("blobs").path)
            #expect(blobs.isEmpty)
            // Downloads serve zeros of the recorded size.
            let url = try #require(link["download"] as? String)
            let body = try await Curl.run([try await DownloadTests.token(emulator, url)]).body
            #expect(body.count == 2_000_000 && body.allSatisfy { $0 == 0 })
            // Bulk seeding for listing benchmarks.
            let folder = try emulator.admin.makeFolder(named: "bench", in: 0)
            try emulator.admin.addFiles(count: 10_000, in: folder, size: 1_024)
            let listing = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(folder)}")
            #expect(listing["count"] as? Int == 5_000)   // the service's cap
        }
    }

    @Test func bulkFilesOnDiskShareOneBlob() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration { $0.listingCap = nil }) { emulator in
            let folder = try emulator.admin.ensureFolder(path: "/bench/2026")
            #expect(emulator.admin.folderID(path: "bench/2026") == folder)
            try emulator.admin.addFiles(count: 10_000, in: folder, size: 4_096)
            let listing = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(folder)}")
            #expect(listing["count"] as? Int == 10_000)
            let items = try #require(listing["items"] as? [[String: Any]])
            #expect(items.first?["filename"] as? String == "file-000001.bin")
            #expect(items.last?["filename"] as? String == "file-010000.bin")
            let url = try #require(items[1234]["url"] as? String)
            let file = try #require(emulator.admin.file(url: url))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: try #require(file.storedPath)))
            #expect(bytes.count == 4_096)
            #expect(file.whirlpool == Whirlpool.hex(of: bytes))
        }
    }
}
