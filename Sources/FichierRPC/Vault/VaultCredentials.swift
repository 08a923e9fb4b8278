import FichierAPI

/// The API key of the session vault's selected profile, for a `FichierClient`. While the
/// vault is locked every call fails with `auth_missing` saying so; `VaultGate` turns that
/// into `vault_locked` on the protocol.
public struct VaultCredentials: CredentialProvider {
    public let vault: SessionVault

    public init(vault: SessionVault) {
        self.vault = vault
    }

    public func apiKey() async throws -> APIKey {
        try vault.apiKey()
    }
}
