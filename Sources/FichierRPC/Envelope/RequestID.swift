/// A client-chosen request id: a string or an integer (JSON-RPC also allows null and
/// fractions; this protocol does not). Echoed unchanged in the terminal response.
public enum RequestID: Hashable, Sendable, CustomStringConvertible, Codable {
    case integer(Int64)
    case string(String)

    public var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .string(let value): return value
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else {
            throw DecodingError.typeMismatch(
                RequestID.self,
                DecodingError.Context(codingPath: decoder.codingPath,
                                      debugDescription: "expected a string or an integer id"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}
