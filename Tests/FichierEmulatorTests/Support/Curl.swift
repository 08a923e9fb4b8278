import Foundation

/// Runs the real `curl` CLI and returns what it got: status, headers, body.
struct Curl {
    struct Result {
        var status: Int
        /// Header lines of the final response, names lowercased.
        var headers: [String: String]
        var body: Data
        var exitCode: Int32
        var standardError: String
        /// The extra `--write-out` text requested, if any.
        var writeOut: String

        var text: String { String(decoding: body, as: UTF8.self) }

        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) as? [String: Any] else {
                throw CurlError("not a JSON object: \(text.prefix(300))")
            }
            return object
        }

        func jsonArray() throws -> [Any] {
            guard let array = try JSONSerialization.jsonObject(with: body) as? [Any] else {
                throw CurlError("not a JSON array: \(text.prefix(300))")
            }
            return array
        }
    }

    struct CurlError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs `curl -sS` with `arguments`; the body goes to a temporary file. Never blocks a
    /// concurrency thread (the emulator under test may run in this process).
    static func run(_ arguments: [String], timeout: TimeInterval = 120, writeOut: String = "") async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bodyPath = directory.appendingPathComponent("body").path
        let headerPath = directory.appendingPathComponent("headers").path
        let outPath = directory.appendingPathComponent("out").path
        let errPath = directory.appendingPathComponent("err").path
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--max-time", String(Int(timeout)), "-o", bodyPath, "-D", headerPath,
                             "-w", "%{http_code}\n\(writeOut)"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        let status = try await ProcessRunner.run(process)
        let headerText = (try? String(contentsOfFile: headerPath, encoding: .utf8)) ?? ""
        let outText = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let outLines = outText.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return Result(
            status: Int(outLines.first ?? "") ?? 0,
            headers: parseHeaders(headerText),
            body: (try? Data(contentsOf: URL(fileURLWithPath: bodyPath))) ?? Data(),
            exitCode: status,
            standardError: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            writeOut: outLines.count > 1 ? String(outLines[1]) : "")
    }

    /// Headers of the last response in a `-D` dump (interim 100 responses skipped).
    static func parseHeaders(_ text: String) -> [String: String] {
        let blocks = text.components(separatedBy: "\r\n\r\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        guard let last = blocks.last else { return [:] }
        var headers: [String: String] = [:]
        for line in last.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    /// An API call as the reference's examples make it: POST, JSON body, Bearer key.
    static func api(_ base: String, _ path: String, key: String?, body: String = "{}",
                    extra: [String] = []) async throws -> Result {
        var arguments = ["-X", "POST", "\(base)/v1/\(path)", "-H", "Content-Type: application/json", "-d", body]
        if let key { arguments += ["-H", "Authorization: Bearer \(key)"] }
        return try await run(arguments + extra)
    }
}

/// Runs a process and waits for it without blocking a thread.
enum ProcessRunner {
    static func run(_ process: Process) async throws -> Int32 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
