#if canImport(CDispatch)
// As in CryptIO.swift: clang may attribute `struct stat` to Dispatch's C module.
import CDispatch
#endif
import FichierAPI
import FichierCrypto
import FichierRPC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a process finds its 1fichier API key, in one documented order shared by `serve`, the
/// one-shot verbs and `annex-remote` (git-annex starts it without arguments, so the
/// environment forms matter there):
///
///   1. `--api-key-file FILE`
///   2. `FICHIER_API_KEY_FILE` (a file, for cron, systemd and git-annex)
///   3. `FICHIER_API_KEY` (the key itself)
///   4. the vault profile's key (nil here; see `Connection`)
///
/// An empty variable counts as unset. A key file must be a regular file that neither group nor
/// others may access (mode 0600 or stricter), like the vault's key files; otherwise it is
/// refused with a message that names the file and its mode, never its contents.
enum APIKeyLookup {
    /// The first configured source, without reading anything.
    enum Origin: Equatable {
        case file(path: String, fromEnvironment: Bool)
        case environment
    }

    static func origin(apiKeyFile: String?, environment: [String: String]) -> Origin? {
        if let apiKeyFile { return .file(path: apiKeyFile, fromEnvironment: false) }
        if let path = environment["FICHIER_API_KEY_FILE"], !path.isEmpty {
            return .file(path: path, fromEnvironment: true)
        }
        if let text = environment["FICHIER_API_KEY"], !text.isEmpty { return .environment }
        return nil
    }

    /// The key from the first configured source and how `vault/status` reports it; nil when
    /// none is configured (the vault's key, if any, applies then).
    static func read(apiKeyFile: String?, environment: [String: String]) throws(ConnectionError) -> (key: APIKey, source: APIKeySource)? {
        switch origin(apiKeyFile: apiKeyFile, environment: environment) {
        case .none:
            return nil
        case .file(let path, let fromEnvironment):
            return (try readFile(path, named: fromEnvironment ? "FICHIER_API_KEY_FILE" : "--api-key-file"), .file)
        case .environment:
            guard let key = environment["FICHIER_API_KEY"].flatMap({ APIKey($0) }) else {
                throw ConnectionError("FICHIER_API_KEY does not hold an API key (printable ASCII without spaces)")
            }
            return (key, .environment)
        }
    }

    /// Reads a key file: a regular file of mode 0600 or stricter, holding the key (surrounding
    /// whitespace and a final newline are ignored). `named` says where the path came from.
    static func readFile(_ path: String, named option: String) throws(ConnectionError) -> APIKey {
        let absolute = LocalPath.absolute(path)
        let descriptor = open(absolute, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else {
            throw ConnectionError("cannot read the API key file \(path) (\(option)): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ConnectionError("the API key file \(path) (\(option)) is not a regular file")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw ConnectionError("the API key file \(path) (\(option)) is accessible by group or others "
                                  + "(mode \(String(mode, radix: 8))); run chmod 600 \(path)")
        }
        let contents: SecureBytes
        do {
            contents = try SecretInput.read(fileDescriptor: descriptor, what: "API key")
        } catch {
            throw ConnectionError("cannot read an API key from \(path) (\(option)): the file is empty or too long")
        }
        guard let key = contents.withUnsafeBytes({ APIKey(bytes: $0) }) else {
            throw ConnectionError("the API key file \(path) (\(option)) does not hold an API key "
                                  + "(one line of printable ASCII without spaces)")
        }
        return key
    }
}
