import Foundation

/// Files of this repository that the tests read (the spec, the examples, the README, the
/// schema checker).
enum Repository {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }
}

/// scripts/check-protocol-schema.py on a recorded session (python3 + jsonschema).
enum SchemaCheck {
    struct Outcome {
        var status: Int32
        var report: String
    }

    /// Runs the checker in a child process; waits without blocking a cooperative thread.
    static func run(sent: [String], received: [UInt8]) async throws -> Outcome {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let sentPath = try scratch.write("sent.jsonl", sent.joined(separator: "\n") + "\n")
        let receivedPath = scratch.file("received.jsonl")
        try Data(received).write(to: URL(fileURLWithPath: receivedPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Repository.path("scripts/check-protocol-schema.py"),
                             "--requests", sentPath, "--output", receivedPath,
                             "--schema-dir", Repository.path("protocol/schema")]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let report = OutputLines(fd: pipe.fileHandleForReading.fileDescriptor)
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw TestFailure("the schema checker did not finish")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await report.waitForEnd()
        return Outcome(status: process.terminationStatus, report: report.text)
    }
}
