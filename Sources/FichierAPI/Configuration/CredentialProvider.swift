/// Where the API key comes from (the vault, an environment variable, a key file…).
public protocol CredentialProvider: Sendable {
    /// The API key for the next call. Throws FichierError(.authMissing) when none is available
    /// (e.g. the vault is locked).
    func apiKey() async throws -> APIKey
}
