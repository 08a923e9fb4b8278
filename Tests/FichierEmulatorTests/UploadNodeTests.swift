import FichierAPI
import Foundation
import Testing
@testable import FichierEmulator

/// upload.cgi and end.pl, driven by curl as the reference's examples do.
@Suite struct UploadNodeTests {
    static func report(_ emulator: Emulator, _ xid: String, headers: [String] = ["-H", "JSON: 1"],
                       query: String = "") async throws -> Curl.Result {
        try await Curl.run(headers + ["\(emulator.baseURL)/end.pl?xid=\(xid)\(query)"])
    }

    @Test func uploadRedirectsToEndPlWhichAnswersJSONOrHTML() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let bytes = TestFiles.pattern(300_000)
            let path = try files.make("data.bin", bytes)
            let upload = try await NodeUpload.run(emulator, files: [path])
            #expect(upload.status == 302)
            let xid = try #require(upload.xid)
            #expect(upload.location == "/end.pl?xid=\(xid)")
            #expect(upload.body.contains("Moved"))

            for headers in [["-H", "JSON: 1"], ["-H", "json: 1"], ["-H", "Json: 1"]] {
                let result = try await Self.report(emulator, xid, headers: headers)
                #expect(result.headers["content-type"] == "application/json; charset=utf-8")
                let object = try result.json()
                #expect(object["status"] == nil)
                #expect(object["incoming"] as? Int == 0)
                let link = try #require((object["links"] as? [[String: Any]])?.first)
                #expect(link["filename"] as? String == "data.bin")
                #expect(link["size"] as? String == "300000")
                #expect(link["remove"] as? String == "")
                #expect(link["whirlpool"] as? String == Whirlpool.hex(of: bytes))
                let url = try #require(link["download"] as? String)
                #expect(url.range(of: #"^https://1fichier\.com/\?[a-z0-9]{20}$"#, options: .regularExpression) != nil)
                let stored = try #require(emulator.admin.file(url: url))
                #expect(try Data(contentsOf: URL(fileURLWithPath: try #require(stored.storedPath))) == Data(bytes))
            }
            let viaQuery = try await Self.report(emulator, xid, headers: [], query: "&JSON=1")
            #expect(try viaQuery.json()["links"] != nil)
            let html = try await Self.report(emulator, xid, headers: [])
            #expect(html.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(html.text.contains("<table class=\"premium\">"))
            #expect(html.text.contains("data.bin"))
            #expect(html.text.contains("292.97 Ko"))
            #expect(html.text.contains("<td class=\"normal\"><a href=\"https://1fichier.com/?"))
            // Readable JSON with JSON: 2.
            #expect(try await Self.report(emulator, xid, headers: ["-H", "JSON: 2"]).text.contains("\n   \"links\" : ["))
        }
    }

    @Test func severalFilesInOneRequestAndTheDestinationFolder() async throws {
        try await EmulatorHarness.with { emulator in
            let folder = try emulator.admin.makeFolder(named: "in", in: 0)
            let files = try TestFiles()
            let a = try files.make("a.txt", text: "alpha")
            let b = try files.make("b.jpg", TestFiles.pattern(5_000))
            let upload = try await NodeUpload.run(emulator, files: [a, b, a], folder: folder)
            let xid = try #require(upload.xid)
            let links = try #require(try await Self.report(emulator, xid).json()["links"] as? [[String: Any]])
            #expect(links.map { $0["filename"] as? String } == ["a.txt", "b.jpg", "a.txt"])
            let listed = emulator.admin.files(in: folder)
            #expect(listed.map(\.name) == ["a.txt", "b.jpg", "a.txt"])
            #expect(listed.map(\.contentType) == ["text/plain", "image/jpeg", "text/plain"])
            #expect(Set(listed.map(\.url)).count == 3)
        }
    }

    @Test func invalidOrMissingDidGoesToTheRoot() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let path = try files.make("x.txt", text: "x")
            for did in [987_654_321, -5] {
                let upload = try await NodeUpload.run(emulator, files: [path], folder: did)
                #expect(upload.status == 302)
            }
            _ = try await NodeUpload.run(emulator, files: [path], folder: nil)
            #expect(emulator.admin.files(in: 0).count == 3)
        }
    }

    @Test func anonymousUploadsStayOutsideTheAccount() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let path = try files.make("anon.txt", text: "anonymous")
            let folder = try emulator.admin.makeFolder(named: "f", in: 0)
            let upload = try await NodeUpload.run(emulator, files: [path], folder: folder, key: nil)
            #expect(upload.status == 302)
            let xid = try #require(upload.xid)
            let link = try #require((try await Self.report(emulator, xid).json()["links"] as? [[String: Any]])?.first)
            let remove = try #require(link["remove"] as? String)
            #expect(!remove.isEmpty)
            #expect(emulator.admin.files(in: folder).isEmpty)
            #expect(try await emulator.ok("file/ls.cgi", #"{"folder_id":-1}"#)["count"] as? Int == 0)
            let url = try #require(link["download"] as? String)
            // Removing it needs its code.
            #expect(try await emulator.call("file/rm.cgi", "{\"files\":[{\"url\":\"\(url)\"}]}").status == 403)
            let code = try #require(remove.split(separator: "/").last)
            #expect(try await emulator.call("file/rm.cgi", "{\"files\":[{\"url\":\"\(url)\",\"code\":\"\(code)\"}]}").status == 200)
            #expect(emulator.admin.file(url: url) == nil)
        }
    }

    @Test func emptyFilesAreRefused() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let empty = try files.make("empty.txt", [])
            let upload = try await NodeUpload.run(emulator, files: [empty])
            #expect(upload.status == 200)
            #expect(upload.location == nil)
            #expect(upload.body.contains("<div class=\"bloc2\">Pas de fichier trouvé dans l'envoi</div>"))
            #expect(emulator.admin.allFiles.isEmpty)
            // With a non-empty sibling, only the empty one is dropped.
            let full = try files.make("full.txt", text: "full")
            let mixed = try await NodeUpload.run(emulator, files: [empty, full])
            #expect(mixed.status == 302)
            #expect(emulator.admin.allFiles.map(\.name) == ["full.txt"])
        }
    }

    @Test func contentLengthIsRequired() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let path = try files.make("c.txt", text: "chunked")
            let server = try await emulator.ok("upload/get_upload_server.cgi")
            let id = try #require(server["id"] as? String)
            let result = try await Curl.run(["-H", "Transfer-Encoding: chunked", "-H", "Authorization: Bearer \(EmulatorHarness.key)",
                                             "-F", "file[]=@\(path)", "\(emulator.baseURL)/upload.cgi?id=\(id)"])
            #expect(result.status == 411)
            #expect(emulator.admin.allFiles.isEmpty)
        }
    }

    /// Sends a hand-made multipart body.
    static func rawUpload(_ emulator: Emulator, body: [UInt8], contentType: String, files: TestFiles,
                          id: String? = nil) async throws -> Curl.Result {
        let path = try files.make("body-\(UUID().uuidString)", body)
        var uploadID = id
        if uploadID == nil { uploadID = try await emulator.ok("upload/get_upload_server.cgi")["id"] as? String }
        return try await Curl.run(["-X", "POST", "-H", "Content-Type: \(contentType)", "-H", "Authorization: Bearer \(EmulatorHarness.key)",
                                   "--data-binary", "@\(path)", "\(emulator.baseURL)/upload.cgi?id=\(uploadID ?? "")"])
    }

    @Test func bodiesFullOfNearDelimitersSurvive() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let boundary = "XyZ-boundary-42"
            var data = [UInt8]()
            for round in 0..<2_000 {
                data += Array("\r\n--XyZ-boundary-4\r\n--\r\n\r\n--XyZ-boundary-".utf8)
                data += TestFiles.pattern(round % 97 + 1, seed: UInt64(round + 1))
            }
            var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"did\"\r\n\r\n0\r\n".utf8)
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file[]\"; filename=\"tricky.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += data
            body += Array("\r\n--\(boundary)--\r\n".utf8)
            let result = try await Self.rawUpload(emulator, body: body, contentType: "multipart/form-data; boundary=\(boundary)", files: files)
            #expect(result.status == 302)
            let stored = try #require(emulator.admin.allFiles.first)
            #expect(stored.size == Int64(data.count))
            #expect(stored.whirlpool == Whirlpool.hex(of: data))
        }
    }

    @Test func strictnessTheServiceIsKnownFor() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            func body(_ disposition: String, extraFirst: String = "") -> [UInt8] {
                Array("--B0undary\r\n\(extraFirst)\(disposition)\r\n\r\nsome data\r\n--B0undary--\r\n".utf8)
            }
            let good = #"Content-Disposition: form-data; name="file[]"; filename="ok.txt""#
            let cases: [(String, [UInt8], String)] = [
                ("quoted boundary", body(good), "multipart/form-data; boundary=\"B0undary\""),
                ("Content-Type before Content-Disposition", body(good, extraFirst: "Content-Type: text/plain\r\n"), "multipart/form-data; boundary=B0undary"),
                ("unquoted name", body(#"Content-Disposition: form-data; name=file[]; filename="ok.txt""#), "multipart/form-data; boundary=B0undary"),
                ("wrong field name", body(#"Content-Disposition: form-data; name="file"; filename="ok.txt""#), "multipart/form-data; boundary=B0undary"),
                ("not multipart", body(good), "application/octet-stream"),
                ("truncated", Array("--B0undary\r\n\(good)\r\n\r\nsome data".utf8), "multipart/form-data; boundary=B0undary"),
            ]
            for (label, bytes, type) in cases {
                let result = try await Self.rawUpload(emulator, body: bytes, contentType: type, files: files)
                #expect(result.status == 200, "\(label)")
                #expect(result.text.contains("Pas de fichier trouvé"), "\(label)")
            }
            #expect(emulator.admin.allFiles.isEmpty)
            let accepted = try await Self.rawUpload(emulator, body: body(good), contentType: "multipart/form-data; boundary=B0undary", files: files)
            #expect(accepted.status == 302)
            // Reserved characters in names are refused rather than silently mangled.
            let reserved = try await Self.rawUpload(
                emulator, body: body(#"Content-Disposition: form-data; name="file[]"; filename="a<b>.txt""#),
                contentType: "multipart/form-data; boundary=B0undary", files: files)
            #expect(reserved.status == 200 && reserved.text.contains("Nom de fichier invalide"))
        }
    }

    @Test func uploadIDsAreSingleUseAndReportsExpire() async throws {
        let configuration = EmulatorHarness.configuration { $0.uploadReportLifetime = .seconds(3) }
        try await EmulatorHarness.with(configuration) { emulator in
            let files = try TestFiles()
            let body = Array("--B\r\nContent-Disposition: form-data; name=\"file[]\"; filename=\"o.txt\"\r\n\r\nxx\r\n--B--\r\n".utf8)
            let first = try await Self.rawUpload(emulator, body: body, contentType: "multipart/form-data; boundary=B", files: files, id: "Reuse12345")
            let started = ContinuousClock.now   // the report was made before this point
            #expect(first.status == 302)
            let second = try await Self.rawUpload(emulator, body: body, contentType: "multipart/form-data; boundary=B", files: files, id: "Reuse12345")
            #expect(second.status == 200 && second.text.contains("bloc2"))
            #expect(try await Self.report(emulator, "Reuse12345").status == 200)
            try await Task.sleep(until: started + .milliseconds(3_500))
            let expired = try await Self.report(emulator, "Reuse12345")
            #expect(expired.status == 404)
            #expect(expired.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(try await Self.report(emulator, "NeverUsed1").status == 404)
            let badID = try await Self.rawUpload(emulator, body: body, contentType: "multipart/form-data; boundary=B", files: files, id: "bad-id!")
            #expect(badID.status == 200 && badID.text.contains("bloc2"))
            #expect(emulator.admin.allFiles.count == 1)
        }
    }

    @Test func nonASCIIAndExtendedFileNames() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let path = try files.make("été ＜x＞.txt", text: "accents")
            let upload = try await NodeUpload.run(emulator, files: [path])
            #expect(upload.status == 302)
            #expect(emulator.admin.allFiles.first?.name == "été ＜x＞.txt")
            let body = Array("--B\r\nContent-Disposition: form-data; name=\"file[]\"; filename=\"fallback.txt\"; filename*=UTF-8''na%C3%AFve.txt\r\n\r\nxx\r\n--B--\r\n".utf8)
            #expect(try await Self.rawUpload(emulator, body: body, contentType: "multipart/form-data; boundary=B", files: files).status == 302)
            #expect(emulator.admin.allFiles.last?.name == "naïve.txt")
        }
    }
}

@Suite struct UploadOptionsTests {
    @Test func domainAndPasswordFields() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let path = try files.make("d.txt", text: "domain")
            let upload = try await NodeUpload.run(emulator, files: [path], extra: ["-F", "domain=1", "-F", "dpass=hunter22"])
            #expect(upload.status == 302)
            let file = try #require(emulator.admin.allFiles.first)
            #expect(file.url.hasPrefix("https://alterupload.com/?"))
            #expect(try await emulator.call("download/get_token.cgi", "{\"url\":\"\(file.url)\"}").status == 403)
            #expect(try await emulator.call("download/get_token.cgi", "{\"url\":\"\(file.url)\",\"pass\":\"hunter22\"}").status == 200)
        }
    }

    @Test func listingDelayHidesFreshUploads() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration { $0.listingDelay = .seconds(3) }) { emulator in
            let files = try TestFiles()
            let path = try files.make("late.txt", text: "late")
            #expect(try await NodeUpload.run(emulator, files: [path]).status == 302)
            let started = ContinuousClock.now   // the file was stored before this point
            #expect(try await emulator.ok("file/ls.cgi")["count"] as? Int == 0)
            try await Task.sleep(until: started + .milliseconds(3_300))
            #expect(try await emulator.ok("file/ls.cgi")["count"] as? Int == 1)
        }
    }
}

@Suite struct UploadStorageFailureTests {
    @Test func aNodeThatCannotWriteAnswersItsFailurePage() async throws {
        try await EmulatorHarness.with { emulator in
            // Replace the incoming directory by a file: creating upload files now fails.
            let incoming = emulator.dataDirectoryPath + "/incoming"
            try FileManager.default.removeItem(atPath: incoming)
            try Data("x".utf8).write(to: URL(fileURLWithPath: incoming))
            let files = try TestFiles()
            let path = try files.make("w.txt", text: "write me")
            let upload = try await NodeUpload.run(emulator, files: [path])
            #expect(upload.status == 200)
            #expect(upload.location == nil)
            #expect(upload.body.contains("<div class=\"bloc2\">Ne peut ouvrir le fichier destination</div>"))
            #expect(emulator.admin.allFiles.isEmpty)
            try FileManager.default.removeItem(atPath: incoming)
            try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: false)
            #expect(try await NodeUpload.run(emulator, files: [path]).status == 302)
        }
    }
}
