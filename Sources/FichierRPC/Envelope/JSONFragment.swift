import Foundation

/// An already encoded, compact JSON value, carried inside errors (`data.partial`) and results
/// without a round trip through a value tree.
public struct JSONFragment: Sendable, Hashable, CustomStringConvertible {
    /// The compact UTF-8 JSON text.
    public let bytes: [UInt8]

    /// Encodes `value` with the protocol's encoder settings.
    public init(encoding value: some Encodable) throws {
        bytes = try Array(ResultEncoding.encoder.encode(value))
    }

    /// Wraps text that the caller guarantees to be one compact JSON value without raw newlines.
    init(trusted bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// The encoder for results: compact, slashes unescaped, dates as ISO 8601.
enum ResultEncoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
