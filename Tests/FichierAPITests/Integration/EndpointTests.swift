import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

/// Every endpoint of the table, driven through FichierClient against the emulator over real
/// sockets; the emulator's request log proves each real path was used.
@Suite struct EndpointTests {
    @Test func everyEndpointThroughTheClient() async throws {
        try await APIHarness.with { emulator, client in
            // Account.
            let user = try await client.userInfo()
            #expect(user.email == emulator.configuration.accountEmail)

            // Folders.
            let backups = try await client.makeFolder(named: "backups", in: 0)
            let year = try await client.makeFolder(named: "2026", in: backups.id)
            let root = try await client.listFolder(0)
            #expect(root.id == 0 && root.subfolders.contains { $0.id == backups.id && $0.name == "backups" })

            // Upload: get_upload_server → upload.cgi → end.pl.
            let content = Array("hello 1fichier".utf8)
            let uploaded = try await client.upload(BytesUploadBody(content), named: "hello.txt", to: year.id,
                                                   verifyChecksum: true)
            #expect(uploaded.size == Int64(content.count) && uploaded.name == "hello.txt" && uploaded.folder == year.id)
            #expect(uploaded.whirlpool == Whirlpool.hex(of: content))
            #expect(emulator.admin.file(url: uploaded.url)?.folderID == year.id)

            // A second report call for the same xid, and an explicit upload server.
            let server = try await client.uploadServer()
            #expect(!server.node.isEmpty && !server.id.isEmpty)
            let node = String(emulator.baseURL.dropFirst("http://".count))
            let report = try await client.uploadReport(node: node, xid: uploaded.xid)
            #expect(report.links.first?.url == uploaded.url)

            // Listings and info.
            let withFiles = try await client.listFolder(year.id, includeFiles: true)
            #expect(withFiles.files.map(\.url) == [uploaded.url])
            let files = try await client.listFiles(in: year.id)
            #expect(files.count == 1 && files[0].size == Int64(content.count) && files[0].checksum == uploaded.whirlpool)
            let info = try await client.fileInfo(url: uploaded.url)
            #expect(info.name == "hello.txt" && info.folderID == year.id && info.checksum == uploaded.whirlpool)

            // Download, whole and by range.
            let whole = MemorySink()
            let outcome = try await client.download(token: try await client.downloadToken(url: uploaded.url), into: whole)
            #expect(outcome.status == 200 && whole.bytes == content && outcome.bytesWritten == Int64(content.count))
            let slice = MemorySink()
            let ranged = try await client.download(token: try await client.downloadToken(url: uploaded.url),
                                                   range: 6..<10, into: slice)
            #expect(ranged.status == 206 && ranged.offset == 6 && ranged.totalSize == Int64(content.count))
            #expect(slice.bytes == Array(content[6..<10]))

            // Rename, copy, move, attributes.
            let renamed = try await client.renameFile(url: uploaded.url, to: "greeting.txt")
            #expect(renamed.newName == "greeting.txt")
            let copies = try await client.copyFiles(urls: [uploaded.url], to: backups.id, rename: "copy.txt")
            #expect(copies.count == 1 && copies[0].url != uploaded.url)
            let moved = try await client.moveFiles(urls: [copies[0].url], to: 0)
            #expect(moved == [copies[0].url])
            #expect(emulator.admin.file(url: copies[0].url)?.folderID == 0)
            let updated = try await client.changeAttributes(urls: [uploaded.url],
                                                            FileAttributeChanges(description: "notes", inline: true))
            #expect(updated == 1)
            let changed = try await client.fileInfo(url: uploaded.url)
            #expect(changed.inline && changed.description == "notes" && changed.name == "greeting.txt")

            // Remote upload: the emulator fetches one of its own download links.
            let source = try await client.downloadToken(url: uploaded.url, singleUse: false)
            let request = try await client.requestRemoteUpload(urls: [source.url], to: backups.id)
            await emulator.waitForRemoteUploads()
            let tasks = try await client.listRemoteUploads()
            #expect(tasks.contains { $0.id == request.id })
            let remote = try await client.remoteUploadInfo(id: request.id)
            #expect(remote.id == request.id && remote.results.count == 1 && remote.results.first?.succeeded == true)

            // Removal, folder move and removal.
            let removed = try await client.removeFiles(urls: [copies[0].url])
            #expect(removed == 1 && emulator.admin.file(url: copies[0].url) == nil)
            try await client.moveFolder(year.id, to: 0, rename: "twenty-six")
            let rootAfter = try await client.listFolder(0)
            #expect(rootAfter.subfolders.contains { $0.id == year.id && $0.name == "twenty-six" })
            let notEmpty = await APIHarness.failure { try await client.removeFolder(year.id) }
            #expect(notEmpty?.kind == .notEmpty)
            _ = try await client.removeFiles(urls: [uploaded.url])
            try await client.removeFolder(year.id)
            #expect(emulator.admin.folderID(path: "/twenty-six") == nil)

            // Every path of the table was called, API calls by POST.
            let log = emulator.faults.requestLog
            for endpoint in Endpoint.allCases {
                let path = endpoint.host == .api ? "/v1/\(endpoint.path)" : "/\(endpoint.path)"
                let calls = log.filter { $0.path == path }
                #expect(!calls.isEmpty, "\(path) never called")
                #expect(calls.allSatisfy { $0.method == endpoint.method.rawValue }, "\(path) method")
            }
        }
    }

    @Test func unknownPathsAndRawTransport() async throws {
        try await APIHarness.with { emulator, client in
            // An invented blog endpoint answers 404 through the same transport.
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/json")
            let response = try await client.transport.send(HTTPRequest(
                method: .post, url: "\(emulator.apiURL)/upload/add_url.cgi", headers: headers, body: .bytes(Array("{}".utf8)),
                bearer: APIKey(APIHarness.key)))
            #expect(response.status == 404)
            // The JSON content type and the key are sent on every call.
            _ = try await client.listFolder(0)
            #expect(emulator.faults.requestLog.last?.status == 200)
        }
    }
}
