import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

/// Upload throughput of FichierClient against the curl CLI on loopback, same file, same node,
/// emulator in discard mode. Opt-in (FICHIER_API_BENCH=1): it writes a 1 GiB file and is a
/// measurement, not a check of behaviour; the result goes to stdout as `[measure]`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FICHIER_API_BENCH"] != nil))
struct ThroughputBenchmark {
    @Test func uploadAgainstTheCurlCommandLine() async throws {
        let size: Int64 = 1 << 30
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writeGenerated(size: size, to: path)
        try await APIHarness.with(emulator: { $0.storage = .discard }) { emulator, client in
            var ours: [Double] = []
            var theirs: [Double] = []
            for round in 0..<3 {
                let clock = ContinuousClock()
                let start = clock.now
                _ = try await client.upload(try FileUploadBody(path: path), named: "bench-\(round).bin", to: 0)
                ours.append(Double(size) / seconds(clock.now - start) / 1e6)

                let server = try await client.uploadServer()
                let output = try runCurl([
                    "-s", "-o", "/dev/null", "-w", "%{speed_upload}", "-H", "Authorization: Bearer \(APIHarness.key)",
                    "-F", "did=0", "-F", "file[]=@\(path)", "http://\(server.node)/upload.cgi?id=\(server.id)",
                ])
                theirs.append((Double(output) ?? 0) / 1e6)
            }
            let best = ours.max() ?? 0
            let reference = theirs.max() ?? 0
            print("[measure] 1 GiB file upload, loopback, discard mode: FichierClient \(String(format: "%.0f", best)) MB/s, "
                + "curl CLI \(String(format: "%.0f", reference)) MB/s, ratio \(String(format: "%.2f", best / reference)) "
                + "(runs: \(ours.map { String(format: "%.0f", $0) }) vs \(theirs.map { String(format: "%.0f", $0) }))")
            #expect(best > 0 && reference > 0)
        }
    }

    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func writeGenerated(size: Int64, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else { throw FichierError(.localIO, "cannot create \(path)") }
        defer { try? handle.close() }
        let reader = try GeneratedBody(length: size, seed: 77).makeReader()
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if count == 0 { break }
            try handle.write(contentsOf: buffer[0..<count])
        }
    }

    func runCurl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
