import FichierCrypto
import FichierRPC
import Foundation

/// The vault of a `serve` or one-shot process: the session vault the methods use, unlocked at
/// startup through the same sources as the vault commands (`VaultOptions`) when a vault
/// exists.
///
/// - A configured source (`--passphrase-fd`, `--passphrase-file`, `--key-file`,
///   `FICHIER_PASSPHRASE_FILE`, `FICHIER_KEYFILE`, `FICHIER_PASSPHRASE`) is always used; a
///   failure (wrong passphrase, corrupt vault …) stops the process with that error's status.
/// - Otherwise one-shot verbs prompt on the terminal when there is one; `serve` never
///   prompts (its stdin is the protocol): it starts locked and a client sends `vault/unlock`.
enum VaultSetup {
    struct Failure: Error, CustomStringConvertible {
        let error: RPCError
        var description: String { error.message }
        var exitCode: Int32 { exitStatus(for: error) }
    }

    static func prepare(_ options: VaultOptions, interactive: Bool, autoLock: Duration? = nil) async throws(Failure) -> SessionVault {
        let session = SessionVault(path: options.path, profile: options.profile, autoLock: autoLock)
        guard session.exists else { return session }
        VaultOptions.harden()
        let source = options.source
        if source == .terminal && !(interactive && SecretInput.terminalAvailable) {
            return session
        }
        do {
            let secret = try options.unlockSecret(prompt: "Vault passphrase (\(options.path)): ")
            try await session.unlock(secret)
        } catch let error as RPCError {
            throw Failure(error: error)
        } catch {
            throw Failure(error: CLIFailure.rpcError(for: error))
        }
        return session
    }
}
