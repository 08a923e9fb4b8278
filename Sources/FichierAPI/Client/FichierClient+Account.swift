extension FichierClient {
    /// `user/info.cgi`. 1fichier allows this about once per 5 minutes per user.
    public func userInfo() async throws -> UserInfo {
        try UserInfo(json: try await call(.userInfo))
    }
}
