/// One recipient stanza of an age header: `-> type args…` and a binary body.
public struct AgeStanza: Sendable, Equatable {
    /// The first argument, which names the recipient type (`X25519`, `scrypt`, …).
    public var type: String
    /// The remaining arguments.
    public var arguments: [String]
    /// The decoded body.
    public var body: [UInt8]

    public init(type: String, arguments: [String], body: [UInt8]) {
        self.type = type
        self.arguments = arguments
        self.body = body
    }

    /// The stanza as it appears in a header: the argument line, then the body in base64
    /// wrapped at 64 columns, always ending with a line shorter than 64 (possibly empty).
    var encoded: [UInt8] {
        var out = Array("->".utf8)
        for argument in [type] + arguments {
            out.append(0x20)
            out += Array(argument.utf8)
        }
        out.append(0x0A)
        let text = Array(Base64.encodeUnpadded(body).utf8)
        var index = 0
        while true {
            let end = min(index + AgeFormat.columnsPerLine, text.count)
            out += text[index..<end]
            out.append(0x0A)
            if end - index < AgeFormat.columnsPerLine { break }
            index = end
        }
        return out
    }

    /// Encoded length for a stanza with these argument lengths and body length.
    static func encodedLength(argumentLengths: [Int], bodyLength: Int) -> Int {
        let argumentLine = 2 + argumentLengths.reduce(0) { $0 + 1 + $1 } + 1
        let text = Base64.unpaddedLength(of: bodyLength)
        let lines = text / AgeFormat.columnsPerLine + 1      // a full last line is followed by an empty one
        return argumentLine + text + lines
    }
}
