/// A parsed `Content-Disposition` (or any `type; key=value; …`) header value.
struct ContentDisposition: Sendable, Equatable {
    struct Parameter: Sendable, Equatable {
        var name: String
        var value: String
        /// True when the value was a quoted-string (the node only recognises quoted names).
        var quoted: Bool
    }

    var type: String
    var parameters: [Parameter]

    func parameter(_ name: String) -> Parameter? {
        parameters.first { $0.name.lowercased() == name.lowercased() }
    }

    /// The file name: `filename*` (RFC 5987, UTF-8) when present, else `filename`.
    var fileName: String? {
        if let extended = parameter("filename*"), let decoded = Self.decodeExtended(extended.value) {
            return decoded
        }
        return parameter("filename")?.value
    }

    /// Parses `type; name="value"; other=token`. Nil on a syntax error.
    init?(parsing text: String) {
        var scalars = Substring(text).unicodeScalars[...]
        func skipSpaces() {
            while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        }
        func token() -> String {
            var out = String.UnicodeScalarView()
            while let first = scalars.first, first != ";", first != "=", first != " ", first != "\t", first != "\"" {
                out.append(first)
                scalars.removeFirst()
            }
            return String(out)
        }
        skipSpaces()
        let type = token()
        guard !type.isEmpty else { return nil }
        self.type = type.lowercased()
        parameters = []
        skipSpaces()
        while let first = scalars.first {
            guard first == ";" else { return nil }
            scalars.removeFirst()
            skipSpaces()
            if scalars.isEmpty { break }
            let name = token()
            guard !name.isEmpty else { return nil }
            skipSpaces()
            guard scalars.first == "=" else { return nil }
            scalars.removeFirst()
            skipSpaces()
            if scalars.first == "\"" {
                scalars.removeFirst()
                var value = String.UnicodeScalarView()
                var closed = false
                while let scalar = scalars.first {
                    scalars.removeFirst()
                    if scalar == "\"" {
                        closed = true
                        break
                    }
                    if scalar == "\\", let escaped = scalars.first {
                        scalars.removeFirst()
                        value.append(escaped)
                    } else {
                        value.append(scalar)
                    }
                }
                guard closed else { return nil }
                parameters.append(Parameter(name: name, value: String(value), quoted: true))
            } else {
                parameters.append(Parameter(name: name, value: token(), quoted: false))
            }
            skipSpaces()
        }
    }

    /// Decodes `UTF-8''percent%20encoded` (RFC 5987); nil for other charsets or bad escapes.
    static func decodeExtended(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        return PercentEncoding.decode(pieces[2])
    }
}
