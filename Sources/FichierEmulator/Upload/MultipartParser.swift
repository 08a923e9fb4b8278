/// One header line of a multipart part, as sent.
struct MultipartHeader: Sendable, Equatable {
    var name: String
    var value: String
}

/// Receives the parts of a multipart body as the parser finds them. Bytes are handed over
/// as slices of the incoming buffers (valid only during the call).
protocol MultipartPartHandler: AnyObject {
    func partBegan(headers: [MultipartHeader]) throws
    func partBytes(_ bytes: UnsafeRawBufferPointer) throws
    func partEnded() throws
}

/// An incremental `multipart/form-data` parser (RFC 7578 / RFC 2046) over a stream of buffers.
///
/// It keeps at most one delimiter's worth of bytes between buffers (a delimiter split across
/// buffers) and the headers of the current part; part bodies are handed on without copies.
/// Not Sendable: one per request.
final class MultipartParser {
    enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        case truncated
        case headersTooLarge

        var description: String {
            switch self {
            case .malformed(let reason): "malformed multipart body: \(reason)"
            case .truncated: "multipart body ends before its closing delimiter"
            case .headersTooLarge: "multipart part headers too large"
            }
        }
    }

    private enum AfterDelimiter {
        case start, dash, padding, carriageReturn
    }

    private enum State {
        case preamble
        case afterDelimiter(AfterDelimiter, inPart: Bool)
        case headers
        case body
        case epilogue
    }

    static let maximumHeaderBytes = 16 * 1024

    private let finder: BoundaryFinder
    private var state = State.preamble
    /// Bytes that may start a delimiter continuing in the next buffer.
    private var carry: [UInt8]
    private var headerBytes: [UInt8] = []

    /// A parser for `boundary` (1–70 characters, RFC 2046), or nil if it is not a valid boundary.
    init?(boundary: String) {
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count), bytes.allSatisfy(Self.isBoundaryCharacter), bytes.last != 0x20 else {
            return nil
        }
        finder = BoundaryFinder(delimiter: [0x0D, 0x0A, 0x2D, 0x2D] + bytes)
        // The first delimiter may start the body without a preceding CRLF: pretend one came.
        carry = [0x0D, 0x0A]
    }

    /// True once the closing delimiter was read.
    var isComplete: Bool {
        if case .epilogue = state { return true }
        return false
    }

    static func isBoundaryCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "'()+_,-./:=? ".utf8.contains(byte)
        }
    }

    /// Parses the next buffer of the body.
    func feed(_ bytes: UnsafeRawBufferPointer, to handler: some MultipartPartHandler) throws {
        var index = 0
        while index < bytes.count {
            switch state {
            case .preamble:
                index = try scan(bytes, from: index, inPart: false, handler: handler)
            case .body:
                index = try scan(bytes, from: index, inPart: true, handler: handler)
            case .afterDelimiter(let step, let inPart):
                let byte = bytes[index]
                index += 1
                try advanceAfterDelimiter(step, inPart: inPart, byte: byte, handler: handler)
            case .headers:
                index = try readHeaders(bytes, from: index, handler: handler)
            case .epilogue:
                return
            }
        }
    }

    /// Checks that the body ended with its closing delimiter.
    func finish() throws {
        guard isComplete else { throw Failure.truncated }
    }

    // MARK: Delimiter search

    /// Scans preamble or body bytes for the next delimiter; returns the index to continue from.
    private func scan(_ bytes: UnsafeRawBufferPointer, from start: Int, inPart: Bool,
                               handler: some MultipartPartHandler) throws -> Int {
        let length = finder.count
        var from = start
        if !carry.isEmpty {
            // Does a delimiter start inside the carried bytes?
            let extra = min(bytes.count - from, length - 1)
            var window = carry
            window.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[from..<(from + extra)]))
            let carried = carry.count
            for start in 0..<carried {
                let available = window.count - start
                let matched = window.withUnsafeBytes { raw in
                    finder.isPrefix(UnsafeRawBufferPointer(rebasing: raw[start..<(start + min(available, length))]))
                }
                guard matched else { continue }
                if inPart, start > 0 {
                    try window.withUnsafeBytes { try handler.partBytes(UnsafeRawBufferPointer(rebasing: $0[0..<start])) }
                }
                if available >= length {
                    carry.removeAll(keepingCapacity: true)
                    try delimiterFound(inPart: inPart, handler: handler)
                    return from + (start + length - carried)
                }
                // Still undecided: every remaining byte of this buffer is part of the candidate.
                carry = Array(window[start...])
                return bytes.count
            }
            if inPart { try carry.withUnsafeBytes { try handler.partBytes($0) } }
            carry.removeAll(keepingCapacity: true)
        }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[from...])
        if let match = finder.firstMatch(in: rest) {
            if inPart, match > 0 { try handler.partBytes(UnsafeRawBufferPointer(rebasing: rest[0..<match])) }
            from += match + length
            try delimiterFound(inPart: inPart, handler: handler)
            return from
        }
        let tail = finder.partialMatchStart(in: rest)
        if inPart, tail > 0 { try handler.partBytes(UnsafeRawBufferPointer(rebasing: rest[0..<tail])) }
        carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[tail...]))
        return bytes.count
    }

    private func delimiterFound(inPart: Bool, handler: some MultipartPartHandler) throws {
        if inPart { try handler.partEnded() }
        state = .afterDelimiter(.start, inPart: inPart)
    }

    // MARK: After a delimiter: "--" closes, otherwise optional padding then CRLF

    private func advanceAfterDelimiter(_ step: AfterDelimiter, inPart: Bool, byte: UInt8,
                                                handler: some MultipartPartHandler) throws {
        switch (step, byte) {
        case (.start, UInt8(ascii: "-")):
            state = .afterDelimiter(.dash, inPart: inPart)
        case (.dash, UInt8(ascii: "-")):
            state = .epilogue
        case (.start, 0x20), (.start, 0x09), (.padding, 0x20), (.padding, 0x09):
            state = .afterDelimiter(.padding, inPart: inPart)
        case (.start, 0x0D), (.padding, 0x0D):
            state = .afterDelimiter(.carriageReturn, inPart: inPart)
        case (.carriageReturn, 0x0A):
            state = .headers
            headerBytes.removeAll(keepingCapacity: true)
        default:
            throw Failure.malformed("unexpected byte after a boundary")
        }
    }

    // MARK: Part headers

    private func readHeaders(_ bytes: UnsafeRawBufferPointer, from start: Int,
                                      handler: some MultipartPartHandler) throws -> Int {
        var index = start
        while index < bytes.count {
            headerBytes.append(bytes[index])
            index += 1
            guard headerBytes.count >= 2, headerBytes[headerBytes.count - 1] == 0x0A,
                  headerBytes[headerBytes.count - 2] == 0x0D else {
                if headerBytes.count > Self.maximumHeaderBytes { throw Failure.headersTooLarge }
                continue
            }
            let count = headerBytes.count
            let blankLine = count == 2 || (count >= 4 && headerBytes[count - 3] == 0x0A && headerBytes[count - 4] == 0x0D)
            guard blankLine else { continue }
            let headers = try Self.parseHeaders(Array(headerBytes[0..<(count - 2)]))
            headerBytes.removeAll(keepingCapacity: true)
            state = .body
            try handler.partBegan(headers: headers)
            return index
        }
        return index
    }

    static func parseHeaders(_ block: [UInt8]) throws -> [MultipartHeader] {
        guard !block.isEmpty else { return [] }
        guard let text = String(validating: block, as: UTF8.self) else {
            // Non-UTF-8 header bytes: read them as Latin-1, as old browsers send them.
            return try parseHeaderText(String(block.map { Character(Unicode.Scalar($0)) }))
        }
        return try parseHeaderText(text)
    }

    private static func parseHeaderText(_ text: String) throws -> [MultipartHeader] {
        var headers: [MultipartHeader] = []
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                // Obsolete line folding: continues the previous header.
                guard !headers.isEmpty else { throw Failure.malformed("continuation line without header") }
                headers[headers.count - 1].value += " " + String(line).trimmingSpaces
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { throw Failure.malformed("header line without ':'") }
            let name = String(line[..<colon])
            guard !name.isEmpty, !name.contains(" ") else { throw Failure.malformed("invalid header name") }
            headers.append(MultipartHeader(name: name, value: String(line[line.index(after: colon)...]).trimmingSpaces))
        }
        return headers
    }
}
