import FichierAPI
import FichierCrypto
import FichierEmulator
import FichierRPC
import Foundation
import Logging

/// The 1fichier side of a process: the service the methods use, the session vault, where the
/// API key comes from, and the sandbox emulator when there is one.
final class Connection: Sendable {
    let service: FichierService
    let sandbox: Sandbox?
    let vault: SessionVault?
    let keySource: APIKeySource

    private init(service: FichierService, sandbox: Sandbox?, vault: SessionVault?, keySource: APIKeySource) {
        self.service = service
        self.sandbox = sandbox
        self.vault = vault
        self.keySource = keySource
    }

    /// Builds the client from the options and the environment (`FICHIER_API_URL`,
    /// `FICHIER_API_KEY`, `FICHIER_PACE_MS`); starts the sandbox when asked. Without a key
    /// there, the API key is the vault profile's (`vault`, see `VaultSetup`), and so is the API
    /// URL when the profile has one. The sandbox accepts its generated key and, when the
    /// unlocked profile has a key, that one too (then used through the vault).
    static func open(_ options: ConnectionOptions, vault: SessionVault? = nil, logger: Logger) async throws -> Connection {
        let environment = ProcessInfo.processInfo.environment
        var sandbox: Sandbox?
        let apiURL: String
        var key: APIKey?
        var keySource: APIKeySource
        var pace: Duration
        let profile = vault?.unlockedProfile
        if options.usesSandbox {
            let profileKey = profile?.apiKey?.unsafeStringCopy()
            let started = try await Sandbox.start(directory: options.sandboxDirectory,
                                                  alsoAccepting: profileKey.map { [$0] } ?? [])
            sandbox = started
            apiURL = started.emulator.apiURL
            key = profileKey == nil ? started.key : nil
            keySource = profileKey == nil ? .sandbox : .vault
            pace = .zero
        } else {
            apiURL = options.apiURL ?? environment["FICHIER_API_URL"].flatMap { $0.isEmpty ? nil : $0 }
                ?? profile?.apiURL ?? FichierConfiguration.defaultAPIURL
            key = try readKey(options, environment: environment)
            keySource = key == nil ? (vault?.exists == true ? .vault : .none)
                : (options.apiKeyFile != nil ? .file : .environment)
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
            let credentials: any CredentialProvider = keySource == .vault && vault != nil
                ? VaultCredentials(vault: vault!) : StaticCredentials(key)
            var configuration = try FichierConfiguration(apiURL: apiURL, credentials: credentials)
            configuration.pace = pace
            if sandbox != nil {
                // The sandbox enforces no listing limit: cached listings are refreshed at once.
                configuration.listingWindow = .zero
                configuration.floodPause = .seconds(1)
            }
            let client = FichierClient(configuration: configuration, logger: logger)
            let service = FichierService(client: client, encryption: vault.map { SessionEncryption(vault: $0) })
            return Connection(service: service, sandbox: sandbox, vault: vault, keySource: keySource)
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

    /// The methods of this connection, ready for an `RPCServer`: the 1fichier methods and,
    /// with a session vault, `vault/*`, the 1fichier methods gated on the vault (they wait for
    /// an unlock that arrived before them, and answer `vault_locked` while it is locked when
    /// the API key comes from it).
    func methods() -> MethodRegistry {
        var registry = MethodRegistry()
        FichierMethods.register(in: &registry, service: service)
        if let vault {
            VaultMethods.register(in: &registry, vault: vault, keySource: keySource)
            registry.gate(FichierMethods.names, on: vault, keyFromVault: keySource == .vault)
        }
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
