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

    /// Runs `curl -sS` with `arguments`; the body goes to a temporary file.
    static func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bodyPath = directory.appendingPathComponent("body").path
        let headerPath = directory.appendingPathComponent("headers").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--max-time", String(Int(timeout)), "-o", bodyPath, "-D", headerPath,
                             "-w", "%{http_code}"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let headerText = (try? String(contentsOfFile: headerPath, encoding: .utf8)) ?? ""
        return Result(
            status: Int(String(decoding: outData, as: UTF8.self)) ?? 0,
            headers: parseHeaders(headerText),
            body: (try? Data(contentsOf: URL(fileURLWithPath: bodyPath))) ?? Data(),
            exitCode: process.terminationStatus,
            standardError: String(decoding: errData, as: UTF8.self))
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
                    extra: [String] = []) throws -> Result {
        var arguments = ["-X", "POST", "\(base)/v1/\(path)", "-H", "Content-Type: application/json", "-d", body]
        if let key { arguments += ["-H", "Authorization: Bearer \(key)"] }
        return try run(arguments + extra)
    }
}
