import FichierAPI
import Dispatch
import Foundation
import Testing
@testable import FichierEmulator

/// remote/request fetches URLs itself; remote/ls and remote/info report the outcome.
@Suite struct RemoteUploadTests {
    @Test func fetchesStoresAndReports() async throws {
        try await EmulatorHarness.with { emulator in
            let bytes = TestFiles.pattern(123_456, seed: 3)
            let source = try emulator.admin.addFile(named: "source.bin", in: 0, contents: bytes)
            let link = try await DownloadTests.token(emulator, source)
            let folder = try emulator.admin.makeFolder(named: "fetched", in: 0)
            let urls = [link, "http://127.0.0.1:1/refused", "\(emulator.baseURL)/dl/unknown", "https://example.invalid/x"]
            let body = try JSONSerialization.data(withJSONObject: ["urls": urls, "folder_id": folder, "headers": ["X-Test": "1"]])
            let answer = try await emulator.ok("remote/request.cgi", String(decoding: body, as: UTF8.self))
            #expect(answer["status"] as? String == "OK")
            let id = try #require(answer["id"] as? Int)
            #expect(answer["urls"] as? [String] == urls)
            #expect(answer["headers"] as? [String: String] == ["X-Test": "1"])
            await emulator.waitForRemoteUploads()

            let list = try await emulator.ok("remote/ls.cgi")
            let entry = try #require((list["data"] as? [[String: Any]])?.first { $0["id"] as? Int == id })
            #expect((entry["execution_date"] as? String)?.isEmpty == false)
            #expect(entry["request_date"] is String)

            let info = try await emulator.ok("remote/info.cgi", "{\"id\":\(id)}")
            #expect(info["links"] as? [String] == urls)
            let results = try #require(info["result"] as? [[String: Any]])
            #expect(results.map { $0["status"] as? String } == ["OK", "KO", "KO", "KO"])
            #expect((results[2]["message"] as? String)?.contains("404") == true)
            let stored = try #require(emulator.admin.files(in: folder).first)
            #expect(results[0]["download_link"] as? String == stored.url)
            #expect(stored.name == "source.bin")
            #expect(stored.size == Int64(bytes.count))
            #expect(stored.whirlpool == Whirlpool.hex(of: bytes))
            #expect(try await emulator.call("remote/info.cgi", #"{"id":999999}"#).status == 404)
            #expect(try await emulator.call("remote/request.cgi", #"{"urls":[]}"#).status == 403)
            #expect(try await emulator.call("remote/request.cgi", #"{"urls":["http://x/"],"folder_id":424242}"#).status == 404)
        }
    }

    @Test func executionDateStaysEmptyUntilDoneAndHeadersAreSent() async throws {
        // A slow second emulator plays the remote web server.
        try await EmulatorHarness.with(EmulatorHarness.configuration { $0.latency = .seconds(2) }) { remote in
            try await EmulatorHarness.with { emulator in
                // get_upload_server only answers with the JSON content type, so this fetch
                // succeeds only if the requested headers are sent along.
                let target = "\(remote.apiURL)/upload/get_upload_server.cgi"
                let body = "{\"urls\":[\"\(target)\",\"\(target)\"],\"headers\":{\"Content-Type\":\"application/json\"}}"
                let id = try #require(try await emulator.ok("remote/request.cgi", body)["id"] as? Int)
                let pending = try await emulator.ok("remote/ls.cgi")
                let entry = (pending["data"] as? [[String: Any]])?.first { $0["id"] as? Int == id }
                #expect(entry?["execution_date"] as? String == "")
                await emulator.waitForRemoteUploads()
                let info = try await emulator.ok("remote/info.cgi", "{\"id\":\(id)}")
                let results = try #require(info["result"] as? [[String: Any]])
                #expect(results.map { $0["status"] as? String } == ["OK", "OK"])
                #expect((info["execution_date"] as? String)?.isEmpty == false)
                let names = emulator.admin.files(in: 0).map(\.name)
                #expect(names == ["get_upload_server.cgi", "get_upload_server.cgi"])
            }
        }
    }
}

/// A tiny web server in Python that redirects, for the remote fetcher.
@Suite struct RemoteRedirectTests {
    static let script = """
        import http.server, sys
        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_GET(self):
                if self.path == '/start':
                    self.send_response(302); self.send_header('Location', '/files/real.bin'); self.send_header('Content-Length', '0'); self.end_headers()
                elif self.path == '/files/real.bin':
                    body = bytes(range(256)) * 40
                    self.send_response(200); self.send_header('Content-Length', str(len(body)))
                    self.send_header('Content-Disposition', 'attachment; filename="named by server.bin"'); self.end_headers(); self.wfile.write(body)
                else:
                    self.send_response(404); self.send_header('Content-Length', '0'); self.end_headers()
        s = http.server.HTTPServer(('127.0.0.1', 0), H)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """

    @Test func followsRedirectsAndUsesTheServersFileName() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Foundation spawns children with signals blocked, so SIGTERM would not end Python.
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        let port = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            DispatchQueue.global().async {
                let line = output.fileHandleForReading.availableData
                if let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) {
                    continuation.resume(returning: port)
                } else {
                    continuation.resume(throwing: Curl.CurlError("python server did not start"))
                }
            }
        }
        try await EmulatorHarness.with { emulator in
            let id = try #require(try await emulator.ok("remote/request.cgi", "{\"urls\":[\"http://127.0.0.1:\(port)/start\"]}")["id"] as? Int)
            await emulator.waitForRemoteUploads()
            let result = try #require((try await emulator.ok("remote/info.cgi", "{\"id\":\(id)}")["result"] as? [[String: Any]])?.first)
            #expect(result["status"] as? String == "OK", "\(result)")
            let file = try #require(emulator.admin.files(in: 0).first)
            #expect(file.name == "named by server.bin")
            #expect(file.size == 10_240)
            let expected = (0..<40).flatMap { _ in (0..<256).map(UInt8.init) }
            #expect(file.whirlpool == Whirlpool.hex(of: expected))
        }
    }
}
