/// Appends compact JSON to a byte buffer. Used for the envelope, events and error objects,
/// which are on the hot path; handler results go through `JSONEncoder`.
struct JSONWriter {
    var bytes: [UInt8]

    init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ other: [UInt8]) {
        bytes.append(contentsOf: other)
    }

    mutating func string(_ text: String) {
        Self.appendString(text, to: &bytes)
    }

    mutating func integer<I: BinaryInteger>(_ value: I) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    mutating func null() {
        raw("null")
    }

    mutating func id(_ id: RequestID?) {
        Self.appendID(id, to: &bytes)
    }

    static func appendID(_ id: RequestID?, to bytes: inout [UInt8]) {
        switch id {
        case .integer(let value)?: bytes.append(contentsOf: String(value).utf8)
        case .string(let value)?: appendString(value, to: &bytes)
        case nil: bytes.append(contentsOf: "null".utf8)
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped; other
    /// characters (including non-ASCII) pass through as UTF-8.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0x00..<0x20, 0x7F:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"),
                                          UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
