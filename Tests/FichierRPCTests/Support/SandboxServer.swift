import FichierAPI
import FichierEmulator
import FichierRPC
import Foundation

/// An in-process emulator and an `RPCServer` (over real pipes) serving the 1fichier methods
/// against it, as `fichier serve --sandbox` does, for fast method tests.
final class SandboxServer: @unchecked Sendable {
    let emulator: Emulator
    let server: PipeServer
    let service: FichierService
    let directory: URL
    private let ids = Locked(1000)

    static let key = "sandboxkey0123456789abcdefghijklm"

    static func start(configureEmulator: (inout EmulatorConfiguration) -> Void = { _ in },
                      configureClient: (inout FichierConfiguration) -> Void = { _ in },
                      configureServer: (inout ServerConfiguration) -> Void = { _ in }) async throws -> SandboxServer {
        var configuration = EmulatorConfiguration(apiKeys: [key])
        configureEmulator(&configuration)
        let emulator = Emulator(configuration)
        try await emulator.start()
        var client = try FichierConfiguration(apiURL: emulator.apiURL, credentials: StaticCredentials(APIKey(key)))
        client.pace = .zero
        client.listingWindow = .zero
        client.floodPause = .milliseconds(200)
        configureClient(&client)
        let service = FichierService(client: FichierClient(configuration: client))
        var methods = MethodRegistry()
        FichierMethods.register(in: &methods, service: service)
        let server = try PipeServer(configure: configureServer, methods: methods)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fichier-methods-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return SandboxServer(emulator: emulator, server: server, service: service, directory: directory)
    }

    private init(emulator: Emulator, server: PipeServer, service: FichierService, directory: URL) {
        self.emulator = emulator
        self.server = server
        self.service = service
        self.directory = directory
    }

    /// A fresh request id.
    func nextID() -> Int {
        ids.withLock { $0 += 1; return $0 }
    }

    /// Sends a request and waits for its terminal response.
    func call(_ method: String, _ params: String = "{}", timeout: Duration = .seconds(30)) async throws -> Message {
        let id = nextID()
        server.request(id, method, params)
        return try await server.output.response(id, timeout: timeout)
    }

    /// Sends a request whose response must be a result; returns it.
    @discardableResult
    func result(_ method: String, _ params: String = "{}") async throws -> [String: Any] {
        let response = try await call(method, params)
        guard let result = response.result else {
            throw HarnessError("\(method) \(params) failed: \(response.line)")
        }
        return result
    }

    /// A local file with `contents` in this sandbox's directory.
    func localFile(_ name: String, _ contents: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url.path
    }

    func stop() async throws {
        server.closeInput()
        _ = try await server.exitStatus()
        await emulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Escapes a string for a JSON literal in test params.
func json(_ text: String) -> String {
    let data = try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
    let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
    return String(array.dropFirst().dropLast())
}
