import Foundation
import Testing
@testable import FichierEmulator

@Suite struct SmokeTests {
    @Test func uploadListAndDownloadWithCurl() async throws {
        try await EmulatorHarness.with { emulator in
            let directory = try EmulatorHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("hello.txt")
            try Data("hello world\n".utf8).write(to: file)
            let upload = try await NodeUpload.run(emulator, files: [file.path])
            #expect(upload.status == 302)
            let xid = try #require(upload.xid)
            let report = try await Curl.run(["-H", "JSON: 1", "\(emulator.baseURL)/end.pl?xid=\(xid)"]).json()
            let links = try #require(report["links"] as? [[String: Any]])
            #expect(links.count == 1)
            #expect(links.first?["size"] as? String == "12")
            let listing = try await Curl.api(emulator.baseURL, "file/ls.cgi", key: EmulatorHarness.key, body: #"{"folder_id":0}"#).json()
            #expect(listing["count"] as? Int == 1)
        }
    }
}
