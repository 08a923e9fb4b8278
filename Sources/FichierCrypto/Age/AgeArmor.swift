/// Streaming ASCII armor writer: strict PEM (RFC 7468) with the label "AGE ENCRYPTED FILE",
/// 64-column padded base64, every line LF-terminated.
struct AgeArmorEncoder {
    private var carry: [UInt8] = []
    static let bytesPerLine = 48

    func begin(into out: inout [UInt8]) {
        out += Array(AgeFormat.armorHeader.utf8)
        out.append(0x0A)
    }

    mutating func encode(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var index = 0
        if !carry.isEmpty {
            let take = min(Self.bytesPerLine - carry.count, bytes.count)
            carry += bytes[0..<take]
            index = take
            if carry.count == Self.bytesPerLine {
                carry.withUnsafeBytes { Base64.appendPaddedLine($0, to: &out) }
                out.append(0x0A)
                carry.removeAll(keepingCapacity: true)
            }
        }
        let fullLines = (bytes.count - index) / Self.bytesPerLine
        if fullLines > 0 {
            let end = index + fullLines * Self.bytesPerLine
            Base64.appendArmorLines(UnsafeRawBufferPointer(rebasing: bytes[index..<end]), to: &out)
            index = end
        }
        if index < bytes.count { carry += bytes[index...] }
    }

    mutating func finish(into out: inout [UInt8]) {
        if !carry.isEmpty {
            carry.withUnsafeBytes { Base64.appendPaddedLine($0, to: &out) }
            out.append(0x0A)
            carry.removeAll()
        }
        out += Array(AgeFormat.armorFooter.utf8)
        out.append(0x0A)
    }
}

/// Streaming, strict ASCII armor reader (push style). Accepts LF or CRLF line ends and up to
/// 1 KiB of whitespace before and after the PEM block; rejects everything else that is not
/// canonical: headers, long or short inner lines, bad padding, garbage around the block.
struct AgeArmorDecoder {
    private enum State { case leading, body, footer, trailing }
    private static let maximumWhitespace = 1024
    private static let maximumLine = 4096

    private var state = State.leading
    private var line: [UInt8] = []
    private var whitespace = 0
    private var decoded = [UInt8](repeating: 0, count: 48)

    /// Feeds armored bytes; calls `emit` with decoded binary bytes.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        for byte in bytes {
            if state == .trailing {
                guard Self.isSpace(byte) else { throw AgeError.armor("data after the end of the armor") }
                whitespace += 1
                guard whitespace < Self.maximumWhitespace else { throw AgeError.armor("too much whitespace after the armor") }
                continue
            }
            if byte == 0x0A {
                try process(line: line[...], emit: emit)
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
                if line.count > Self.maximumLine { throw AgeError.armor("line too long") }
            }
        }
    }

    /// Feeds armored bytes a line at a time (faster than `feed` for large inputs).
    mutating func feedLines(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var start = 0
        while start < bytes.count {
            if state == .trailing {
                try feed(UnsafeRawBufferPointer(rebasing: bytes[start...]), emit: emit)
                return
            }
            let rest = bytes[start...]
            guard let newline = rest.firstIndex(of: 0x0A) else {
                line.append(contentsOf: rest)
                if line.count > Self.maximumLine { throw AgeError.armor("line too long") }
                return
            }
            line.append(contentsOf: bytes[start..<newline])
            if line.count > Self.maximumLine { throw AgeError.armor("line too long") }
            try process(line: line[...], emit: emit)
            line.removeAll(keepingCapacity: true)
            start = newline + 1
        }
    }

    /// Ends the input: a last line without LF counts; the armor must be complete.
    mutating func finish(emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        if state != .trailing {
            guard !line.isEmpty else { throw AgeError.armor("unexpected end of the armored file") }
            try process(line: line[...], emit: emit)
            line.removeAll()
        }
        guard state == .trailing else { throw AgeError.armor("missing end line") }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    private mutating func process(line raw: ArraySlice<UInt8>, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var text = raw
        if text.last == 0x0D { text = text.dropLast() }
        switch state {
        case .leading:
            if raw.allSatisfy(Self.isSpace) {
                whitespace += raw.count + 1
                guard whitespace <= Self.maximumWhitespace else { throw AgeError.armor("too much whitespace before the armor") }
                return
            }
            guard text.elementsEqual(AgeFormat.armorHeader.utf8) else { throw AgeError.armor("invalid first line") }
            whitespace = 0
            state = .body
        case .body:
            if text.elementsEqual(AgeFormat.armorFooter.utf8) {
                state = .trailing
                return
            }
            guard !text.isEmpty else { throw AgeError.armor("empty line inside the armor") }
            guard text.count <= AgeFormat.columnsPerLine else { throw AgeError.armor("line longer than 64 columns") }
            let count = text.withUnsafeBytes { chars in
                decoded.withUnsafeMutableBytes { Base64.decodeArmorLine(chars, into: $0) }
            }
            guard let count else { throw AgeError.armor("invalid base64 line") }
            try decoded.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            if count < AgeArmorEncoder.bytesPerLine { state = .footer }
        case .footer:
            guard text.elementsEqual(AgeFormat.armorFooter.utf8) else { throw AgeError.armor("invalid end line") }
            state = .trailing
        case .trailing:
            break
        }
    }
}
