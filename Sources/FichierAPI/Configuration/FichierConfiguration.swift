import Foundation

/// Everything a FichierClient needs besides its transport.
public struct FichierConfiguration: Sendable {
    public static let defaultAPIURL = "https://api.1fichier.com/v1"

    /// The API base, validated: https, or http only for loopback hosts. No trailing slash.
    public private(set) var apiURL: String
    public var credentials: any CredentialProvider
    /// Minimum interval between two API calls of this account; `.zero` is allowed (emulator).
    public var pace: Duration = .milliseconds(400)
    /// How long every caller waits after 1fichier answered "Flood detected".
    public var floodPause: Duration = .seconds(30)
    /// Upper bound of the exponential backoff after retryable failures.
    public var maxBackoff: Duration = .seconds(5)
    public var connectTimeout: Duration = .seconds(30)
    /// Abort a transfer that moves less than 1 byte/s for this long.
    public var lowSpeedTime: Duration = .seconds(120)
    /// 1fichier allows one listing per folder per window.
    public var listingWindow: Duration = .seconds(30)
    public var userAgent: String = "fichier/0.1 (+libcurl)"
    /// Attempts per idempotent API call (first try included) before a retryable error is returned.
    public var maxAttempts: Int = 5
    /// Attempts at end.pl while the node answers a "please wait" HTML page.
    public var uploadReportAttempts: Int = 5
    /// First wait between end.pl attempts; doubles each time, capped by `maxBackoff`.
    public var uploadReportDelay: Duration = .milliseconds(500)
    /// Largest JSON body accepted into memory.
    public var responseBodyLimit: Int = 64 << 20

    public init(apiURL: String = FichierConfiguration.defaultAPIURL,
                credentials: any CredentialProvider) throws(FichierError) {
        self.apiURL = try FichierConfiguration.validatedBaseURL(apiURL)
        self.credentials = credentials
    }

    /// Checks an API base URL: https anywhere, plain http only on loopback, no user info,
    /// query or fragment. Returns it without a trailing slash.
    public static func validatedBaseURL(_ text: String) throws(FichierError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: trimmed),
              let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else {
            throw FichierError(.invalidConfiguration, "the API URL is not a valid absolute URL")
        }
        guard components.user == nil, components.password == nil else {
            throw FichierError(.invalidConfiguration, "the API URL must not carry credentials")
        }
        guard components.query == nil, components.fragment == nil else {
            throw FichierError(.invalidConfiguration, "the API URL must not have a query or fragment")
        }
        switch scheme {
        case "https":
            break
        case "http":
            guard isLoopback(host: host) else {
                throw FichierError(.invalidConfiguration,
                                   "plain http is only allowed for a loopback host, not \(host)")
            }
        default:
            throw FichierError(.invalidConfiguration, "the API URL must use https")
        }
        var result = trimmed
        while result.hasSuffix("/") { result.removeLast() }
        return result
    }

    /// `localhost`, 127.0.0.0/8 and ::1.
    public static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { part in
            guard let value = Int(part), (0...255).contains(value) else { return false }
            return true
        }
    }

    /// The scheme of the API URL ("https" or "http"); upload nodes are reached the same way.
    var scheme: String {
        apiURL.lowercased().hasPrefix("http://") ? "http" : "https"
    }
}
