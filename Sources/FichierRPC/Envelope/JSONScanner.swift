/// A validating JSON scanner over one line of bytes. It checks the full RFC 8259 grammar
/// (including UTF-8 and `\u` surrogate pairs) without building a value tree, so that the
/// envelope can be read and `params` located in a single pass. Iterative, so deep nesting
/// cannot overflow the stack.
struct JSONScanner {
    enum Failure: Error, Equatable {
        /// Not JSON (or not UTF-8); the message says what and where.
        case syntax(String)
        /// The bytes ended in the middle of a value.
        case truncated
        /// Containers nested deeper than `maxDepth`.
        case tooDeep
    }

    static let maxDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }

    func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8) throws(Failure) {
        guard let current = peek() else { throw .truncated }
        guard current == byte else { throw unexpected(current) }
        position += 1
    }

    func unexpected(_ byte: UInt8) -> Failure {
        if byte >= 0x20 && byte < 0x7F {
            return .syntax("unexpected character '\(Character(Unicode.Scalar(byte)))' at byte \(position)")
        }
        return .syntax("unexpected byte 0x\(String(byte, radix: 16)) at byte \(position)")
    }

    // MARK: Values

    /// Skips one complete value, validating it.
    mutating func skipValue() throws(Failure) {
        // The kind of each open container (true = object): a bit set for the first 64 levels,
        // an array beyond, so that ordinary messages never allocate here.
        var shallow: UInt64 = 0
        var deep: [Bool] = []
        var depth = 0

        func push(_ object: Bool) {
            if depth < 64 {
                let mask = UInt64(1) << UInt64(depth)
                if object { shallow |= mask } else { shallow &= ~mask }
            } else {
                deep.append(object)
            }
            depth += 1
        }
        func pop() {
            depth -= 1
            if depth >= 64 { deep.removeLast() }
        }
        func topIsObject() -> Bool {
            let level = depth - 1
            return level < 64 ? shallow & (UInt64(1) << UInt64(level)) != 0 : deep[level - 64]
        }

        while true {
            // Parse the start of a value.
            skipWhitespace()
            guard let byte = peek() else { throw .truncated }
            var closedScalar = true
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let object = byte == UInt8(ascii: "{")
                guard depth < Self.maxDepth else { throw .tooDeep }
                push(object)
                position += 1
                skipWhitespace()
                guard let next = peek() else { throw .truncated }
                if next == (object ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position += 1
                    pop()
                } else {
                    if object { try skipMemberName() }
                    closedScalar = false
                }
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                _ = try scanNumber()
            case UInt8(ascii: "t"):
                try skipLiteral("true")
            case UInt8(ascii: "f"):
                try skipLiteral("false")
            case UInt8(ascii: "n"):
                try skipLiteral("null")
            default:
                throw unexpected(byte)
            }
            if !closedScalar { continue }

            // After a complete value: close containers or move to the next element.
            while true {
                if depth == 0 { return }
                skipWhitespace()
                guard let next = peek() else { throw .truncated }
                let inObject = topIsObject()
                if next == UInt8(ascii: ",") {
                    position += 1
                    if inObject { try skipMemberName() }
                    break
                } else if next == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position += 1
                    pop()
                } else {
                    throw unexpected(next)
                }
            }
        }
    }

    /// Skips `"name" :` inside an object.
    private mutating func skipMemberName() throws(Failure) {
        skipWhitespace()
        guard let byte = peek() else { throw .truncated }
        guard byte == UInt8(ascii: "\"") else { throw unexpected(byte) }
        try skipString()
        skipWhitespace()
        try expect(UInt8(ascii: ":"))
    }

    mutating func skipLiteral(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        let start = word.utf8Start
        for offset in 0..<count {
            guard position < bytes.count else { throw .truncated }
            guard bytes[position] == start[offset] else { throw unexpected(bytes[position]) }
            position += 1
        }
    }

    /// Scans a number and returns its byte range and whether it is written as an integer.
    mutating func scanNumber() throws(Failure) -> (range: Range<Int>, isInteger: Bool) {
        let start = position
        var isInteger = true
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek() else { throw .truncated }
        if first == UInt8(ascii: "0") {
            position += 1
        } else if first >= UInt8(ascii: "1") && first <= UInt8(ascii: "9") {
            skipDigits()
        } else {
            throw unexpected(first)
        }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let digit = peek() else { throw .truncated }
            guard digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9") else { throw unexpected(digit) }
            skipDigits()
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek() else { throw .truncated }
            guard digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9") else { throw unexpected(digit) }
            skipDigits()
        }
        return (start..<position, isInteger)
    }

    private mutating func skipDigits() {
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            position += 1
        }
    }

    // MARK: Strings

    /// Skips a string starting at its opening quote; returns whether it contained escapes.
    @discardableResult
    mutating func skipString() throws(Failure) -> Bool {
        try expect(UInt8(ascii: "\""))
        var escaped = false
        while true {
            guard position < bytes.count else { throw .truncated }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return escaped
            case UInt8(ascii: "\\"):
                escaped = true
                try skipEscape()
            case 0x00..<0x20:
                throw .syntax("unescaped control character in a string at byte \(position)")
            case 0x20..<0x80:
                position += 1
            default:
                try skipUTF8Sequence()
            }
        }
    }

    private mutating func skipEscape() throws(Failure) {
        position += 1  // the backslash
        guard let byte = peek() else { throw .truncated }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            position += 1
            let unit = try readHex4()
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard position + 1 < bytes.count else { throw .truncated }
                guard bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw .syntax("unpaired UTF-16 surrogate escape at byte \(position)")
                }
                position += 2
                let low = try readHex4()
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw .syntax("unpaired UTF-16 surrogate escape at byte \(position)")
                }
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw .syntax("unpaired UTF-16 surrogate escape at byte \(position)")
            }
        default:
            throw .syntax("invalid escape at byte \(position)")
        }
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw .truncated }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .syntax("invalid \\u escape at byte \(position)")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates).
    private mutating func skipUTF8Sequence() throws(Failure) {
        let lead = bytes[position]
        let count: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: count = 1
        case 0xE0: count = 2; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: count = 2
        case 0xED: count = 2; high = 0x9F
        case 0xF0: count = 3; low = 0x90
        case 0xF1...0xF3: count = 3
        case 0xF4: count = 3; high = 0x8F
        default: throw .syntax("invalid UTF-8 at byte \(position)")
        }
        for index in 1...count {
            guard position + index < bytes.count else { throw .truncated }
            let byte = bytes[position + index]
            let (min, max) = index == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
            guard byte >= min && byte <= max else { throw .syntax("invalid UTF-8 at byte \(position)") }
        }
        position += count + 1
    }

    /// Reads a string starting at its opening quote and decodes its escapes.
    mutating func readString() throws(Failure) -> String {
        let start = position
        let escaped = try skipString()
        let content = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(position - 1)])
        if !escaped { return String(decoding: content, as: UTF8.self) }
        return Self.unescape(content)
    }

    /// Decodes escapes in string content that `skipString` already validated.
    private static func unescape(_ content: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(content.count)
        var index = 0
        func hex4(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = content[at + offset]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                default: digit = UInt32(byte - UInt8(ascii: "A") + 10)
                }
                value = value << 4 | digit
            }
            return value
        }
        while index < content.count {
            let byte = content[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let kind = content[index + 1]
            index += 2
            switch kind {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(index)
                index += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = hex4(index + 2)
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                if let unicode = Unicode.Scalar(scalar) {
                    UTF8.encode(unicode) { output.append($0) }
                }
            default: output.append(kind)  // " \ /
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
