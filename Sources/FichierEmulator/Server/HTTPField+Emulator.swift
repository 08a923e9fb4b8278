import HTTPTypes

extension HTTPField.Name {
    /// `JSON: 1` asks end.pl for JSON.
    static let jsonRequest = HTTPField.Name("JSON") ?? .accept
    /// Set by TLS proxies in front of the emulator.
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto") ?? .via
}
