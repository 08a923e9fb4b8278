import Foundation
import Testing

/// Large transfers and folders through `fichier serve`, against `fichier emulator --discard`
/// in another process. Data is generated (sparse files), never held in memory.
@Suite("Large transfers and listings", .serialized)
struct LargeTransferTests {
    @Test func oneGiBUploadWithThrottledMonotonicProgress() async throws {
        let emulator = try await EmulatorProcess(["--discard"])
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let size: Int64 = 1 << 30
        let local = try scratch.sparse("big.bin", size: size)
        let serve = try emulator.serve()
        let started = ContinuousClock.now
        let id = serve.request("transfer/upload", #"{"local":\#(jsonString(local)),"remote":"/bench/big.bin"}"#)
        let response = try await serve.output.response(id, timeout: .seconds(600))
        let elapsed = ContinuousClock.now - started
        let result = try #require(response.result, "\(response.line)")
        #expect(result["size"] as? Int64 == size)

        let events = try serve.output.messages().filter { $0.method == "event/progress" && $0.requestID == AnyHashable(id) }
        let uploading = events.filter { $0.params?["phase"] as? String == "uploading" }
        let counts = uploading.compactMap { $0.params?["bytesDone"] as? Int64 }
        #expect(counts == counts.sorted(), "bytesDone went down")
        #expect(counts.last == size)
        #expect(uploading.allSatisfy { $0.params?["bytesTotal"] as? Int64 == size })
        // About four a second at most: one per 250 ms, plus the first, the last and the phase change.
        let allowed = Int(elapsed / .milliseconds(250)) + 4
        #expect(events.count <= allowed, "\(events.count) progress events in \(elapsed)")
        #expect(events.last?.params?["phase"] as? String == "finalizing")
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("1 GiB upload through fichier serve: \(elapsed), \(Int(Double(size) / seconds / 1e6)) MB/s, \(events.count) progress events")
        #expect(try await serve.finish() == 0)
        ServeSandboxTests.expectProtocolOnly(serve.output.raw)
        await emulator.stop()
    }

    @Test func endOfInputDuringAnUploadCancelsItAndExitsZero() async throws {
        let emulator = try await EmulatorProcess(["--discard"])
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let local = try scratch.sparse("huge.bin", size: 8 << 30)
        let serve = try emulator.serve()
        let id = serve.request("transfer/upload", #"{"local":\#(jsonString(local)),"remote":"/eof/huge.bin"}"#)
        try await serve.output.wait(timeout: .seconds(60), "upload progress") { messages in
            messages.contains { $0.method == "event/progress" && $0.requestID == AnyHashable(id)
                && ($0.params?["bytesDone"] as? Int64 ?? 0) > 0 }
        }
        let closed = ContinuousClock.now
        #expect(try await serve.finish() == 0)
        #expect(ContinuousClock.now - closed < .seconds(10))
        let response = try await serve.output.response(id)
        #expect(response.errorCode == -32800)
        #expect(((response.errorData?["partial"] as? [String: Any])?["bytesDone"] as? Int64 ?? 0) > 0)
        ServeSandboxTests.expectProtocolOnly(serve.output.raw)
        await emulator.stop()
    }

    @Test func listingTenThousandFiles() async throws {
        let emulator = try await EmulatorProcess(["--discard", "--listing-cap", "0", "--seed-files", "/big:10000:1024"])
        let serve = try emulator.serve()
        let started = ContinuousClock.now
        var urls = Set<String>()
        var cursor: String?
        var pages = 0
        repeat {
            let params = cursor.map { #"{"cursor":"\#($0)","pageSize":100000}"# } ?? #"{"path":"/big","pageSize":100000}"#
            let page = try await serve.result("fs/list", params)
            for file in (page["files"] as? [[String: Any]]) ?? [] { urls.insert(file["url"] as? String ?? "") }
            cursor = page["nextCursor"] as? String
            pages += 1
        } while cursor != nil
        let elapsed = ContinuousClock.now - started
        #expect(urls.count == 10_000)
        let longest = serve.output.all.map(\.utf8.count).max() ?? 0
        #expect(longest < 1 << 20, "a line of \(longest) bytes")
        print("fs/list of 10,000 files through fichier serve: \(pages) page(s), \(elapsed), longest line \(longest) bytes")
        #expect(try await serve.finish() == 0)
        await emulator.stop()
    }
}
