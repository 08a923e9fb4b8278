import Foundation

/// Just enough HTML reading for 1fichier's node pages: the message of the first non-empty
/// `<div class="bloc2">`, or the page title, as plain text.
enum HTMLText {
    static func isHTML(_ body: [UInt8]) -> Bool {
        let head = String(decoding: body.prefix(512), as: UTF8.self).lowercased()
        return head.contains("<html") || head.contains("<!doctype") || head.contains("<div")
            || head.contains("<body") || head.contains("<head")
    }

    /// The text of the first non-empty `<div class="bloc2">`.
    static func bloc2Message(_ body: [UInt8]) -> String? {
        let page = String(decoding: body.prefix(256 << 10), as: UTF8.self)
        var rest = Substring(page)
        while let open = rest.range(of: "class=\"bloc2\"", options: .caseInsensitive)
            ?? rest.range(of: "class='bloc2'", options: .caseInsensitive) {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { return nil }
            let content = rest[rest.index(after: tagEnd)...]
            let close = content.range(of: "</div", options: .caseInsensitive)?.lowerBound ?? content.endIndex
            let text = plainText(content[..<close])
            if !text.isEmpty { return text }
            rest = content[close...]
        }
        return nil
    }

    /// A short human summary of a non-JSON body: the bloc2 message, the title, or the start of
    /// the text; nil for an empty body.
    static func summary(_ body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        if let message = bloc2Message(body) { return String(message.prefix(300)) }
        let page = String(decoding: body.prefix(64 << 10), as: UTF8.self)
        if let open = page.range(of: "<title>", options: .caseInsensitive),
           let close = page[open.upperBound...].range(of: "</title>", options: .caseInsensitive) {
            let title = plainText(page[open.upperBound..<close.lowerBound])
            if !title.isEmpty { return String(title.prefix(300)) }
        }
        let text = plainText(Substring(page))
        return text.isEmpty ? nil : String(text.prefix(300))
    }

    /// Tags removed, common entities decoded, whitespace collapsed.
    static func plainText(_ html: Substring) -> String {
        var output = ""
        var inTag = false
        for character in html {
            if character == "<" { inTag = true; output.append(" "); continue }
            if character == ">" { inTag = false; continue }
            if !inTag { output.append(character) }
        }
        let entities: [(String, String)] = [
            ("&eacute;", "é"), ("&egrave;", "è"), ("&agrave;", "à"), ("&ecirc;", "ê"), ("&ccedil;", "ç"),
            ("&nbsp;", " "), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">"),
            ("&amp;", "&"),
        ]
        for (entity, replacement) in entities {
            output = output.replacingOccurrences(of: entity, with: replacement)
        }
        return output.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
