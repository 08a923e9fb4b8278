import FichierAPI
import FichierEmulator
import Foundation

/// The sandbox: the built-in emulator, in this process, on 127.0.0.1 with a generated key.
final class Sandbox: Sendable {
    let emulator: Emulator
    let key: APIKey
    /// Where its data lives (a temporary directory removed at `stop` unless given).
    let dataDirectory: String

    private init(emulator: Emulator, key: APIKey, dataDirectory: String) {
        self.emulator = emulator
        self.key = key
        self.dataDirectory = dataDirectory
    }

    /// - Parameter alsoAccepting: further keys the emulator accepts (a vault profile's key,
    ///   so the vault's credentials work offline).
    static func start(directory: String?, alsoAccepting extraKeys: [String] = []) async throws -> Sandbox {
        let text = generatedKey()
        guard let key = APIKey(text) else { throw SandboxError("cannot make a sandbox key") }
        var configuration = EmulatorConfiguration(apiKeys: [text] + extraKeys)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        if let directory {
            let absolute = LocalPath.absolute(directory)
            do {
                try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
            } catch {
                throw SandboxError("cannot create the sandbox directory \(absolute): \(error.localizedDescription)")
            }
            configuration.dataDirectory = absolute
        }
        let emulator = Emulator(configuration)
        do {
            try await emulator.start()
        } catch {
            throw SandboxError("cannot start the sandbox emulator: \(error)")
        }
        return Sandbox(emulator: emulator, key: key, dataDirectory: emulator.dataDirectoryPath)
    }

    /// `http://127.0.0.1:PORT`.
    var baseURL: String { emulator.baseURL }

    func stop() async {
        await emulator.stop()
    }

    /// 32 random characters from [A-Za-z0-9], like a 1fichier key.
    static func generatedKey() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}

struct SandboxError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum LocalPath {
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let base = FileManager.default.currentDirectoryPath
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }
}
