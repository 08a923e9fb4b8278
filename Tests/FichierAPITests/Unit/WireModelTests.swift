import Foundation
import Testing
@testable import FichierAPI

/// Bodies from the reference (observed ones where they exist), plus odd variants.
@Suite struct WireModelTests {
    func json(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    @Test func observedFileListing() throws {
        let body = try json(#"""
        {"status":"OK","count":1,
         "items":[{"pass":0,"acl":0,"size":12,"filename":"test.txt",
                   "checksum":"0a894ff039da399d5a72116b3665cd952abc8a9ffe37bfae4eae4d5381c5102b237c27e88b03f71c516e08ffa1cc9de9eac55d7d3abd38ea56220018f006a2c5",
                   "cdn":0,"url":"https://1fichier.com/?2zk52quqlm0cbjr93ri5",
                   "date":"2021-06-22 14:57:25","content-type":"text/plain"}]}
        """#)
        let items = try #require(body["items"]?.arrayValue)
        let file = try RemoteFile(json: items[0])
        #expect(file.url == "https://1fichier.com/?2zk52quqlm0cbjr93ri5")
        #expect(file.id == "2zk52quqlm0cbjr93ri5")
        #expect(file.name == "test.txt" && file.size == 12)
        #expect(file.contentType == "text/plain")
        #expect(file.checksum?.count == 128)
        #expect(file.uploadedAt == ParisTime.parse("2021-06-22 14:57:25"))
        #expect(!file.isPasswordProtected && !file.hasAccessList && !file.usesCDN)
        #expect(file.raw["count"] == nil && file.raw["cdn"] == .integer(0))
    }

    @Test func oddFileListingEntries() throws {
        // Strings for numbers, content_type with an underscore, a size above 2^31, unknown keys,
        // an encoded name, nulls.
        let file = try RemoteFile(json: try json(#"""
        {"url":"https://1fichier.com/?k97o8igxxx","filename":"a＂b␠","size":"5000000000","pass":"1",
         "acl":"0","cdn":null,"date":null,"content_type":"application/zip","novel":{"x":[1,2]}}
        """#))
        #expect(file.size == 5_000_000_000)
        #expect(file.name == "a\"b " && file.wireName == "a＂b␠")
        #expect(file.isPasswordProtected && !file.hasAccessList && !file.usesCDN)
        #expect(file.uploadedAt == nil && file.contentType == "application/zip")
        #expect(file.raw["novel"]?["x"] == .array([1, 2]))
        #expect(throws: FichierError.self) { try RemoteFile(json: try json(#"{"filename":"no url"}"#)) }
    }

    @Test func observedRootListing() throws {
        let listing = try FolderListing(json: try json(#"""
        {"folder_id":0,"status":"OK","size":null,"files":0,"name":"Root",
         "sub_folders":[{"id":3357645,"create_date":"2021-03-20 16:42:15","name":"backup.phenix","pass":0},
                        {"id":3361075,"create_date":"2021-03-21 06:00:06","name":"backup.rclone","pass":0}]}
        """#), requestedID: 0, includesFiles: false)
        #expect(listing.id == 0 && listing.name == "Root" && listing.fileCount == 0)
        #expect(listing.subfolders.map(\.id) == [3357645, 3361075])
        #expect(listing.subfolders[1].name == "backup.rclone")
        #expect(listing.subfolders[0].createdAt == ParisTime.parse("2021-03-20 16:42:15"))
        #expect(listing.files.isEmpty)
    }

    @Test func listingWithFilesAndStringIDs() throws {
        let listing = try FolderListing(json: try json(#"""
        {"Status":"OK","folder_id":"3361075","name":"backup.rclone","size":null,
         "sub_folders":[{"id":"12","name":"．","pass":"0"}],
         "items":[{"url":"https://1fichier.com/?abc","filename":"f","size":1,"checksum":"","date":"2021-06-22 14:57:25"}]}
        """#), requestedID: 3361075, includesFiles: true)
        #expect(listing.id == 3361075 && listing.subfolders[0].id == 12 && listing.subfolders[0].name == ".")
        #expect(listing.files.count == 1 && listing.files[0].checksum == "")
    }

    @Test func fileInfoWithBothContentTypeSpellingsAndAccessList() throws {
        let info = try FileInfo(json: try json(#"""
        {"url":"https://1fichier.com/?abcde12345","filename":"Example.dat","size":1234,
         "date":"2024-01-31 10:00:00","folder_id":1234,"path":"ExampleA/Ex＄ampleB",
         "checksum":"ABC","content_type":"application/octet-stream",
         "description":"","pass":0,"no_ssl":0,"inline":"1","cdn":0,
         "acl":{"ip":["192.0.2.0/24"],"country":["FR"],"email":["user@example.com"],"premium":1}}
        """#))
        #expect(info.contentType == "application/octet-stream")
        #expect(info.folderID == 1234 && info.path == "ExampleA/Ex$ampleB")
        #expect(info.inline && !info.noSSL && info.checksum == "abc")
        #expect(info.accessList?["country"] == .array(["FR"]))
        let hyphen = try FileInfo(json: try json(#"{"url":"https://1fichier.com/?x","content-type":"text/plain","acl":0}"#))
        #expect(hyphen.contentType == "text/plain" && hyphen.accessList == nil)
    }

    @Test func uploadReportSizeAsStringOrNumber() throws {
        let report = try UploadReport(json: try json(#"""
        {"incoming":0,"links":[{"download":"https://1fichier.com/?2zk52quqlm0cbjr93ri5","filename":"test.txt",
          "remove":"","size":"12","whirlpool":"0A894FF0"}]}
        """#))
        #expect(!report.incoming && report.links.count == 1)
        let link = report.links[0]
        #expect(link.size == 12 && link.removeURL == nil && link.whirlpool == "0a894ff0")
        let numeric = try UploadReport(json: try json(#"{"incoming":"1","links":[{"download":"https://1fichier.com/?a","filename":"x","size":12}]}"#))
        #expect(numeric.incoming && numeric.links[0].size == 12)
        let empty = try UploadReport(json: try json(#"{"incoming":0,"links":[]}"#))
        #expect(empty.links.isEmpty)
        #expect(throws: FichierError.self) {
            try UploadReport(json: try json(#"{"links":[{"download":"https://1fichier.com/?a","size":"twelve"}]}"#))
        }
    }

    @Test func userInfoWithStringFlags() throws {
        let user = try UserInfo(json: try json(#"""
        {"status":"OK","email":"me@example.com","offer":"1","subscription_end":"2026-12-31 23:59:59","cdn":"0.00",
         "use_cdn":"0","cold_storage":123456789,"available_cold_storage":2000000000000,"hot_storage":0,"2fa":"0",
         "ftp_did":0,"upload_forbidden":"0","overquota":0}
        """#))
        #expect(user.email == "me@example.com" && user.offer == 1 && user.cdnCredits == 0)
        #expect(user.coldStorageUsed == 123_456_789 && user.coldStorageAvailable == 2_000_000_000_000)
        #expect(!user.uploadForbidden && !user.overQuota && !user.usesCDN)
        #expect(user.subscriptionEnd == ParisTime.parse("2026-12-31 23:59:59"))
        #expect(user.raw["2fa"] == .string("0"))
    }

    @Test func uploadServerAndToken() throws {
        let server = try UploadServer(json: try json(#"{"url":"up2.1fichier.com","id":"Fhl1aZERQv"}"#))
        #expect(server.node == "up2.1fichier.com" && server.id == "Fhl1aZERQv")
        let local = try UploadServer(json: try json(#"{"url":"127.0.0.1:8080","id":"abc"}"#))
        #expect(local.node == "127.0.0.1:8080")
        #expect(throws: FichierError.self) { try UploadServer(json: try json(#"{"url":"evil.com/x?y","id":"a"}"#)) }
        #expect(throws: FichierError.self) { try UploadServer(json: try json(#"{"url":"up.1fichier.com","id":"a b"}"#)) }
        let issued = Date()
        let token = try DownloadToken(json: try json(#"{"status":"OK","url":"https://a-7.1fichier.com/c12345secret"}"#), issuedAt: issued)
        #expect(token.url.hasSuffix("secret") && !token.description.contains("secret"))
        #expect(abs(token.expiresAt.timeIntervalSince(issued) - 290) < 1)
    }

    @Test func copyRenameAndRemoteUploads() throws {
        let copy = try CopiedFile(json: try json(#"{"from_url":"https://1fichier.com/?a","to_url":"https://1fichier.com/?b"}"#))
        #expect(copy.sourceURL.hasSuffix("?a") && copy.url.hasSuffix("?b"))
        let renamed = try RenamedFile(json: try json(#"{"url":"https://1fichier.com/?a","old_filename":"x","new_filename":"y＄"}"#),
                                      requestedName: "y$")
        #expect(renamed.oldName == "x" && renamed.newName == "y$")
        let request = try RemoteUploadRequest(json: try json(#"{"status":"OK","id":"42","date":"2024-01-31 10:00:00","urls":["http://x/a"],"headers":{}}"#))
        #expect(request.id == 42 && request.urls == ["http://x/a"])
        let task = try RemoteUploadTask(json: try json(#"{"id":42,"request_date":"2024-01-31 10:00:00","execution_date":""}"#))
        #expect(task.id == 42 && !task.isDone)
        let info = try RemoteUploadInfo(json: try json(#"""
        {"id":42,"request_date":"2024-01-31 10:00:00","execution_date":"2024-01-31 10:00:05","links":["http://x/a"],
         "result":[{"status":"OK","url":"http://x/a","download_link":"https://1fichier.com/?n"},
                   {"status":"KO","url":"http://x/b","message":"Not found"}]}
        """#), requestedID: 42)
        #expect(info.isDone && info.links == ["http://x/a"] && info.results.count == 2)
        #expect(info.results[0].succeeded && info.results[0].downloadURL == "https://1fichier.com/?n")
        #expect(!info.results[1].succeeded && info.results[1].message == "Not found")
    }

    @Test func attributeChangesEncodeNamesAndFlags() {
        let changes = FileAttributeChanges(filename: "a'b", description: "", noSSL: true,
                                           accessList: .init(countries: ["FR"], premiumOnly: true))
        let members = changes.members
        #expect(members["filename"] == .string("a＇b"))
        #expect(members["no_ssl"] == .integer(1) && members["inline"] == nil)
        #expect(members["acl"]?["premium"] == .integer(1) && members["acl"]?["country"] == .array(["FR"]))
    }
}
