import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `fichier` executable, run as `fichier serve …` with real pipes.
final class ServeProcess: @unchecked Sendable {
    let process: Process
    let output: LineCollector
    let errorOutput: LineCollector
    private let input: FileHandle

    /// The `fichier` binary next to the test bundle (or `$FICHIER_BINARY`).
    static func binaryPath() throws -> String {
        // Writing to a child that has exited must be an error, not a signal to the tests.
        Glibc.signal(SIGPIPE, SIG_IGN)
        if let path = ProcessInfo.processInfo.environment["FICHIER_BINARY"] { return path }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the test runner is …/debug/fichierPackageTests.xctest; on macOS the
        // bundle's executable sits deeper inside …/debug/fichierPackageTests.xctest/Contents/MacOS.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("fichier").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw HarnessError("""
            the fichier binary was not found next to the test runner (\(testBinary.path)); \
            build it first with `swift build --product fichier` or set FICHIER_BINARY
            """)
    }

    init(_ arguments: [String] = ["--debug-methods"]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binaryPath())
        process.arguments = ["serve"] + arguments
        // No vault: never the user's own (it would change capabilities and gate methods).
        var environment = ProcessInfo.processInfo.environment
        for name in ["FICHIER_PASSPHRASE", "FICHIER_PASSPHRASE_FILE", "FICHIER_KEYFILE"] { environment[name] = nil }
        environment["FICHIER_VAULT"] = "/nonexistent/fichier-tests/vault"
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        self.process = process
        input = stdin.fileHandleForWriting
        output = LineCollector(fd: stdout.fileHandleForReading.fileDescriptor)
        errorOutput = LineCollector(fd: stderr.fileHandleForReading.fileDescriptor)
    }

    func send(_ line: String) {
        sendRaw(Array((line + "\n").utf8))
    }

    func sendRaw(_ bytes: [UInt8]) {
        try? input.write(contentsOf: Data(bytes))
    }

    func request(_ id: Int, _ method: String, _ params: String? = nil) {
        send(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}")
    }

    func closeInput() {
        try? input.close()
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the process to exit and returns its status (128 + n if killed by signal n).
    func exitStatus(timeout: Duration = .seconds(15)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw HarnessError("fichier serve did not exit")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        try await output.waitForEnd()
        if process.terminationReason == .uncaughtSignal { return 128 + process.terminationStatus }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
