extension JSONValue {
    /// Parses a JSON document (`JSONParser`: strict RFC 8259, straight from the bytes). Throws a
    /// `provider_protocol` error for anything that is not JSON (for example an HTML page where
    /// 1fichier should have answered JSON).
    public static func parse(_ bytes: some Collection<UInt8>) throws(FichierError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw FichierError(.providerProtocol, "the response is not valid JSON (\(error))")
        }
    }

    /// Compact UTF-8 JSON; keys sorted so bodies are reproducible. `/` is not escaped.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        write(into: &output)
        return output
    }

    private func write(into output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: Array("null".utf8))
        case .bool(let value): output.append(contentsOf: Array((value ? "true" : "false").utf8))
        case .integer(let value): output.append(contentsOf: Array(String(value).utf8))
        case .number(let value):
            if value.isFinite {
                if value.rounded() == value, abs(value) < 9.0e15 {
                    output.append(contentsOf: Array(String(Int64(value)).utf8))
                } else {
                    output.append(contentsOf: Array("\(value)".utf8))
                }
            } else {
                output.append(contentsOf: Array("null".utf8))
            }
        case .string(let value): JSONValue.writeString(value, into: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                value.write(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                object[key]!.write(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, into output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
