import Foundation

/// Keeps URLs out of messages: a download token is a URL, and any URL may carry one.
enum Redaction {
    /// Replaces every http(s) URL in `text` by `<url>` (a bare 1fichier file URL is kept: it
    /// names a file and grants nothing by itself).
    static func redactURLs(_ text: String) -> String {
        guard text.contains("http") else { return text }
        var output = ""
        var rest = Substring(text)
        while let range = rest.range(of: "http", options: .caseInsensitive) {
            output += rest[..<range.lowerBound]
            var end = range.lowerBound
            while end < rest.endIndex, !rest[end].isWhitespace, rest[end] != "\"", rest[end] != "'" {
                end = rest.index(after: end)
            }
            let candidate = rest[range.lowerBound..<end]
            if candidate.lowercased().hasPrefix("http://") || candidate.lowercased().hasPrefix("https://") {
                output += isPlainFileURL(candidate) ? String(candidate) : "<url>"
            } else {
                output += candidate
            }
            rest = rest[end...]
        }
        output += rest
        return output
    }

    static func isPlainFileURL(_ url: some StringProtocol) -> Bool {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("https://1fichier.com/?") else { return false }
        let id = lowered.dropFirst("https://1fichier.com/?".count)
        return !id.isEmpty && id.count <= 20 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
