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

/// Percent-decoding of URL components and RFC 5987 values.
enum PercentEncoding {
    static func decode(_ text: some StringProtocol) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986).
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + HexText.lowercase([byte]).uppercased()
            }
        }
        return out
    }
}
