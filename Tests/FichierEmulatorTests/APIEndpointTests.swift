import Foundation
import Testing
@testable import FichierEmulator

/// The API's shapes, key spellings and types, endpoint by endpoint, over curl.
@Suite struct APIEndpointTests {
    @Test func userInfoHasTheFieldsAndTypesOfTheService() async throws {
        try await EmulatorHarness.with { emulator in
            let info = try await emulator.ok("user/info.cgi")
            #expect(info["status"] as? String == "OK")
            #expect(info["email"] as? String == "emulator@example.com")
            // rclone decodes these as strings.
            for key in ["offer", "cdn", "use_cdn", "2fa", "mail_rm", "upload_forbidden", "ftp_mode", "ftp_report",
                        "ru_report", "default_port", "default_port_files", "download_menu", "subscription_end", "stats_date"] {
                #expect(info[key] is String, "\(key)")
            }
            for key in ["cold_storage", "available_cold_storage", "hot_storage", "allowed_cold_storage", "available_storage",
                        "default_quota", "default_cold_storage_quota", "ftp_did", "default_domain", "page_limit", "overquota"] {
                #expect(info[key] is Int, "\(key)")
            }
            // Settings can be changed through the same call.
            let changed = try await emulator.ok("user/info.cgi", #"{"use_cdn":1,"page_limit":50}"#)
            #expect(changed["use_cdn"] as? String == "1")
            #expect(changed["page_limit"] as? Int == 50)
            let refused = try await emulator.call("user/info.cgi", #"{"use_cdn":7}"#)
            #expect(refused.status == 403)
            // An empty body (rclone sends none) is fine.
            let empty = try await Curl.run(["-X", "POST", "\(emulator.apiURL)/user/info.cgi", "-H", "Content-Type: application/json",
                                      "-H", "Authorization: Bearer \(EmulatorHarness.key)"])
            #expect(empty.status == 200)
        }
    }

    @Test func uploadServerAnswersGetAndPostAnonymouslyWithoutStatus() async throws {
        try await EmulatorHarness.with { emulator in
            let viaPost = try await Curl.run(["-X", "POST", "\(emulator.apiURL)/upload/get_upload_server.cgi",
                                        "-H", "Content-Type: application/json", "-d", #"{"pretty":1}"#])
            #expect(viaPost.status == 200)
            #expect(viaPost.text.contains("\n   \"url\" : "))
            let post = try viaPost.json()
            #expect(post["status"] == nil)
            let host = String(emulator.baseURL.dropFirst("http://".count))
            #expect(post["url"] as? String == host)
            let id = try #require(post["id"] as? String)
            #expect(id.count == 10 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            // rclone: GET with the JSON content type and no body.
            let viaGet = try await Curl.run(["\(emulator.apiURL)/upload/get_upload_server.cgi", "-H", "Content-Type: application/json",
                                       "-H", "Authorization: Bearer \(EmulatorHarness.key)"]).json()
            #expect(viaGet["id"] as? String != id)
            // The node host follows the Host header, so clients behind a proxy or a name work.
            let proxied = try await Curl.run(["-X", "POST", "\(emulator.apiURL)/upload/get_upload_server.cgi",
                                        "-H", "Content-Type: application/json", "-H", "Host: up9.example.test:8443",
                                        "-d", "{}"]).json()
            #expect(proxied["url"] as? String == "up9.example.test:8443")
            // Still needs the JSON content type.
            let noType = try await Curl.run(["\(emulator.apiURL)/upload/get_upload_server.cgi"])
            #expect(noType.status == 403)
            #expect(try noType.json()["message"] as? String == "Content-Type not JSON #24")
        }
    }

    @Test func configuredNodeHostWins() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration { $0.uploadNodeHost = "up2.1fichier.test" }) { emulator in
            let answer = try await emulator.ok("upload/get_upload_server.cgi")
            #expect(answer["url"] as? String == "up2.1fichier.test")
        }
    }

    @Test func foldersListMakeMoveRemove() async throws {
        try await EmulatorHarness.with { emulator in
            let root = try await emulator.ok("folder/ls.cgi", #"{"folder_id":0}"#)
            #expect(root["folder_id"] as? Int == 0)
            #expect(root["name"] as? String == "Root")
            #expect(root["size"] is NSNull)
            #expect(root["files"] as? Int == 0)
            #expect((root["sub_folders"] as? [Any])?.isEmpty == true)

            let made = try await emulator.ok("folder/mkdir.cgi", #"{"name":"backup.rclone","folder_id":0}"#)
            #expect(made["status"] as? String == "OK")
            #expect(made["name"] as? String == "backup.rclone")
            let id = try #require(made["folder_id"] as? Int)
            let again = try await emulator.call("folder/mkdir.cgi", #"{"name":"backup.rclone"}"#)
            #expect(again.status == 403)
            #expect(try again.json()["status"] as? String == "KO")
            let other = try #require(try await emulator.ok("folder/mkdir.cgi", #"{"name":"other"}"#)["folder_id"] as? Int)
            let child = try #require(try await emulator.ok("folder/mkdir.cgi", "{\"name\":\"child\",\"folder_id\":\(id)}")["folder_id"] as? Int)

            let listing = try await emulator.ok("folder/ls.cgi", "{}")
            let subs = try #require(listing["sub_folders"] as? [[String: Any]])
            #expect(subs.map { $0["name"] as? String } == ["backup.rclone", "other"])
            let first = try #require(subs.first)
            #expect(first["id"] as? Int == id)
            #expect(first["pass"] as? Int == 0)
            let date = try #require(first["create_date"] as? String)
            #expect(date.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"#, options: .regularExpression) != nil)
            let sub = try await emulator.ok("folder/ls.cgi", "{\"folder_id\":\(id)}")
            #expect(sub["folder_id"] as? Int == id)
            #expect(sub["name"] as? String == "backup.rclone")
            #expect(sub["size"] is NSNull)

            // Not empty: refused with a KO (200, as rclone's status check after 2xx suggests).
            let notEmpty = try await emulator.call("folder/rm.cgi", "{\"folder_id\":\(id)}")
            #expect(notEmpty.status == 200)
            #expect(try notEmpty.json()["status"] as? String == "KO")
            // Into itself: refused.
            #expect(try await emulator.call("folder/mv.cgi", "{\"folder_id\":\(id),\"destination_folder_id\":\(child)}").status == 403)
            // Move and rename together (rclone's DirMove), then rename alone.
            let moved = try await emulator.ok("folder/mv.cgi", "{\"folder_id\":\(child),\"destination_folder_id\":\(other),\"rename\":\"kid\",\"destination_user\":\"\"}")
            #expect(moved["old_name"] as? String == "child")
            #expect(moved["new_name"] as? String == "kid")
            let inOther = try await emulator.ok("folder/ls.cgi", "{\"folder_id\":\(other)}")["sub_folders"] as? [[String: Any]]
            #expect(inOther?.first?["name"] as? String == "kid")
            _ = try await emulator.ok("folder/mv.cgi", "{\"folder_id\":\(other),\"rename\":\"renamed\"}")
            #expect(try await emulator.call("folder/mv.cgi", "{\"folder_id\":\(id),\"rename\":\"renamed\"}").status == 403)
            #expect(try await emulator.call("folder/mv.cgi", #"{"folder_id":0,"destination_folder_id":1}"#).status == 403)
            #expect(try await emulator.call("folder/rm.cgi", "{\"folder_id\":\(id)}").status == 200)
            #expect(try await emulator.call("folder/rm.cgi", "{\"folder_id\":\(id)}").status == 404)
            #expect(try await emulator.call("folder/ls.cgi", "{\"folder_id\":\(id)}").status == 404)
            #expect(try await emulator.call("folder/mkdir.cgi", #"{"name":"bad$name"}"#).status == 403)
            #expect(try await emulator.call("folder/mkdir.cgi", #"{"name":"x","folder_id":999}"#).status == 404)
        }
    }

    @Test func folderLsWithFilesListsItems() async throws {
        try await EmulatorHarness.with { emulator in
            let folder = try emulator.admin.makeFolder(named: "docs", in: 0)
            try emulator.admin.addFile(named: "a.txt", in: folder, contents: Array("aaa".utf8))
            let listing = try await emulator.ok("folder/ls.cgi", "{\"folder_id\":\(folder),\"files\":1}")
            #expect(listing["files"] as? Int == 1)
            let items = try #require(listing["items"] as? [[String: Any]])
            #expect(items.first?["filename"] as? String == "a.txt")
            #expect(items.first?["content-type"] as? String == "text/plain")
            #expect(try await emulator.ok("folder/ls.cgi", "{\"folder_id\":\(folder)}")["items"] == nil)
        }
    }

    @Test func fileListAndInfoShapes() async throws {
        try await EmulatorHarness.with { emulator in
            let folder = try emulator.admin.makeFolder(named: "A", in: 0)
            let inner = try emulator.admin.makeFolder(named: "B", in: folder)
            let url = try emulator.admin.addFile(named: "test.txt", in: inner, contents: Array("hello world\n".utf8))
            _ = try emulator.admin.addFile(named: "test.txt", in: inner, contents: Array("duplicate\n".utf8))
            let listing = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(inner)}")
            #expect(listing["status"] as? String == "OK")
            #expect(listing["count"] as? Int == 2)
            let items = try #require(listing["items"] as? [[String: Any]])
            #expect(items.map { $0["filename"] as? String } == ["test.txt", "test.txt"])
            let item = try #require(items.first)
            #expect(Set(item.keys) == ["pass", "acl", "size", "filename", "checksum", "cdn", "url", "date", "content-type"])
            #expect(item["size"] as? Int == 12)
            #expect(item["pass"] as? Int == 0 && item["acl"] as? Int == 0 && item["cdn"] as? Int == 0)
            #expect(item["url"] as? String == url)
            #expect((item["checksum"] as? String)?.count == 128)
            #expect(url.range(of: #"^https://1fichier\.com/\?[a-z0-9]{20}$"#, options: .regularExpression) != nil)

            let info = try await emulator.ok("file/info.cgi", "{\"url\":\"\(url)\"}")
            #expect(info["status"] == nil)
            #expect(info["filename"] as? String == "test.txt")
            #expect(info["folder_id"] as? Int == inner)
            #expect(info["path"] as? String == "A/B")
            #expect(info["content-type"] as? String == "text/plain")
            #expect(info["acl"] is [String: Any])
            #expect(info["size"] as? Int == 12)
            let missing = try await emulator.call("file/info.cgi", #"{"url":"https://1fichier.com/?aaaaaaaaaaaaaaaaaaaa"}"#)
            #expect(missing.status == 404)
            #expect(try missing.json()["message"] as? String == "Resource not found #469")
            #expect(try await emulator.call("file/ls.cgi", #"{"folder_id":12345}"#).status == 404)
            // -1: every file of the account.
            _ = try emulator.admin.addFile(named: "root.bin", in: 0, contents: [1, 2, 3])
            #expect(try await emulator.ok("file/ls.cgi", #"{"folder_id":-1}"#)["count"] as? Int == 3)
            #expect(try await emulator.ok("file/ls.cgi", "{}")["count"] as? Int == 1)
        }
    }

    @Test func renameMoveCopyRemove() async throws {
        try await EmulatorHarness.with { emulator in
            let target = try emulator.admin.makeFolder(named: "target", in: 0)
            let url = try emulator.admin.addFile(named: "one.txt", in: 0, contents: Array("one".utf8))
            // rename.cgi
            let renamed = try await emulator.ok("file/rename.cgi", "{\"urls\":[{\"url\":\"\(url)\",\"filename\":\"uno.txt\"}],\"pretty\":1}")
            #expect(renamed["renamed"] as? Int == 1)
            let entry = (renamed["urls"] as? [[String: Any]])?.first
            #expect(entry?["old_filename"] as? String == "one.txt")
            #expect(entry?["new_filename"] as? String == "uno.txt")
            let nothing = try await emulator.call("file/rename.cgi", "{\"urls\":[{\"url\":\"\(url)\",\"filename\":\"uno.txt\"}]}")
            #expect(nothing.status == 200)
            #expect(try nothing.json()["status"] as? String == "KO")
            #expect(try nothing.json()["message"] as? String == "No file has been renamed #312")
            // mv.cgi: destination required, same-name rename refused, URL kept.
            #expect(try await emulator.call("file/mv.cgi", "{\"urls\":[\"\(url)\"]}").status == 403)
            let sameName = try await emulator.call("file/mv.cgi", "{\"urls\":[\"\(url)\"],\"destination_folder_id\":\(target),\"rename\":\"uno.txt\"}")
            #expect(try sameName.json()["status"] as? String == "KO")
            let moved = try await emulator.ok("file/mv.cgi", "{\"urls\":[\"\(url)\"],\"destination_folder_id\":\(target),\"rename\":\"dos.txt\"}")
            #expect(moved["moved"] as? Int == 1)
            #expect(moved["urls"] as? [String] == [url])
            #expect(moved["filename"] as? String == "dos.txt")
            #expect(emulator.admin.file(url: url)?.folderID == target)
            #expect(emulator.admin.file(url: url)?.name == "dos.txt")
            // cp.cgi: a new URL with the same bytes.
            let copied = try await emulator.ok("file/cp.cgi", "{\"urls\":[\"\(url)\"],\"folder_id\":0,\"rename\":\"copy.txt\"}")
            #expect(copied["copied"] as? Int == 1)
            let pair = try #require((copied["urls"] as? [[String: Any]])?.first)
            #expect(pair["from_url"] as? String == url)
            let copy = try #require(pair["to_url"] as? String)
            #expect(copy != url)
            let copyFile = try #require(emulator.admin.file(url: copy))
            #expect(copyFile.name == "copy.txt" && copyFile.folderID == 0)
            #expect(copyFile.whirlpool == emulator.admin.file(url: url)?.whirlpool)
            #expect(try Data(contentsOf: URL(fileURLWithPath: try #require(copyFile.storedPath))) == Data("one".utf8))
            // rm.cgi
            let removed = try await emulator.ok("file/rm.cgi", "{\"files\":[{\"url\":\"\(copy)\"}]}")
            #expect(removed["removed"] as? Int == 1)
            #expect(emulator.admin.file(url: copy) == nil)
            #expect(try await emulator.call("file/rm.cgi", "{\"files\":[{\"url\":\"\(copy)\"}]}").status == 404)
            #expect(try await emulator.call("file/rm.cgi", "{\"url\":\"\(url)\"}").status == 403)
            #expect(try await emulator.call("file/cp.cgi", "{\"urls\":[\"\(url)\",\"\(url)\"],\"rename\":\"x\"}").status == 403)
        }
    }

    @Test func attributesPasswordsAndScan() async throws {
        try await EmulatorHarness.with { emulator in
            let url = try emulator.admin.addFile(named: "secret.bin", in: 0, contents: [9, 9, 9])
            let updated = try await emulator.ok("file/chattr.cgi", "{\"urls\":[\"\(url)\"],\"inline\":1,\"description\":\"d\",\"pass\":\"sesame12\",\"acl\":{\"ip\":[\"192.0.2.0/24\"],\"country\":[\"FR\"]}}")
            #expect(updated["updated"] as? Int == 1)
            #expect(try await emulator.call("file/chattr.cgi", "{\"urls\":[\"\(url)\"],\"pass\":\"abc\"}").status == 403)
            let listed = (try await emulator.ok("file/ls.cgi")["items"] as? [[String: Any]])?.first
            #expect(listed?["pass"] as? Int == 1)
            #expect(listed?["acl"] as? Int == 1)
            let denied = try await emulator.call("file/info.cgi", "{\"url\":\"\(url)\"}")
            #expect(denied.status == 403)
            #expect((try denied.json()["message"] as? String)?.hasSuffix("Resource not allowed #631") == true)
            let info = try await emulator.ok("file/info.cgi", "{\"url\":\"\(url)\",\"pass\":\"sesame12\"}")
            #expect(info["inline"] as? Int == 1)
            #expect(info["pass"] as? Int == 1)
            #expect(info["description"] as? String == "d")
            #expect((info["acl"] as? [String: Any])?["country"] as? [String] == ["FR"])
            #expect(try await emulator.call("download/get_token.cgi", "{\"url\":\"\(url)\"}").status == 403)
            #expect(try await emulator.call("download/get_token.cgi", "{\"url\":\"\(url)\",\"pass\":\"wrong\"}").status == 403)
            #expect(try await emulator.call("download/get_token.cgi", "{\"url\":\"\(url)\",\"pass\":\"sesame12\"}").status == 200)
            _ = try await emulator.ok("file/chattr.cgi", "{\"urls\":[\"\(url)\"],\"pass\":\"\",\"acl\":{}}")
            #expect(try await emulator.call("file/info.cgi", "{\"url\":\"\(url)\"}").status == 200)
            let scan = try await emulator.ok("file/scan.cgi", "{\"url\":\"\(url)\"}")
            #expect(scan["status"] as? String == "OK" && scan["date"] == nil)
            #expect(try await emulator.ok("file/scan.cgi", "{\"url\":\"\(url)\"}")["date"] is String)
        }
    }

    @Test func folderShareAndPublicListing() async throws {
        try await EmulatorHarness.with { emulator in
            let folder = try emulator.admin.makeFolder(named: "pub", in: 0)
            let url = try emulator.admin.addFile(named: "p.txt", in: folder, contents: Array("p".utf8))
            #expect(try await Curl.run(["\(emulator.baseURL)/dir/\(folder)?json=1"]).status == 404)
            let shared = try await emulator.ok("folder/share.cgi", "{\"folder_id\":\(folder),\"share\":1}")
            #expect(shared["url"] as? String == "https://1fichier.com/dir/\(folder)")
            let list = try await Curl.run(["\(emulator.baseURL)/dir/\(folder)?json=1"]).jsonArray()
            let entry = try #require(list.first as? [String: Any])
            #expect(entry["filename"] as? String == "p.txt")
            #expect(entry["link"] as? String == url)
            #expect(entry["size"] as? Int == 1)
            _ = try await emulator.ok("folder/share.cgi", "{\"folder_id\":\(folder),\"pass\":\"secret99\"}")
            #expect(try await Curl.run(["\(emulator.baseURL)/dir/\(folder)?json=1"]).status == 403)
            let withPassword = try await Curl.run(["-X", "POST", "\(emulator.baseURL)/dir/\(folder)", "-d", "json=1&pass=secret99"])
            #expect(withPassword.status == 200)
            #expect(try withPassword.jsonArray().count == 1)
        }
    }

    @Test func ftpEndpointsAnswerPlausibly() async throws {
        try await EmulatorHarness.with { emulator in
            #expect(try await emulator.ok("ftp/process.cgi")["status"] as? String == "OK")
            _ = try await emulator.ok("ftp/users/add.cgi", #"{"user":"bob","pass":"secret12","folder_id":0}"#)
            let users = try await emulator.ok("ftp/users/ls.cgi")
            #expect(users["count"] as? Int == 1)
            #expect(try await emulator.call("ftp/users/add.cgi", #"{"user":"bob","pass":"secret12"}"#).status == 403)
            _ = try await emulator.ok("ftp/users/rm.cgi", #"{"user":"bob"}"#)
            #expect(try await emulator.call("ftp/users/rm.cgi", #"{"user":"bob"}"#).status == 404)
        }
    }
}

/// The checks every API call goes through.
@Suite struct APIGateTests {
    @Test func keysAreChecked() async throws {
        try await EmulatorHarness.with { emulator in
            for key in [nil, "wrong-key"] as [String?] {
                let result = try await emulator.call("file/ls.cgi", key: key)
                #expect(result.status == 401)
                #expect(try result.json()["message"] as? String == "Not authenticated #247")
                #expect(try result.json()["status"] as? String == "KO")
            }
            let basic = try await Curl.run(["-X", "POST", "\(emulator.apiURL)/file/ls.cgi", "-H", "Content-Type: application/json",
                                      "-u", "user:pass", "-d", "{}"])
            #expect(basic.status == 401)
        }
    }

    @Test func jsonContentTypeAndBodyAreRequired() async throws {
        try await EmulatorHarness.with { emulator in
            let noType = try await Curl.run(["-X", "POST", "\(emulator.apiURL)/file/ls.cgi", "-H", "Authorization: Bearer \(EmulatorHarness.key)",
                                       "-H", "Content-Type:", "-d", "{}"])
            #expect(noType.status == 403)
            #expect(try noType.json() as NSDictionary == ["status": "KO", "message": "Content-Type not JSON #24"])
            let form = try await Curl.run(["-X", "POST", "\(emulator.apiURL)/file/ls.cgi", "-H", "Authorization: Bearer \(EmulatorHarness.key)",
                                     "-d", "folder_id=0"])
            #expect(form.status == 403)
            let charset = try await Curl.run(["-X", "POST", "\(emulator.apiURL)/file/ls.cgi", "-H", "Authorization: Bearer \(EmulatorHarness.key)",
                                              "-H", "Content-Type: Application/JSON; charset=utf-8", "-d", "{}"])
            #expect(charset.status == 200)
            for body in ["not json", "[1,2]", "{\"folder_id\":", "42"] {
                let bad = try await emulator.call("file/ls.cgi", body)
                #expect(bad.status == 403, "\(body)")
                #expect(try bad.json()["status"] as? String == "KO")
            }
            #expect(try await emulator.call("file/ls.cgi", #"{"folder_id":"abc"}"#).status == 403)
            // Numbers as strings are fine, as with the service.
            #expect(try await emulator.call("file/ls.cgi", #"{"folder_id":"0"}"#).status == 200)
            let get = try await Curl.run(["\(emulator.apiURL)/file/ls.cgi", "-H", "Content-Type: application/json",
                                    "-H", "Authorization: Bearer \(EmulatorHarness.key)"])
            #expect(get.status == 405)
            #expect(get.headers["content-type"] == "application/json; charset=utf-8")
        }
    }

    @Test func inventedEndpointsAndUnknownPathsAre404() async throws {
        try await EmulatorHarness.with { emulator in
            for path in ["upload/add_url.cgi", "upload/upload.cgi", "folder/add.cgi", "folder/create.cgi", "file/delete.cgi",
                         "file/move.cgi", "link/get_link.cgi", "account/info.cgi", "folder/list.cgi", "folder/rename.cgi",
                         "user/info", "file/ls.cgi/"] {
                let status = try await emulator.call(path).status
                #expect(status == 404, "\(path)")
            }
            for path in ["/", "/upload/upload.cgi", "/api", "/v1", "/v2/user/info.cgi", "/dl/"] {
                let status = try await Curl.run(["\(emulator.baseURL)\(path)"]).status
                #expect(status == 404, "\(path)")
            }
        }
    }

    @Test func prettyOutputIsIndented() async throws {
        try await EmulatorHarness.with { emulator in
            let result = try await emulator.call("folder/ls.cgi", #"{"pretty":1}"#)
            #expect(result.text.hasPrefix("{\n   \"folder_id\" : 0"))
        }
    }
}
