import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The built `fichier` executable and processes started from it.
enum Binary {
    /// Next to the test runner (or `$FICHIER_BINARY`); `make test` builds it first.
    static func path() throws -> String {
        signal(SIGPIPE, SIG_IGN)
        if let path = ProcessInfo.processInfo.environment["FICHIER_BINARY"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("fichier").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw TestFailure("the fichier binary was not found; run `swift build --product fichier` or set FICHIER_BINARY")
    }

    /// The environment for children: no real 1fichier settings leak in from the caller, and
    /// no vault unless a test gives one (`FICHIER_VAULT`), never the user's own.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["FICHIER_API_KEY", "FICHIER_API_URL", "FICHIER_PACE_MS", "FICHIER_PASSPHRASE",
                     "FICHIER_PASSPHRASE_FILE", "FICHIER_KEYFILE"] { environment[name] = nil }
        environment["FICHIER_VAULT"] = "/nonexistent/fichier-tests/vault"
        environment.merge(extra) { $1 }
        return environment
    }
}

/// A running child with piped stdin, stdout and stderr.
final class Spawned: @unchecked Sendable {
    let process = Process()
    let output: OutputLines
    let errors: OutputLines
    private let input: FileHandle

    init(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: try Binary.path())
        process.arguments = arguments
        process.environment = Binary.environment(environment)
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        input = stdin.fileHandleForWriting
        output = OutputLines(fd: stdout.fileHandleForReading.fileDescriptor)
        errors = OutputLines(fd: stderr.fileHandleForReading.fileDescriptor)
    }

    func send(_ line: String) {
        try? input.write(contentsOf: Data((line + "\n").utf8))
    }

    func request(_ id: Int, _ method: String, _ params: String? = nil) {
        send(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}")
    }

    func closeInput() {
        try? input.close()
    }

    func exitStatus(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw TestFailure("\(process.arguments ?? []) did not exit; stderr:\n\(errors.text)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        try await output.waitForEnd()
        try await errors.waitForEnd()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// A one-shot command's outcome.
struct CommandOutcome: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "status \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }

    /// stdout as one JSON object (for `--json`).
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw TestFailure("stdout is not one JSON object: \(stdout)")
        }
        return object
    }
}

/// Runs `fichier ARGS…` to the end.
func runFichier(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                directory: String? = nil) async throws -> CommandOutcome {
    let child = try Spawned(arguments, environment: environment, directory: directory)
    if let stdin { child.send(stdin) }
    child.closeInput()
    let status = try await child.exitStatus()
    return CommandOutcome(status: status, stdout: child.output.text, stderr: child.errors.text)
}

/// A fresh temporary directory, removed by `remove()`.
struct ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("fichier-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file(name)))
        return file(name)
    }

    /// A file of `size` bytes without writing them (reads as zeros).
    @discardableResult
    func sparse(_ name: String, size: Int64) throws -> String {
        guard FileManager.default.createFile(atPath: file(name), contents: nil) else {
            throw TestFailure("cannot create \(file(name))")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file(name)))
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
        return file(name)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Escapes a string as a JSON string literal.
func jsonString(_ text: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
    return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
}
