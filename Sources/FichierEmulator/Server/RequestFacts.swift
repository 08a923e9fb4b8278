import HTTPTypes
import Hummingbird

/// What handlers need to know about a request beyond its body: the host it was sent to
/// (URLs the emulator hands out are built on it), the scheme, the client and the Bearer key.
struct RequestFacts: Sendable {
    /// `host[:port]` from the Host header (or the listening address when absent).
    var host: String
    /// `https` when a proxy says so in `X-Forwarded-Proto`, else `http`.
    var scheme: String
    var clientAddress: String
    /// The key after `Authorization: Bearer`, if any (not necessarily a valid one).
    var bearerKey: String?

    var baseURL: String { "\(scheme)://\(host)" }

    init(request: Request, clientAddress: String, fallbackHost: String) {
        let authority = request.head.authority
        if let authority, !authority.isEmpty, Self.isPlausibleHost(authority) {
            host = authority
        } else {
            host = fallbackHost
        }
        let forwarded = request.headers[.forwardedProto]?.lowercased()
        scheme = forwarded == "https" ? "https" : "http"
        self.clientAddress = clientAddress
        bearerKey = Self.bearerKey(in: request.headers[.authorization])
    }

    static func bearerKey(in header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let key = String(parts[1]).trimmingSpaces
        return key.isEmpty ? nil : key
    }

    /// A host header we are willing to put into URLs: no spaces, slashes or control characters.
    static func isPlausibleHost(_ text: String) -> Bool {
        text.utf8.count <= 255 && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "\\") }
    }
}
