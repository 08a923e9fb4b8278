import FichierCrypto

/// Reads a params object straight from the request line, for methods that carry secrets
/// (`vault/unlock {passphrase}`): a secret member is decoded into `SecureBytes` and its bytes
/// in the line buffer are overwritten, so no `String`, `Data` or decoder copy of it exists.
/// Other members are read as plain JSON values of the types the method asks for.
struct SecretParams {
    /// One top-level member of the params object.
    struct Member {
        var name: String
        /// The value's bytes in the line (a string value includes its quotes).
        var range: Range<Int>
        var isString: Bool
        var isNull: Bool
    }

    private let line: UnsafeBufferPointer<UInt8>
    private(set) var members: [Member] = []

    /// Splits the params object at `range` of `line` into members. Absent params are `{}`.
    init(line: UnsafeBufferPointer<UInt8>, range: Range<Int>?) throws(RPCError) {
        self.line = line
        guard let range else { return }
        let slice = UnsafeBufferPointer(rebasing: line[range])
        var scanner = JSONScanner(slice)
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw RPCError.invalidParams(path: "", problem: "params must be an object")
        }
        do throws(JSONScanner.Failure) {
            try scanner.expect(UInt8(ascii: "{"))
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: "}") { return }
            while true {
                scanner.skipWhitespace()
                guard scanner.peek() == UInt8(ascii: "\"") else { throw JSONScanner.Failure.syntax("member name expected") }
                let name = try scanner.readString()
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipWhitespace()
                let start = scanner.position
                let first = scanner.peek()
                try scanner.skipValue()
                members.append(Member(name: name, range: (range.lowerBound + start)..<(range.lowerBound + scanner.position),
                                      isString: first == UInt8(ascii: "\""), isNull: first == UInt8(ascii: "n")))
                scanner.skipWhitespace()
                guard let next = scanner.peek() else { throw JSONScanner.Failure.truncated }
                if next == UInt8(ascii: ",") {
                    scanner.position += 1
                    continue
                }
                try scanner.expect(UInt8(ascii: "}"))
                return
            }
        } catch {
            throw RPCError.invalidParams(path: "", problem: "params are not a valid JSON object")
        }
    }

    private func member(_ name: String) -> Member? {
        members.last { $0.name == name && !$0.isNull }
    }

    func contains(_ name: String) -> Bool {
        member(name) != nil
    }

    /// A plain (non-secret) string member, or nil when absent or null.
    func string(_ name: String) throws(RPCError) -> String? {
        guard let member = member(name) else { return nil }
        guard member.isString else { throw RPCError.invalidParams(path: name, problem: "expected a string") }
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: line[member.range]))
        do {
            return try scanner.readString()
        } catch {
            throw RPCError.invalidParams(path: name, problem: "expected a string")
        }
    }

    /// A secret string member decoded into secure memory, or nil when absent or null. The
    /// member's characters in the line are then overwritten with spaces.
    func secret(_ name: String) throws(RPCError) -> SecureBytes? {
        guard let member = member(name) else { return nil }
        guard member.isString else { throw RPCError.invalidParams(path: name, problem: "expected a string") }
        let content = UnsafeBufferPointer(rebasing: line[(member.range.lowerBound + 1)..<(member.range.upperBound - 1)])
        let length = Self.decodedLength(content)
        let secret = SecureBytes(count: length) { target in
            var index = 0
            Self.decode(content) { byte in
                target[index] = byte
                index += 1
            }
        }
        // The line buffer belongs to the reader thread, which is done with this line once the
        // request is prepared; wiping the secret there shortens its life in plain memory.
        let writable = UnsafeMutableBufferPointer(mutating: line)
        for index in member.range.dropFirst().dropLast() { writable[index] = 0x20 }
        return secret
    }

    // MARK: JSON string content (already validated by the envelope parser)

    private static func decodedLength(_ content: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        decode(content) { _ in count += 1 }
        return count
    }

    /// Calls `emit` with each UTF-8 byte of the decoded string.
    private static func decode(_ content: UnsafeBufferPointer<UInt8>, _ emit: (UInt8) -> Void) {
        var index = 0
        func hex4(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 where at + offset < content.count {
                let byte = content[at + offset]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: digit = 0
                }
                value = value << 4 | digit
            }
            return value
        }
        func scalar(_ value: UInt32) {
            switch value {
            case 0..<0x80:
                emit(UInt8(value))
            case 0x80..<0x800:
                emit(UInt8(0xC0 | (value >> 6)))
                emit(UInt8(0x80 | (value & 0x3F)))
            case 0x800..<0x10000:
                emit(UInt8(0xE0 | (value >> 12)))
                emit(UInt8(0x80 | ((value >> 6) & 0x3F)))
                emit(UInt8(0x80 | (value & 0x3F)))
            default:
                emit(UInt8(0xF0 | (value >> 18)))
                emit(UInt8(0x80 | ((value >> 12) & 0x3F)))
                emit(UInt8(0x80 | ((value >> 6) & 0x3F)))
                emit(UInt8(0x80 | (value & 0x3F)))
            }
        }
        while index < content.count {
            let byte = content[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < content.count else {
                emit(byte)
                index += 1
                continue
            }
            let kind = content[index + 1]
            index += 2
            switch kind {
            case UInt8(ascii: "b"): emit(0x08)
            case UInt8(ascii: "f"): emit(0x0C)
            case UInt8(ascii: "n"): emit(0x0A)
            case UInt8(ascii: "r"): emit(0x0D)
            case UInt8(ascii: "t"): emit(0x09)
            case UInt8(ascii: "u"):
                var value = hex4(index)
                index += 4
                if value >= 0xD800 && value <= 0xDBFF && index + 5 < content.count
                    && content[index] == UInt8(ascii: "\\") && content[index + 1] == UInt8(ascii: "u") {
                    let low = hex4(index + 2)
                    index += 6
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                }
                scalar(value)
            default: emit(kind)  // \" \\ \/
            }
        }
    }
}
