/// Turning 1fichier's answers into FichierErrors. The `#NNN` suffix names a place in
/// 1fichier's code, not a meaning ("Flood detected" comes as #374, #412 and #38), so errors
/// are classified by message text plus HTTP status; the number is kept for logs.
extension FichierError {
    /// The error for a refusal with this HTTP status and (optional) 1fichier message.
    static func provider(httpStatus: Int, message rawMessage: String?) -> FichierError {
        let message = rawMessage.map { Redaction.redactURLs(String($0.trimmingSpaces.prefix(500))) }
        let text = message?.lowercased() ?? ""
        let code = message.flatMap(providerCode(in:))
        let provider = Provider(httpStatus: httpStatus, code: code, message: message)
        let said = message.map { ": \($0)" } ?? " (HTTP \(httpStatus))"

        func make(_ kind: Kind, _ human: String, retryable: Bool = false) -> FichierError {
            FichierError(kind, human + said, provider: provider, retryable: retryable)
        }

        var error: FichierError
        if text.contains("flood") || text.contains("ip locked") || text.contains("user locked")
            || text.contains("apk locked") {
            error = make(.rateLimited, "1fichier flood protection", retryable: true)
        } else if text.contains("locations allowed") || text.contains("professional equipment")
            || text.contains("must have cdn") {
            error = make(.accountRestricted, "1fichier restricts this account here")
        } else if text.contains("not authenticated") || text.contains("no such user")
            || text.contains("api key") || text.contains("bad key") || text.contains("invalid key") {
            error = make(.authRejected, "1fichier rejected the API key")
        } else if text.contains("must be a customer") || text.contains("premium") && text.contains("only") {
            error = make(.customerOnly, "this needs a Premium or Access subscription")
        } else if text.contains("owner locked") {
            error = make(.ownerLocked, "the owner of this file is locked")
        } else if text.contains("not found") || text.contains("no such file") || text.contains("no such folder") {
            error = make(.notFound, "not found on 1fichier")
        } else if text.contains("not allowed") || text.contains("password") || text.contains("forbidden")
            && !text.contains("upload forbidden") || text.contains("permission") {
            error = make(.notAllowed, "1fichier does not allow this")
        } else if text.contains("quota") || text.contains("not enough space") || text.contains("upload forbidden")
            || text.contains("storage full") {
            error = make(.quotaExceeded, "1fichier storage quota")
        } else if text.contains("not empty") || text.contains("non-empty") || text.contains("non empty") {
            error = make(.notEmpty, "the folder is not empty")
        } else if text.contains("already exist") || text.contains("same name") || text.contains("has been renamed")
            || text.contains("has been moved") || text.contains("nothing") {
            error = make(.conflict, "1fichier did nothing")
        } else if text.contains("too large") || text.contains("too big") {
            error = make(.tooLarge, "1fichier refused the size")
        } else if text.contains("content-type") {
            error = make(.providerProtocol, "1fichier did not accept the request format")
        } else if httpStatus < 500 && (text.contains("invalid") || text.contains("missing")
            || text.contains("too long")) {
            error = make(.invalidArgument, "1fichier refused a parameter")
        } else {
            switch httpStatus {
            case 401: error = make(.authRejected, "1fichier rejected the API key")
            case 404, 410: error = make(.notFound, "not found on 1fichier")
            case 429: error = make(.rateLimited, "1fichier asks to slow down", retryable: true)
            case 403: error = make(.notAllowed, "1fichier refused the request", retryable: true)
            case 500...599: error = make(.network, "1fichier is unavailable", retryable: true)
            default: error = make(.providerProtocol, "1fichier refused the request")
            }
        }
        if httpStatus >= 500, error.kind != .rateLimited {
            // A server or gateway failure, whatever its page says.
            error = make(.network, "1fichier is unavailable", retryable: true)
        }
        if httpStatus == 401, error.kind != .rateLimited {
            error.kind = .authRejected
            error.retryable = false
        }
        // rclone's policy: never retry "No such user" (#93) or #186.
        if code == 93 || code == 186 {
            error.retryable = false
        }
        return error
    }

    /// Whether this is 1fichier's "Flood detected" lock (as opposed to a plain 429).
    var isFloodLock: Bool {
        guard kind == .rateLimited, let text = provider?.message?.lowercased() else { return false }
        return text.contains("flood") || text.contains("locked")
    }

    /// The number after the last `#` of a message, e.g. 374 in "Flood detected: IP Locked #374".
    static func providerCode(in message: String) -> Int? {
        guard let hash = message.lastIndex(of: "#") else { return nil }
        let digits = message[message.index(after: hash)...].prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 6 else { return nil }
        return Int(digits)
    }
}
