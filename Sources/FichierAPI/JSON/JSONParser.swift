/// Reads a JSON document (RFC 8259) straight from UTF-8 bytes into a `JSONValue`, in one pass.
///
/// Iterative, with an explicit stack of open containers, so deep nesting cannot overflow the
/// thread's stack; containers nested deeper than `maxDepth` are refused. Strict grammar (no
/// trailing commas, no leading zeros, no bare control characters in strings, valid UTF-8,
/// paired surrogates in `\u` escapes), with these choices:
/// - a leading UTF-8 byte order mark is skipped;
/// - a number with an integral value that fits in `Int64` is `.integer`, also when written
///   with a fraction or an exponent (`12.0`, `1e2`); any other number is `.number`, and a
///   number too large for a `Double` is an error;
/// - of repeated names in an object, the first one wins.
struct JSONParser {
    struct Failure: Error, Equatable, CustomStringConvertible {
        /// What is wrong, e.g. "unexpected character 'x'".
        var reason: String
        /// Byte offset in the input where it was found.
        var offset: Int

        var description: String { "\(reason) at byte \(offset)" }
    }

    static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses one complete document; only whitespace may follow it.
    static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, Failure>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(buffer)
            return Result { () throws(Failure) -> JSONValue in try parser.document() }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(Failure) -> JSONValue in
            var parser = JSONParser(buffer)
            return try parser.document()
        }
    }

    // MARK: - Document and containers

    private mutating func document() throws(Failure) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        let value = try value()
        skipWhitespace()
        guard position == bytes.count else { throw unexpected() }
        return value
    }

    /// The open containers, innermost last: their kinds, and the arrays, objects and pending
    /// member names of each kind. Values are added in place (`arrays[last].append`), so a
    /// container never gets copied while it grows.
    private struct OpenContainers {
        var kinds: [Bool] = []  // true: object
        var arrays: [[JSONValue]] = []
        var objects: [[String: JSONValue]] = []
        var keys: [String] = []

        var depth: Int { kinds.count }
    }

    private mutating func value() throws(Failure) -> JSONValue {
        var open = OpenContainers()
        while true {
            // The start of a value: a scalar, an empty container, or a container to descend into.
            skipWhitespace()
            guard position < bytes.count else { throw truncated() }
            var complete: JSONValue
            switch bytes[position] {
            case UInt8(ascii: "["):
                try checkDepth(open.depth)
                position += 1
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    complete = .array([])
                } else {
                    open.kinds.append(false)
                    open.arrays.append([])
                    continue
                }
            case UInt8(ascii: "{"):
                try checkDepth(open.depth)
                position += 1
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    complete = .object([:])
                } else {
                    open.keys.append(try memberName())
                    open.kinds.append(true)
                    open.objects.append([:])
                    continue
                }
            case UInt8(ascii: "\""):
                complete = .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                complete = try number()
            case UInt8(ascii: "t"):
                try literal("true")
                complete = .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                complete = .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                complete = .null
            default:
                throw unexpected()
            }

            // A value is complete: add it to the innermost container, and close containers as
            // long as their closing bracket follows. A comma goes back to reading a value.
            while let isObject = open.kinds.last {
                if isObject {
                    let key = open.keys.removeLast()
                    // Inserts only when the name is new (the first of repeated names wins).
                    Self.keep(&open.objects[open.objects.count - 1][key, default: complete])
                } else {
                    open.arrays[open.arrays.count - 1].append(complete)
                }
                skipWhitespace()
                guard position < bytes.count else { throw truncated() }
                let next = bytes[position]
                if next == UInt8(ascii: ",") {
                    position += 1
                    if isObject {
                        skipWhitespace()
                        open.keys.append(try memberName())
                    }
                    break
                }
                guard next == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw unexpected(expecting: isObject ? "',' or '}'" : "',' or ']'")
                }
                position += 1
                open.kinds.removeLast()
                complete = isObject ? .object(open.objects.removeLast()) : .array(open.arrays.removeLast())
            }
            if open.kinds.isEmpty { return complete }
        }
    }

    /// Accesses a dictionary slot through `subscript(_:default:)`, which inserts the default
    /// only when the key is missing: one hash lookup either way.
    private static func keep(_ value: inout JSONValue) {}

    private func checkDepth(_ depth: Int) throws(Failure) {
        guard depth < Self.maxDepth else {
            throw Failure(reason: "containers nested deeper than \(Self.maxDepth)", offset: position)
        }
    }

    /// `"name"` then `:`, at the current position.
    private mutating func memberName() throws(Failure) -> String {
        guard position < bytes.count else { throw truncated() }
        guard bytes[position] == UInt8(ascii: "\"") else { throw unexpected(expecting: "a member name") }
        let name = try string()
        skipWhitespace()
        guard position < bytes.count else { throw truncated() }
        guard bytes[position] == UInt8(ascii: ":") else { throw unexpected(expecting: "':'") }
        position += 1
        return name
    }

    // MARK: - Scalars

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        let start = word.utf8Start
        for index in 0..<count {
            guard position + index < bytes.count else { throw truncated() }
            guard bytes[position + index] == start[index] else {
                position += index
                throw unexpected()
            }
        }
        position += count
    }

    /// A string at the current position (on its opening quote).
    private mutating func string() throws(Failure) -> String {
        position += 1
        let start = position
        // Fast path: up to the closing quote, with no escape; UTF-8 is validated once at the end.
        var ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                if ascii { return String(decoding: raw, as: UTF8.self) }
                guard let text = String(validating: raw, as: UTF8.self) else {
                    throw Failure(reason: "invalid UTF-8 in a string", offset: start)
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw Failure(reason: "unescaped control character in a string", offset: position) }
            if byte >= 0x80 { ascii = false }
            position += 1
        }
        guard position < bytes.count else { throw truncated() }
        return try escapedString(from: start)
    }

    /// The slow path: a string with escapes, decoded into a byte buffer from `start`.
    private mutating func escapedString(from start: Int) throws(Failure) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(position - start + 16)
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: output, as: UTF8.self) else {
                    throw Failure(reason: "invalid UTF-8 in a string", offset: start)
                }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw truncated() }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"): appendUTF8(of: try unicodeEscape(), to: &output)
                default:
                    position -= 1
                    throw Failure(reason: "invalid escape '\\\(Character(Unicode.Scalar(escape)))'", offset: position - 1)
                }
            case 0x00..<0x20:
                throw Failure(reason: "unescaped control character in a string", offset: position)
            default:
                output.append(byte)
                position += 1
            }
        }
        throw truncated()
    }

    /// The scalar of `XXXX` after `\u` (and of a following `\uXXXX` low surrogate).
    private mutating func unicodeEscape() throws(Failure) -> Unicode.Scalar {
        let escapeStart = position - 2
        let unit = try hex4()
        switch unit {
        case 0xD800...0xDBFF:
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                  bytes[position + 1] == UInt8(ascii: "u") else {
                throw Failure(reason: "unpaired surrogate in a \\u escape", offset: escapeStart)
            }
            position += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw Failure(reason: "unpaired surrogate in a \\u escape", offset: escapeStart)
            }
            let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            return Unicode.Scalar(value)!  // in 0x10000...0x10FFFF by construction
        case 0xDC00...0xDFFF:
            throw Failure(reason: "unpaired surrogate in a \\u escape", offset: escapeStart)
        default:
            return Unicode.Scalar(unit)!  // not a surrogate, so a valid scalar
        }
    }

    private mutating func hex4() throws(Failure) -> UInt16 {
        guard position + 4 <= bytes.count else { throw truncated() }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure(reason: "invalid hex digit in a \\u escape", offset: position)
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    private func appendUTF8(of scalar: Unicode.Scalar, to output: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            output.append(UInt8(value))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | value >> 6))
            output.append(UInt8(0x80 | value & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | value >> 12))
            output.append(UInt8(0x80 | value >> 6 & 0x3F))
            output.append(UInt8(0x80 | value & 0x3F))
        default:
            output.append(UInt8(0xF0 | value >> 18))
            output.append(UInt8(0x80 | value >> 12 & 0x3F))
            output.append(UInt8(0x80 | value >> 6 & 0x3F))
            output.append(UInt8(0x80 | value & 0x3F))
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at the current position.
    private mutating func number() throws(Failure) -> JSONValue {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < bytes.count else { throw truncated() }
        guard isDigit(bytes[position]) else { throw unexpected(expecting: "a digit") }
        // Integer part, accumulated as a negative number so that Int64.min fits.
        var magnitude: Int64 = 0
        var overflow = false
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw Failure(reason: "leading zero in a number", offset: start)
            }
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                let digit = Int64(bytes[position] - UInt8(ascii: "0"))
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.subtractingReportingOverflow(digit)
                if o1 || o2 { overflow = true } else { magnitude = next }
                position += 1
            }
        }
        var integral = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            integral = false
            position += 1
            try digits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            integral = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            try digits()
        }
        if integral {
            if !overflow && (negative || magnitude != .min) { return .integer(negative ? magnitude : -magnitude) }
            return .number(try double(from: start))  // beyond Int64
        }
        let double = try double(from: start)
        if double.rounded() == double, double >= -0x1p63, double < 0x1p63 { return .integer(Int64(double)) }
        return .number(double)
    }

    /// The number from `start` to the current position, correctly rounded.
    private func double(from start: Int) throws(Failure) -> Double {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            throw Failure(reason: "number out of range", offset: start)
        }
        return double
    }

    /// One or more digits (after `.` or an exponent sign).
    private mutating func digits() throws(Failure) {
        guard position < bytes.count else { throw truncated() }
        guard isDigit(bytes[position]) else { throw unexpected(expecting: "a digit") }
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: - Errors

    private func truncated() -> Failure {
        Failure(reason: "the document ends early", offset: position)
    }

    private func unexpected(expecting what: String? = nil) -> Failure {
        let byte = bytes[position]
        var reason = byte >= 0x20 && byte < 0x7F
            ? "unexpected character '\(Character(Unicode.Scalar(byte)))'"
            : "unexpected byte 0x\(String(byte, radix: 16))"
        if let what { reason += " where \(what) was due" }
        return Failure(reason: reason, offset: position)
    }
}
