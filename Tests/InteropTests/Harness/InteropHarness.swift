import FichierEmulator
import Foundation

/// The emulator, reachable as api.1fichier.com through an intercepting proxy, and the
/// environment that points unmodified third-party clients at it.
final class InteropHarness: @unchecked Sendable {
    /// A 32-character key, the length real 1fichier keys have.
    static let apiKey = "Interop0Key0abcdefghijklmnopqrst"

    let emulator: Emulator
    let workDirectory: URL
    private let proxy: Process
    let proxyPort: Int
    let caCertificate: String

    private init(emulator: Emulator, workDirectory: URL, proxy: Process, proxyPort: Int, caCertificate: String) {
        self.emulator = emulator
        self.workDirectory = workDirectory
        self.proxy = proxy
        self.proxyPort = proxyPort
        self.caCertificate = caCertificate
    }

    static var supportDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support")
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func start() async throws -> InteropHarness {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let emulator = Emulator(EmulatorConfiguration(apiKeys: [apiKey]))
        try await emulator.start()
        guard let upstream = URL(string: emulator.baseURL), let host = upstream.host, let port = upstream.port else {
            throw InteropFailure("unexpected emulator base URL \(emulator.baseURL)")
        }

        let state = work.appendingPathComponent("tls")
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: try ChildProcess.resolve("python3"))
        proxy.arguments = [supportDirectory.appendingPathComponent("tls_intercept_proxy.py").path,
                           "--upstream", "\(host):\(port)", "--state", state.path]
        proxy.standardOutput = FileHandle.nullDevice
        proxy.standardError = FileHandle.standardError
        proxy.standardInput = FileHandle.nullDevice
        try proxy.run()

        // The proxy announces its port and CA in state/ready once it listens.
        var proxyPort: Int?
        var ca: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while proxyPort == nil || ca == nil {
            guard ContinuousClock.now < deadline, proxy.isRunning else {
                proxy.terminate()
                await emulator.stop()
                throw InteropFailure("the intercepting proxy did not start (is openssl installed?)")
            }
            try await Task.sleep(for: .milliseconds(50))
            guard let text = try? String(contentsOf: state.appendingPathComponent("ready"), encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                if line.hasPrefix("PORT ") { proxyPort = Int(line.dropFirst(5)) }
                if line.hasPrefix("CA ") { ca = String(line.dropFirst(3)) }
            }
        }
        return InteropHarness(emulator: emulator, workDirectory: work, proxy: proxy,
                              proxyPort: proxyPort!, caCertificate: ca!)
    }

    /// The environment of a third-party client: everything to 1fichier.com goes through the
    /// proxy; loopback stays direct.
    var clientEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        let proxyURL = "http://127.0.0.1:\(proxyPort)"
        for name in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] { environment[name] = proxyURL }
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        environment["no_proxy"] = "127.0.0.1,localhost"
        environment["REQUESTS_CA_BUNDLE"] = caCertificate
        environment["HOME"] = workDirectory.path
        return environment
    }

    /// Runs `body` with a fresh harness and always stops it afterwards.
    static func with(_ body: (InteropHarness) async throws -> Void) async throws {
        let harness = try await start()
        do {
            try await body(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    func stop() async {
        proxy.terminate()
        // Never block a cooperative thread on waitUntilExit: poll, and kill after a grace period.
        let deadline = ContinuousClock.now + .seconds(5)
        while proxy.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if proxy.isRunning { kill(proxy.processIdentifier, SIGKILL) }
        await emulator.stop()
        try? FileManager.default.removeItem(at: workDirectory)
    }
}
