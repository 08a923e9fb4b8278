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
    /// `FICHIER_API_KEY_FILE`, `FICHIER_API_KEY`, `FICHIER_PACE_MS`,
    /// `FICHIER_LISTING_WINDOW_MS`); starts the sandbox when asked. The API key comes from the
    /// first of `--api-key-file`, `FICHIER_API_KEY_FILE`, `FICHIER_API_KEY` (`APIKeyLookup`),
    /// else it is the vault profile's (`vault`, see `VaultSetup`), and so is the API URL when the
    /// profile has one. The sandbox accepts its generated key and, when the unlocked profile has
    /// a key, that one too (then used through the vault); it paces nothing and lists folders
    /// again at once (pace and listing window 0) unless `--pace` / `--listing-window` say
    /// otherwise.
    static func open(_ options: ConnectionOptions, vault: SessionVault? = nil, logger: Logger) async throws -> Connection {
        let environment = ProcessInfo.processInfo.environment
        var sandbox: Sandbox?
        let apiURL: String
        var key: APIKey?
        var keySource: APIKeySource
        // nil keeps FichierConfiguration's defaults (400 ms, 30 s).
        var pace: Duration?
        var listingWindow: Duration?
        let profile = vault?.unlockedProfile
        if options.usesSandbox {
            let profileKey = profile?.apiKey?.unsafeStringCopy()
            let started = try await Sandbox.start(directory: options.sandboxDirectory,
                                                  alsoAccepting: profileKey.map { [$0] } ?? [])
            sandbox = started
            apiURL = started.emulator.apiURL
            key = profileKey == nil ? started.key : nil
            keySource = profileKey == nil ? .sandbox : .vault
            // The sandbox enforces no rate limit and no listing limit.
            pace = .zero
            listingWindow = .zero
        } else {
            apiURL = options.apiURL ?? environment["FICHIER_API_URL"].flatMap { $0.isEmpty ? nil : $0 }
                ?? profile?.apiURL ?? FichierConfiguration.defaultAPIURL
            if let found = try APIKeyLookup.read(apiKeyFile: options.apiKeyFile, environment: environment) {
                key = found.key
                keySource = found.source
            } else {
                key = nil
                keySource = vault?.exists == true ? .vault : .none
            }
            pace = try milliseconds("FICHIER_PACE_MS", in: environment)
            listingWindow = try milliseconds("FICHIER_LISTING_WINDOW_MS", in: environment)
        }
        if let paceMs = options.paceMs { pace = .milliseconds(paceMs) }
        if let windowMs = options.listingWindowMs { listingWindow = .milliseconds(windowMs) }
        do {
            let credentials: any CredentialProvider = keySource == .vault && vault != nil
                ? VaultCredentials(vault: vault!) : StaticCredentials(key)
            var configuration = try FichierConfiguration(apiURL: apiURL, credentials: credentials)
            if let pace { configuration.pace = pace }
            if let listingWindow { configuration.listingWindow = listingWindow }
            if sandbox != nil {
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

    /// A `*_MS` variable of the environment: nil when unset or empty, an error unless it is
    /// a whole number of milliseconds in 0…600000 (the range of `--pace` and `--listing-window`).
    private static func milliseconds(_ name: String, in environment: [String: String]) throws(ConnectionError) -> Duration? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = Int(text), ConnectionOptions.millisecondRange.contains(value) else {
            throw ConnectionError("\(name) must be a number of milliseconds (0…600000)")
        }
        return .milliseconds(value)
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
