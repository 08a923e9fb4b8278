import FichierAPI
import Foundation
import Testing
@testable import FichierEmulator

/// `fichier emulator` as a person uses it with curl, and as benchmarks push data through it.
@Suite(.serialized) struct CommandLineTests {
    static let key = "cli-key-0123456789abcdefghijklmnopq"

    @Test func theReferenceCurlExamplesBehaveAsDocumented() async throws {
        let data = try EmulatorHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let emulator = try await EmulatorProcess.launch(["--port", "0", "--data", data.path, "--key", Self.key])
        let bearer = "Authorization: Bearer \(Self.key)"

        // curl -X POST https://api.1fichier.com/v1/upload/get_upload_server.cgi -H 'Content-Type: application/json' -d '{"pretty":1}'
        let server = try await Curl.run(["-X", "POST", "\(emulator.apiURL)/upload/get_upload_server.cgi", "-H", bearer,
                                         "-H", "Content-Type: application/json", "-d", #"{"pretty":1}"#]).json()
        let node = try #require(server["url"] as? String)
        let id = try #require(server["id"] as? String)

        // curl -X POST .../folder/mkdir.cgi -d '{"name":"backups","folder_id":0}'
        let folder = try #require(try await emulator.call("folder/mkdir.cgi", #"{"name":"backups","folder_id":0}"#, key: Self.key).json()["folder_id"] as? Int)

        // curl -H 'Authorization: Bearer KEY' -F 'file[]=@file' -F did=N https://NODE/upload.cgi?id=ID
        let files = try TestFiles()
        let bytes = TestFiles.pattern(2_500_000, seed: 11)
        let path = try files.make("report.pdf", bytes)
        let upload = try await Curl.run(["-H", bearer, "-F", "file[]=@\(path)", "-F", "did=\(folder)", "http://\(node)/upload.cgi?id=\(id)"])
        #expect(upload.status == 302)
        #expect(upload.headers["location"] == "/end.pl?xid=\(id)")

        // curl -H 'JSON: 1' https://NODE/end.pl?xid=ID
        let report = try await Curl.run(["-H", "JSON: 1", "-H", bearer, "http://\(node)/end.pl?xid=\(id)"]).json()
        let link = try #require((report["links"] as? [[String: Any]])?.first)
        #expect(link["filename"] as? String == "report.pdf")
        #expect(link["size"] as? String == "2500000")
        #expect(link["whirlpool"] as? String == Whirlpool.hex(of: bytes))
        let url = try #require(link["download"] as? String)

        // file/ls in that folder
        let listing = try await emulator.call("file/ls.cgi", "{\"folder_id\":\(folder)}", key: Self.key).json()
        let item = try #require((listing["items"] as? [[String: Any]])?.first)
        #expect(item["url"] as? String == url)
        #expect(item["content-type"] as? String == "application/pdf")

        // get_token, then a ranged GET of the link it returns
        let token = try await emulator.call("download/get_token.cgi", "{\"url\":\"\(url)\",\"single\":1}", key: Self.key).json()
        let download = try #require(token["url"] as? String)
        let part = try await Curl.run(["-r", "100-199", download])
        #expect(part.status == 206)
        #expect(part.body == Data(bytes[100..<200]))
        let whole = try await Curl.run([download])
        #expect(whole.body == Data(bytes))

        // A bad key, a missing content type and an invented endpoint.
        #expect(try await emulator.call("file/ls.cgi", key: "nope").status == 401)
        #expect(try await Curl.run(["-X", "POST", "\(emulator.apiURL)/file/ls.cgi", "-H", bearer, "-d", "{}"]).status == 403)
        #expect(try await emulator.call("upload/add_url.cgi", key: Self.key).status == 404)

        #expect(await emulator.terminate() == 0)
        #expect(!emulator.standardError.contains(Self.key))
    }

    @Test func seedsPersistAcrossRestartsAndKeysCanComeFromAFile() async throws {
        let data = try EmulatorHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let keyFile = data.appendingPathComponent("keys.txt")
        try Data("\n\(Self.key)\nsecond-key-abcdefghijklmnopqrstuvwx\n".utf8).write(to: keyFile)
        let first = try await EmulatorProcess.launch(["--data", data.appendingPathComponent("state").path, "--key-file", keyFile.path,
                                                      "--seed-files", "/bench/many:250:10", "--discard"])
        let folder = try await first.call("folder/ls.cgi", key: "second-key-abcdefghijklmnopqrstuvwx").json()
        let bench = try #require((folder["sub_folders"] as? [[String: Any]])?.first)
        #expect(bench["name"] as? String == "bench")
        #expect(await first.terminate(signal: SIGINT) == 0)

        let second = try await EmulatorProcess.launch(["--data", data.appendingPathComponent("state").path, "--key", Self.key])
        let benchID = try #require(bench["id"] as? Int)
        let many = try #require((try await second.call("folder/ls.cgi", "{\"folder_id\":\(benchID)}", key: Self.key).json()["sub_folders"] as? [[String: Any]])?.first?["id"] as? Int)
        let listing = try await second.call("file/ls.cgi", "{\"folder_id\":\(many)}", key: Self.key).json()
        #expect(listing["count"] as? Int == 250)
        #expect((listing["items"] as? [[String: Any]])?.first?["size"] as? Int == 10)
        // Keys of the first run are not remembered.
        #expect(try await second.call("file/ls.cgi", key: "second-key-abcdefghijklmnopqrstuvwx").status == 401)
        #expect(await second.terminate() == 0)
    }

    @Test func optionsReachTheEmulator() async throws {
        let emulator = try await EmulatorProcess.launch([
            "--key", Self.key, "--discard", "--rate-limits", "--node-host", "up7.example.test", "--listing-cap", "0",
            "--token-lifetime", "1", "--latency", "50", "--seed-files", "/many:6000:3",
        ])
        let server = try await emulator.call("upload/get_upload_server.cgi", key: Self.key).json()
        #expect(server["url"] as? String == "up7.example.test")
        let root = try await emulator.call("folder/ls.cgi", key: Self.key).json()
        let many = try #require((root["sub_folders"] as? [[String: Any]])?.first?["id"] as? Int)
        let started = ContinuousClock.now
        let listing = try await emulator.call("file/ls.cgi", "{\"folder_id\":\(many)}", key: Self.key).json()
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        #expect(listing["count"] as? Int == 6_000)
        // --rate-limits: the same folder listed again within 30 s is a flood.
        let again = try await emulator.call("file/ls.cgi", "{\"folder_id\":\(many)}", key: Self.key)
        #expect(again.status == 403)
        #expect(try again.json()["message"] as? String == "Flood detected: IP Locked #374")
        #expect(await emulator.terminate() == 0)
    }

    @Test func refusesToStartWithoutAKey() async throws {
        await #expect(throws: (any Error).self) { _ = try await EmulatorProcess.launch(["--port", "0"]) }
    }

    @Test func oneGibibyteStreamsThroughWithConstantMemory() async throws {
        let work = try EmulatorHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        // Generate 1 GiB on the fly into a file, hashing as it goes; never whole in memory.
        let size = 1 << 30
        let source = work.appendingPathComponent("big.bin")
        let expected = try await offThread { try Self.writePattern(to: source, size: size) }
        let small = work.appendingPathComponent("small.bin")
        _ = try await offThread { try Self.writePattern(to: small, size: 1 << 20) }

        let emulator = try await EmulatorProcess.launch(["--data", work.appendingPathComponent("data").path, "--key", Self.key])
        // Warm up with a small upload, then note the high-water mark.
        #expect(try await Self.upload(small.path, to: emulator).status == 302)
        let baseline = try #require(emulator.memory("VmHWM"))
        let result = try await Self.upload(source.path, to: emulator)
        #expect(result.status == 302)
        let after = try #require(emulator.memory("VmHWM"))
        let xid = try #require(result.headers["location"]?.components(separatedBy: "xid=").last)
        let report = try await Curl.run(["-H", "JSON: 1", "\(emulator.baseURL)/end.pl?xid=\(xid)"]).json()
        let link = try #require((report["links"] as? [[String: Any]])?.first)
        #expect(link["size"] as? String == String(size))
        #expect(link["whirlpool"] as? String == expected)
        print("1 GiB upload (disk mode, Whirlpool): VmHWM \(baseline) KiB before, \(after) KiB after")
        #expect(after - baseline < 64 * 1024, "memory grew by \(after - baseline) KiB")
        #expect(await emulator.terminate() == 0)
    }

    @Test func discardModeThroughput() async throws {
        let work = try EmulatorHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let size = 1 << 30
        let source = work.appendingPathComponent("big.bin")
        _ = try await offThread { try Self.writePattern(to: source, size: size, hash: false) }
        let emulator = try await EmulatorProcess.launch(["--discard", "--key", Self.key])
        var best = 0.0
        for _ in 0..<3 {
            let result = try await Self.upload(source.path, to: emulator, measure: true)
            #expect(result.status == 302)
            best = max(best, result.bytesPerSecond)
        }
        let megabytes = best / 1_000_000
        print("discard-mode upload throughput with curl on loopback: \(Int(megabytes)) MB/s (best of 3, 1 GiB)")
        #expect(megabytes > 50)
        #expect(emulator.memory("VmHWM").map { $0 < 256 * 1024 } == true)
        #expect(await emulator.terminate() == 0)
    }

    // MARK: Helpers

    struct Upload {
        var status: Int
        var headers: [String: String]
        var bytesPerSecond: Double
    }

    static func upload(_ path: String, to emulator: EmulatorProcess, measure: Bool = false) async throws -> Upload {
        let server = try await emulator.call("upload/get_upload_server.cgi", key: key).json()
        let node = try #require(server["url"] as? String)
        let id = try #require(server["id"] as? String)
        let result = try await Curl.run(["-H", "Authorization: Bearer \(key)", "-F", "file[]=@\(path)", "-F", "did=0",
                                         "http://\(node)/upload.cgi?id=\(id)"], timeout: 600, writeOut: "%{speed_upload}")
        let speed = measure ? Double(result.writeOut.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 : 0
        return Upload(status: result.status, headers: result.headers, bytesPerSecond: speed)
    }

    /// Writes `size` bytes of a cheap deterministic pattern, 1 MiB at a time; returns its Whirlpool.
    static func writePattern(to url: URL, size: Int, hash: Bool = true) throws -> String {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        let hasher = Whirlpool()
        var chunk = TestFiles.pattern(1 << 20, seed: 99)
        var written = 0
        var index: UInt64 = 0
        while written < size {
            // Stamp the chunk index so no two chunks are equal.
            withUnsafeBytes(of: index.littleEndian) { chunk.replaceSubrange(0..<8, with: $0) }
            let count = min(chunk.count, size - written)
            let slice = Data(chunk[0..<count])
            try handle.write(contentsOf: slice)
            if hash { slice.withUnsafeBytes { hasher.update($0) } }
            written += count
            index += 1
        }
        return hash ? hasher.finalize() : ""
    }
}
