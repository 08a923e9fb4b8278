/// A fixed key (or none: every call then fails with `auth_missing`).
public struct StaticCredentials: CredentialProvider {
    private let key: APIKey?

    public init(_ key: APIKey?) {
        self.key = key
    }

    public func apiKey() async throws -> APIKey {
        guard let key else { throw FichierError(.authMissing, "no API key is configured") }
        return key
    }
}
