import Dispatch
import Foundation
import Synchronization

/// `fichier emulator` run as a subprocess, as a person or a benchmark runs it.
final class EmulatorProcess: Sendable {
    let process: Process
    let baseURL: String
    private let stderrText: LockedText

    var pid: Int32 { process.processIdentifier }
    var apiURL: String { baseURL + "/v1" }
    var standardError: String { stderrText.text }

    private init(process: Process, baseURL: String, stderrText: LockedText) {
        self.process = process
        self.baseURL = baseURL
        self.stderrText = stderrText
    }

    /// The built `fichier` executable, next to the test bundle.
    static func executable() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("fichier"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/fichier"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Curl.CurlError("the fichier executable is not built (run swift build --build-tests): \(candidates.map(\.path))")
        }
        return found
    }

    /// Starts `fichier emulator ARGUMENTS` and waits for its "listening on" line.
    static func launch(_ arguments: [String]) async throws -> EmulatorProcess {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = ["emulator"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let text = LockedText()
        let (lines, continuation) = AsyncStream<String>.makeStream()
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
                return
            }
            let chunk = String(decoding: data, as: UTF8.self)
            let all = text.append(chunk)
            continuation.yield(all)
        }
        try process.run()
        let url = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                for await all in lines {
                    if let range = all.range(of: "fichier emulator listening on ") {
                        let rest = all[range.upperBound...]
                        if let end = rest.firstIndex(of: "\n") { return String(rest[..<end]) }
                    }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let url else {
            process.terminate()
            throw Curl.CurlError("fichier emulator did not start: \(text.text)")
        }
        return EmulatorProcess(process: process, baseURL: url, stderrText: text)
    }

    /// Sends SIGTERM (or `signal`) and waits for the exit status.
    func terminate(signal: Int32 = SIGTERM) async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, signal)
        for _ in 0..<300 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            try? await Task.sleep(for: .milliseconds(200))
        }
        return process.terminationStatus
    }

    /// A `VmHWM`/`VmRSS`… value of /proc/PID/status, in KiB.
    func memory(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
        }
        return nil
    }
}

extension EmulatorProcess {
    func call(_ path: String, _ body: String = "{}", key: String) async throws -> Curl.Result {
        try await Curl.api(baseURL, path, key: key, body: body)
    }
}

/// Text appended from a reader thread and read from tests.
final class LockedText: Sendable {
    private let value = Mutex("")

    var text: String { value.withLock { $0 } }

    /// Appends and returns the whole text so far.
    func append(_ chunk: String) -> String {
        value.withLock {
            $0 += chunk
            return $0
        }
    }
}

/// Runs blocking work (big files, hashing) on a Dispatch thread, not on the concurrency pool
/// that in-process emulators of parallel tests need.
func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}
