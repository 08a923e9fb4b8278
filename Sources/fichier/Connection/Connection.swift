import FichierAPI
import FichierEmulator
import FichierRPC
import Foundation
import Logging

/// The 1fichier side of a process: the service the methods use, and the sandbox emulator
/// when there is one.
final class Connection: Sendable {
    let service: FichierService
    let sandbox: Sandbox?

    private init(service: FichierService, sandbox: Sandbox?) {
        self.service = service
        self.sandbox = sandbox
    }

    /// Builds the client from the options and the environment (`FICHIER_API_URL`,
    /// `FICHIER_API_KEY`, `FICHIER_PACE_MS`); starts the sandbox when asked.
    static func open(_ options: ConnectionOptions, logger: Logger) async throws -> Connection {
        let environment = ProcessInfo.processInfo.environment
        var sandbox: Sandbox?
        let apiURL: String
        let key: APIKey?
        var pace: Duration
        if options.usesSandbox {
            let started = try await Sandbox.start(directory: options.sandboxDirectory)
            sandbox = started
            apiURL = started.emulator.apiURL
            key = started.key
            pace = .zero
        } else {
            apiURL = options.apiURL ?? environment["FICHIER_API_URL"].flatMap { $0.isEmpty ? nil : $0 }
                ?? FichierConfiguration.defaultAPIURL
            key = try readKey(options, environment: environment)
            pace = .milliseconds(400)
            if let text = environment["FICHIER_PACE_MS"], !text.isEmpty {
                guard let value = Int(text), (0...600_000).contains(value) else {
                    throw ConnectionError("FICHIER_PACE_MS must be a number of milliseconds (0…600000)")
                }
                pace = .milliseconds(value)
            }
        }
        if let paceMs = options.paceMs { pace = .milliseconds(paceMs) }
        do {
            var configuration = try FichierConfiguration(apiURL: apiURL, credentials: StaticCredentials(key))
            configuration.pace = pace
            if sandbox != nil {
                // The sandbox enforces no listing limit: cached listings are refreshed at once.
                configuration.listingWindow = .zero
                configuration.floodPause = .seconds(1)
            }
            let client = FichierClient(configuration: configuration, logger: logger)
            return Connection(service: FichierService(client: client), sandbox: sandbox)
        } catch {
            await sandbox?.stop()
            throw ConnectionError("\(error.message)")
        }
    }

    private static func readKey(_ options: ConnectionOptions, environment: [String: String]) throws -> APIKey? {
        if let file = options.apiKeyFile {
            guard let data = FileManager.default.contents(atPath: LocalPath.absolute(file)) else {
                throw ConnectionError("cannot read the API key file \(file)")
            }
            guard let key = APIKey(bytes: Self.trimmed(Array(data))) else {
                throw ConnectionError("the API key file \(file) is empty")
            }
            return key
        }
        if let text = environment["FICHIER_API_KEY"], let key = APIKey(text) { return key }
        return nil
    }

    /// The bytes without surrounding whitespace (a key file usually ends with a newline).
    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return [] }
        return Array(bytes[first...last])
    }

    /// The methods of this connection, ready for an `RPCServer`.
    func methods() -> MethodRegistry {
        var registry = MethodRegistry()
        FichierMethods.register(in: &registry, service: service)
        return registry
    }

    func close() async {
        await sandbox?.stop()
    }
}

struct ConnectionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
