import FichierCrypto
import Foundation

/// `vault/status`, `vault/unlock {passphrase | keyFile, profile?}`, `vault/lock`. None of
/// them ever returns a secret: the result is always the public `VaultStatus`.
///
/// Order: `vault/lock` is answered on arrival; a `vault/unlock` (Argon2id takes a moment)
/// holds back the requests that arrive after it (`vault/status` and the gated 1fichier
/// methods, see `MethodRegistry.gate`) until it is done, and a lock or unlock that arrived
/// later always wins over one that arrived earlier.
public enum VaultMethods {
    public static let names = ["vault/lock", "vault/status", "vault/unlock"]

    /// The params of `vault/unlock` once read: the passphrase is in secure memory only.
    struct UnlockParams: Sendable {
        var secret: Secret
        var profile: String?
        var ticket: UnlockTicket

        enum Secret: Sendable {
            case passphrase(SecureBytes)
            case keyFile(path: String)
        }
    }

    public static func register(in registry: inout MethodRegistry, vault: SessionVault, keySource: APIKeySource) {
        registry.registerImmediate("vault/lock") { (_: NoParams, _) in
            vault.lock()
            return vault.status(keySource: keySource)
        }

        registry.register("vault/status", ordering: nil) { (_: NoParams, _: RequestContext) async throws -> VaultStatus in
            vault.status(keySource: keySource)
        }
        registry.holdBehindPendingUnlocks(["vault/status"], of: vault)

        registry.registerReadingSecrets("vault/unlock") { params throws(RPCError) -> UnlockParams in
            let passphrase = try params.secret("passphrase")
            let keyFile = try params.string("keyFile")
            let profile = try params.string("profile")
            let secret: UnlockParams.Secret
            switch (passphrase, keyFile) {
            case (let passphrase?, nil):
                guard passphrase.count > 0 else {
                    throw RPCError.invalidParams(path: "passphrase", problem: "must not be empty")
                }
                secret = .passphrase(passphrase)
            case (nil, let path?):
                guard !path.isEmpty else { throw RPCError.invalidParams(path: "keyFile", problem: "must not be empty") }
                secret = .keyFile(path: path)
            default:
                throw RPCError.invalidParams(path: "", problem: "give one of passphrase or keyFile")
            }
            return UnlockParams(secret: secret, profile: profile, ticket: vault.beginUnlock())
        } _: { (params: UnlockParams, _: RequestContext) async throws -> VaultStatus in
            defer { params.ticket.end() }
            let secret: VaultSecret
            switch params.secret {
            case .passphrase(let passphrase):
                secret = .passphrase(passphrase)
            case .keyFile(let path):
                do {
                    secret = .keyFile(try VaultKeyFile.read(path: absolute(path)))
                } catch let error as VaultError {
                    throw error.rpcError
                }
            }
            try await vault.unlock(secret, profile: params.profile, arrival: params.ticket.arrival)
            return vault.status(keySource: keySource)
        }
    }

    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let base = FileManager.default.currentDirectoryPath
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }
}
