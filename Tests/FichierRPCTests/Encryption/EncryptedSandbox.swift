import FichierAPI
import FichierCrypto
import FichierEmulator
@testable import FichierRPC
import Foundation

/// An in-process emulator and an `RPCServer` (over real pipes) with the 1fichier methods, a
/// session vault (`TestVault`), the `vault/*` methods and the vault gate — what `fichier
/// serve` composes, minus the process.
final class EncryptedSandbox: @unchecked Sendable {
    static let key = "encsandboxkey0123456789abcdefghi"

    let emulator: Emulator
    let server: PipeServer
    let vault: SessionVault
    let files: TestVault
    let directory: URL
    private let ids = Locked(1000)

    /// - Parameters:
    ///   - unlocked: adopt the opened vault before the first request.
    ///   - keyFromVault: the API key comes from the vault profile (else a static key).
    ///   - profile: changes to the vault profile before the start (defaults, extra recipients).
    static func start(unlocked: Bool = true, keyFromVault: Bool = false,
                      profile: ((inout VaultProfile) throws -> Void)? = nil) async throws -> EncryptedSandbox {
        let files = try await TestVault.make(apiKey: keyFromVault ? key : nil)
        if let profile {
            try await files.opened().update { contents in try contents.updateProfile(profile) }
        }
        let vault = SessionVault(path: files.path)
        if unlocked { try vault.adopt(try await files.opened()) }
        let emulator = Emulator(EmulatorConfiguration(apiKeys: [key]))
        try await emulator.start()
        let credentials: any CredentialProvider = keyFromVault ? VaultCredentials(vault: vault) : StaticCredentials(APIKey(key))
        var configuration = try FichierConfiguration(apiURL: emulator.apiURL, credentials: credentials)
        configuration.pace = .zero
        configuration.listingWindow = .zero
        let service = FichierService(client: FichierClient(configuration: configuration),
                                     encryption: SessionEncryption(vault: vault))
        var methods = MethodRegistry()
        FichierMethods.register(in: &methods, service: service)
        VaultMethods.register(in: &methods, vault: vault, keySource: keyFromVault ? .vault : .environment)
        methods.gate(FichierMethods.names, on: vault, keyFromVault: keyFromVault)
        let server = try PipeServer(methods: methods)
        return EncryptedSandbox(emulator: emulator, server: server, vault: vault, files: files)
    }

    private init(emulator: Emulator, server: PipeServer, vault: SessionVault, files: TestVault) {
        self.emulator = emulator
        self.server = server
        self.vault = vault
        self.files = files
        directory = files.directory
    }

    func call(_ method: String, _ params: String = "{}", timeout: Duration = .seconds(120)) async throws -> Message {
        let id = ids.withLock { $0 += 1; return $0 }
        server.request(id, method, params)
        return try await server.output.response(id, timeout: timeout)
    }

    @discardableResult
    func result(_ method: String, _ params: String = "{}") async throws -> [String: Any] {
        let response = try await call(method, params)
        guard let result = response.result else { throw HarnessError("\(method) \(params) failed: \(response.line)") }
        return result
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    @discardableResult
    func localFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    /// The stored bytes (ciphertext) of the file at `url`.
    func storedBytes(_ url: String) throws -> [UInt8] {
        let stored = try storedPath(url)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: stored)))
    }

    func storedPath(_ url: String) throws -> String {
        guard let file = emulator.admin.file(url: url), let path = file.storedPath else {
            throw HarnessError("no stored blob for \(url)")
        }
        return path
    }

    /// The profile's identity in age-keygen's format, in a 0600 file (as `vault export-identity`).
    func exportedIdentity() throws -> String {
        let profile = try vault.profile(for: "test")
        let text = try require(profile.identity.encoded().unsafeStringCopy())
        let file = path("identity.txt")
        _ = FileManager.default.createFile(atPath: file, contents: Data((text + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        return file
    }

    func stop() async throws {
        server.closeInput()
        _ = try await server.exitStatus()
        await emulator.stop()
    }
}

/// `#require` outside a test body.
private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw HarnessError("unexpected nil") }
    return value
}

extension EncryptedSandbox {
    /// Runs the stock `age` tool; returns its status and stdout.
    static func age(_ arguments: [String]) throws -> (status: Int32, output: [UInt8]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/age")
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = Pipe()
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, [UInt8](data))
    }
}
