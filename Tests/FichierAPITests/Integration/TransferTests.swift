import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

/// Streaming, concurrency and cancellation of real transfers (one at a time: they are heavy
/// and some measure latencies).
extension TimingSensitiveTests {
@Suite(.serialized) struct TransferTests {
    /// The only big test: 1 GiB generated on the fly, streamed, checked against end.pl's Whirlpool.
    @Test func streamsAGibibyteAndMatchesTheWhirlpool() async throws {
        try await APIHarness.with { emulator, client in
            let length: Int64 = 1 << 30
            let body = GeneratedBody(length: length, seed: 2026, hashing: true)
            let baseline = ProcessMemory.residentBytes()
            let peak = Locked<Int64>(baseline)
            let clock = ContinuousClock()
            let start = clock.now
            let file = try await client.upload(body, named: "gibibyte.bin", to: 0) { _ in
                let now = ProcessMemory.residentBytes()
                peak.withLock { $0 = max($0, now) }
            }
            let elapsed = clock.now - start
            let expected = try #require(body.whirlpool)
            #expect(file.size == length)
            #expect(file.whirlpool == expected)
            #expect(emulator.admin.file(url: file.url)?.whirlpool == expected)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let growth = peak.current - baseline
            print("[measure] 1 GiB upload with Whirlpool on both sides: \(String(format: "%.1f", Double(length) / seconds / 1e6)) MB/s, "
                + "RSS growth \(growth >> 20) MiB")
            // Streaming: memory stays flat however large the body (client and in-process emulator).
            #expect(growth < 256 << 20, "RSS grew by \(growth >> 20) MiB")
        }
    }

    @Test func rangeDownloadOfAGeneratedFile() async throws {
        try await APIHarness.with { _, client in
            let body = GeneratedBody(length: 5 << 20, seed: 11)
            let file = try await client.upload(body, named: "ranges.bin", to: 0)
            let range: Range<Int64> = (1 << 20) - 100 ..< (3 << 20) + 5
            let sink = MemorySink()
            let outcome = try await client.download(token: try await client.downloadToken(url: file.url), range: range, into: sink)
            #expect(outcome.status == 206 && outcome.offset == range.lowerBound && outcome.totalSize == body.length)
            #expect(Int64(sink.bytes.count) == Int64(range.count))
            let mismatches = sink.bytes.indices.filter { sink.bytes[$0] != body.byte(at: range.lowerBound + Int64($0)) }
            #expect(mismatches.isEmpty)
            // To a file, whole.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let fileSink = FileResponseSink(path: path)
            let whole = try await client.download(token: try await client.downloadToken(url: file.url), into: fileSink)
            try fileSink.finish()
            #expect(whole.status == 200 && whole.bytesWritten == body.length)
            #expect(try Whirlpool.hex(ofFileAt: path) == file.whirlpool)
        }
    }

    @Test func expiredTokenIsReported() async throws {
        try await APIHarness.with(emulator: { $0.tokenLifetime = .milliseconds(50) }) { emulator, client in
            let url = try emulator.admin.addFile(named: "soon.txt", in: 0, contents: Array("x".utf8))
            let token = try await client.downloadToken(url: url)
            try await Task.sleep(for: .milliseconds(150))
            let error = await APIHarness.failure { try await client.download(token: token, into: MemorySink()) }
            #expect(error?.kind == .notFound && error?.provider?.httpStatus == 410)
            #expect(error?.message.contains("/dl/") == false)
        }
    }

    @Test func apiCallsProceedWhileTransfersRun() async throws {
        try await APIHarness.with { _, client in
            let big = GeneratedBody(length: 384 << 20, seed: 5)
            let clock = ContinuousClock()
            let upload = Task { () -> ContinuousClock.Instant in
                _ = try await client.upload(big, named: "concurrent.bin", to: 0)
                return clock.now
            }
            let seeded = try await client.upload(GeneratedBody(length: 16 << 20, seed: 6), named: "small.bin", to: 0)
            let download = Task { () -> ContinuousClock.Instant in
                _ = try await client.download(token: try await client.downloadToken(url: seeded.url), into: MemorySink())
                return clock.now
            }
            var listed: [ContinuousClock.Instant] = []
            for _ in 0..<3 {
                _ = try await client.listFolder(0)
                listed.append(clock.now)
            }
            let uploadEnd = try await upload.value
            _ = try await download.value
            // The listings did not wait for the big upload to end.
            #expect(listed.allSatisfy { $0 < uploadEnd })
        }
    }

    @Test func cancellingARunningUploadStopsItAtOnce() async throws {
        try await APIHarness.with { emulator, client in
            let length: Int64 = 2 << 30
            let position = Locked<Int64>(0)
            let lastRead = Locked<ContinuousClock.Instant>(.now)
            let body = GeneratedBody(length: length, seed: 9) { done in
                position.withLock { $0 = done }
                lastRead.withLock { $0 = .now }
            }
            let (moving, signal) = AsyncStream<Void>.makeStream()
            let task = Task {
                try await client.upload(body, named: "cancelled.bin", to: 0) { progress in
                    if progress.bytesDone > 8 << 20 { signal.yield() }
                }
            }
            for await _ in moving { break }
            let clock = ContinuousClock()
            let start = clock.now
            task.cancel()
            let result = await task.result
            let latency = clock.now - start
            guard case .failure(let error) = result else {
                Issue.record("the upload finished despite the cancellation")
                return
            }
            #expect((error as? FichierError)?.kind == .cancelled)
            let abort = lastRead.current - start
            print("[measure] upload cancellation: reader stopped \(abort) after cancel(), task ended after \(latency)")
            #expect(abort < .milliseconds(150))
            #expect(latency < .seconds(1))
            // The reader is no longer pulled after the abort.
            let stopped = position.current
            try await Task.sleep(for: .milliseconds(100))
            #expect(position.current == stopped && stopped < length)
            #expect(APIHarness.count("/end.pl", in: emulator) == 0)
        }
    }

    @Test func cancellingARunningDownloadStopsItAtOnce() async throws {
        try await APIHarness.with { _, client in
            let file = try await client.upload(GeneratedBody(length: 64 << 20, seed: 3), named: "slowly.bin", to: 0)
            let sink = SlowSink(bytesPerSecond: 16_000_000)
            let (moving, signal) = AsyncStream<Void>.makeStream()
            let task = Task {
                try await client.download(token: try await client.downloadToken(url: file.url), into: sink) { progress in
                    if progress.bytesDone > 1 << 20 { signal.yield() }
                }
            }
            for await _ in moving { break }
            let clock = ContinuousClock()
            let start = clock.now
            task.cancel()
            let result = await task.result
            let latency = clock.now - start
            guard case .failure(let error) = result else {
                Issue.record("the download finished despite the cancellation")
                return
            }
            #expect((error as? FichierError)?.kind == .cancelled)
            let abort = sink.lastWrite.current - start
            print("[measure] download cancellation: sink stopped \(abort) after cancel(), task ended after \(latency)")
            #expect(abort < .milliseconds(150))
            #expect(latency < .seconds(1))
            #expect(sink.received.current < 64 << 20)
        }
    }
}

}

/// A sink that takes its time (to keep a download running while a test cancels it); it
/// blocks the transport thread, which real sinks (disk writes) must not do for long.
final class SlowSink: ResponseSink, @unchecked Sendable {
    let bytesPerSecond: Double
    let received = Locked<Int64>(0)
    let lastWrite = Locked<ContinuousClock.Instant>(.now)

    init(bytesPerSecond: Double) {
        self.bytesPerSecond = bytesPerSecond
    }

    func begin(status: Int, headers: HTTPHeaders) throws {}

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        usleep(UInt32(Double(bytes.count) / bytesPerSecond * 1e6))
        received.withLock { $0 += Int64(bytes.count) }
        lastWrite.withLock { $0 = .now }
    }
}

/// The test process's resident memory, from /proc.
enum ProcessMemory {
    static func residentBytes() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int64(fields[1]) else { return 0 }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
