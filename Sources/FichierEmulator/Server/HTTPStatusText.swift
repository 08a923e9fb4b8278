import HTTPTypes

/// Statuses with their usual reason phrase, for statuses given as numbers (injected faults).
enum HTTPStatusText {
    private static let phrases: [Int: String] = [
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
        408: "Request Timeout", 409: "Conflict", 410: "Gone", 411: "Length Required", 413: "Content Too Large",
        429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
        503: "Service Temporarily Unavailable", 504: "Gateway Time-out", 507: "Insufficient Storage",
        509: "Bandwidth Limit Exceeded", 520: "Unknown Error",
    ]

    /// The status for a code (clamped to 100…599) with its phrase when known.
    static func status(_ code: Int) -> HTTPResponse.Status {
        let clamped = min(max(code, 100), 599)
        return HTTPResponse.Status(code: clamped, reasonPhrase: phrases[clamped] ?? "")
    }
}
