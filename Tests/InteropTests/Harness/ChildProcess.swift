import Foundation

/// What a finished child process left behind.
struct ChildResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs third-party programs for the interop tests. Output goes to files, not pipes, so a
/// chatty child can never block on a full pipe while we wait for it.
enum ChildProcess {
    static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                    directory: URL? = nil, timeout: Duration = .seconds(300)) async throws -> ChildResult {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("interop-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(executable))
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        if let directory { process.currentDirectoryURL = directory }
        try process.run()

        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                // SIGKILL: children of Foundation's Process may start with SIGTERM blocked.
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw InteropFailure("\(executable) \(arguments.joined(separator: " ")) timed out")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return ChildResult(status: process.terminationStatus,
                           stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                           stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// The absolute path of a program on PATH (or the path itself when it has a slash).
    static func resolve(_ program: String) throws -> String {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw InteropFailure("\(program) is not installed (make test installs it)")
    }
}

struct InteropFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
