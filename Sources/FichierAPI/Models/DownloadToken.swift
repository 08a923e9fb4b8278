import Foundation

/// A temporary direct link from `download/get_token.cgi` (valid about 5 minutes). The URL
/// grants access: it is never logged, and `description` hides it.
public struct DownloadToken: Sendable, CustomStringConvertible {
    public var url: String
    /// When the client stops trusting the link (issue time + 5 minutes, minus a margin).
    public var expiresAt: Date
    public var raw: JSONValue

    public static let lifetime: TimeInterval = 300

    public init(json: JSONValue, issuedAt: Date = Date()) throws(FichierError) {
        let json = try Wire.requireObject(json, "download token")
        url = try Wire.string(json, "url", what: "download token")
        expiresAt = issuedAt.addingTimeInterval(DownloadToken.lifetime - 10)
        raw = json
    }

    public init(url: String, expiresAt: Date) {
        self.url = url
        self.expiresAt = expiresAt
        raw = .object(["url": .string(url)])
    }

    public var isExpired: Bool { Date() >= expiresAt }

    public var description: String { "DownloadToken(<redacted>, expires \(expiresAt))" }
}
