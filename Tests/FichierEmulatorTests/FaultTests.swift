import Foundation
import Testing
@testable import FichierEmulator

/// Each injected fault, as a client meets it.
@Suite struct FaultTests {
    @Test func floodLockThenRecovery() async throws {
        try await EmulatorHarness.with { emulator in
            emulator.faults.floodLock(for: .seconds(30))
            let locked = try await emulator.call("file/ls.cgi")
            #expect(locked.status == 403)
            #expect(try locked.json()["message"] as? String == "Flood detected: IP Locked #374")
            emulator.faults.floodLock(for: .seconds(60), message: "Flood detected: IP Locked #412")
            #expect(try await emulator.call("folder/ls.cgi").json()["message"] as? String == "Flood detected: IP Locked #412")
            emulator.faults.liftFloodLock()
            #expect(try await emulator.call("file/ls.cgi").status == 200)
            // A lock ends by itself once its time is up.
            emulator.faults.floodLock(for: .seconds(30))
            #expect(emulator.faults.activeFloodLock() != nil)
            #expect(emulator.faults.activeFloodLock(now: .now + .seconds(31)) == nil)
            #expect(try await emulator.call("file/ls.cgi").status == 200)
        }
    }

    @Test func nodeFailurePageStoresNothingAndTheNextUploadWorks() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let path = try files.make("n.bin", TestFiles.pattern(50_000))
            emulator.faults.failNextUploads(1, with: .nodeFailurePage)
            let failed = try await NodeUpload.run(emulator, files: [path])
            #expect(failed.status == 200)
            #expect(failed.location == nil)
            #expect(failed.body.contains("<div class=\"bloc2\">Ne peut ouvrir le fichier destination</div>"))
            #expect(emulator.admin.allFiles.isEmpty)
            #expect(try await NodeUpload.run(emulator, files: [path]).status == 302)
            #expect(emulator.admin.allFiles.count == 1)
        }
    }

    @Test func endPageFaults() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let path = try files.make("e.txt", text: "end page")
            emulator.faults.failNextUploads(1, with: .endPagePleaseWait)
            emulator.faults.failNextUploads(1, with: .endPagePleaseWaitThenReport(calls: 2))
            emulator.faults.failNextUploads(1, with: .emptyLinks)

            let wait = try await NodeUpload.run(emulator, files: [path])
            #expect(wait.status == 302)
            for _ in 0..<3 {
                let page = try await UploadNodeTests.report(emulator, try #require(wait.xid))
                #expect(page.status == 200)
                #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
                #expect(page.text.contains("Please wait"))
            }

            let later = try await NodeUpload.run(emulator, files: [path])
            let laterXID = try #require(later.xid)
            #expect(try await UploadNodeTests.report(emulator, laterXID).text.contains("Please wait"))
            #expect(try await UploadNodeTests.report(emulator, laterXID).text.contains("Please wait"))
            #expect((try await UploadNodeTests.report(emulator, laterXID).json()["links"] as? [Any])?.count == 1)

            let empty = try await NodeUpload.run(emulator, files: [path])
            let report = try await UploadNodeTests.report(emulator, try #require(empty.xid)).json()
            #expect(report["incoming"] as? Int == 0)
            #expect((report["links"] as? [Any])?.isEmpty == true)
            // The uploads themselves went through.
            #expect(emulator.admin.allFiles.count == 3)
        }
    }

    @Test func serverErrorOnTheNode() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let path = try files.make("s.txt", text: "server error")
            emulator.faults.failNextUploads(1, with: .serverError(status: 503))
            let failed = try await NodeUpload.run(emulator, files: [path])
            #expect(failed.status == 503)
            #expect(failed.location == nil)
            #expect(emulator.admin.allFiles.isEmpty)
        }
    }

    @Test func droppedConnectionMidUpload() async throws {
        try await EmulatorHarness.with { emulator in
            let files = try TestFiles()
            let path = try files.make("d.bin", TestFiles.pattern(8_000_000))
            emulator.faults.failNextUploads(1, with: .dropConnection(afterBytes: 1_000_000))
            let server = try await emulator.ok("upload/get_upload_server.cgi")
            let id = try #require(server["id"] as? String)
            let result = try await Curl.run(["-H", "Authorization: Bearer \(EmulatorHarness.key)", "-F", "file[]=@\(path)",
                                             "\(emulator.baseURL)/upload.cgi?id=\(id)"])
            #expect(result.exitCode != 0)
            #expect(result.status == 0 || result.status == 100)   // no final response; curl may report the 100 Continue
            #expect(emulator.admin.allFiles.isEmpty)
            #expect(try await UploadNodeTests.report(emulator, id).status == 404)
            let incoming = try FileManager.default.contentsOfDirectory(atPath: emulator.dataDirectoryPath + "/incoming")
            #expect(incoming.isEmpty)
            #expect(emulator.faults.requestLog.contains { $0.path == "/upload.cgi" && $0.status == 0 })
            // The id can be used again once nothing was stored.
            let retry = try await Curl.run(["-H", "Authorization: Bearer \(EmulatorHarness.key)", "-F", "file[]=@\(path)",
                                            "\(emulator.baseURL)/upload.cgi?id=\(id)"])
            #expect(retry.status == 302)
        }
    }

    @Test func downloadsCutShortOfTheirLength() async throws {
        try await EmulatorHarness.with { emulator in
            let bytes = TestFiles.pattern(3_000_000, seed: 4)
            let url = try emulator.admin.addFile(named: "cut.bin", in: 0, contents: bytes)
            let link = try await DownloadTests.token(emulator, url)
            emulator.faults.cutNextDownloads(1, after: 1_234_567)
            // A download no longer than the cut passes and leaves it queued.
            let short = try await Curl.run(["-r", "0-999", link])
            #expect(short.exitCode == 0 && short.body == Data(bytes[0..<1000]))
            let cut = try await Curl.run([link])
            #expect(cut.exitCode == 18, "\(cut.standardError)")          // CURLE_PARTIAL_FILE
            #expect(cut.headers["content-length"] == "3000000")
            #expect(cut.body == Data(bytes[0..<1_234_567]))
            // Only the next one: the rest comes whole with a Range, and the token serves it.
            let rest = try await Curl.run(["-r", "1234567-", link])
            #expect(rest.exitCode == 0 && rest.status == 206)
            #expect(rest.body == Data(bytes[1_234_567...]))
        }
    }

    @Test func apiErrorsForSomeCalls() async throws {
        try await EmulatorHarness.with { emulator in
            emulator.faults.failNextAPICalls(2, status: 502, path: "file/ls.cgi")
            emulator.faults.failNextAPICalls(1, status: 429, path: "/v1/user/info.cgi")
            #expect(try await emulator.call("folder/ls.cgi").status == 200)
            let first = try await emulator.call("file/ls.cgi")
            #expect(first.status == 502)
            #expect(first.text.contains("<title>502 Bad Gateway</title>"))
            #expect(try await emulator.call("file/ls.cgi").status == 502)
            #expect(try await emulator.call("file/ls.cgi").status == 200)
            let limited = try await emulator.call("user/info.cgi")
            #expect(limited.status == 429)
            #expect(try limited.json()["status"] as? String == "KO")
            emulator.faults.failNextAPICalls(1, status: 500)
            #expect(try await emulator.call("folder/ls.cgi").status == 500)
            #expect(try await emulator.call("folder/ls.cgi").status == 200)
        }
    }

    @Test func latencyAndTheRequestLog() async throws {
        try await EmulatorHarness.with { emulator in
            emulator.faults.clearRequestLog()
            emulator.faults.setLatency(.milliseconds(300))
            let started = ContinuousClock.now
            let slow = try await emulator.call("folder/ls.cgi")
            #expect(slow.status == 200)
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            emulator.faults.setLatency(.zero)
            let unknown = try await emulator.call("nope.cgi")
            #expect(unknown.status == 404)
            let log = emulator.faults.requestLog
            #expect(log.map(\.path) == ["/v1/folder/ls.cgi", "/v1/nope.cgi"])
            #expect(log.map(\.method) == ["POST", "POST"])
            #expect(log.map(\.status) == [200, 404])
            #expect(log[0].time < log[1].time)
        }
    }

    @Test func latencyFromTheConfiguration() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration { $0.latency = .milliseconds(200) }) { emulator in
            let started = ContinuousClock.now
            _ = try await emulator.call("folder/ls.cgi")
            #expect(ContinuousClock.now - started >= .milliseconds(200))
        }
    }
}
