/// Strict, incremental parser of the age v1 header, fed one line at a time (without its LF).
/// Enforces the grammar of age.md and the behaviour the CCTV vectors pin down: LF line ends
/// only, canonical unpadded base64, 64-column body lines ending with a short line, a MAC line
/// of exactly "--- " and 43 base64 characters.
struct AgeHeaderParser {
    enum State { case version, stanzaOrEnd, body, done }

    private(set) var state = State.version
    private(set) var stanzas: [AgeStanza] = []
    /// The header bytes covered by the MAC (through "---"), available once done.
    private(set) var macInput: [UInt8] = []
    private(set) var mac: [UInt8] = []
    private var pending: (type: String, arguments: [String], body: [UInt8])?
    private var consumed = 0

    var isDone: Bool { state == .done }

    /// Feeds one complete line (its LF stripped).
    mutating func feed(line: ArraySlice<UInt8>) throws(AgeError) {
        consumed += line.count + 1
        if consumed > AgeFormat.maximumHeaderSize {
            throw .header("header longer than \(AgeFormat.maximumHeaderSize) bytes")
        }
        switch state {
        case .version:
            guard line.elementsEqual(AgeFormat.versionLine.dropLast()) else {
                if line.starts(with: Array("age-encryption.org/".utf8)) {
                    throw .header("unsupported version line")
                }
                throw .header("not an age file (bad version line)")
            }
            macInput += line
            macInput.append(0x0A)
            state = .stanzaOrEnd
        case .stanzaOrEnd:
            if line.starts(with: [0x2D, 0x2D, 0x2D]) {          // "---"
                try parseMAC(line)
                macInput += [0x2D, 0x2D, 0x2D]
                state = .done
                return
            }
            guard line.starts(with: [0x2D, 0x3E]) else {        // "->"
                throw .header("line is neither a stanza nor the MAC")
            }
            let rest = line.dropFirst(2)
            guard rest.first == 0x20 else { throw .header("stanza without arguments") }
            let words = rest.dropFirst().split(separator: 0x20, omittingEmptySubsequences: false)
            var arguments: [String] = []
            for word in words {
                guard !word.isEmpty else { throw .header("empty stanza argument") }
                guard word.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
                    throw .header("invalid character in a stanza argument")
                }
                arguments.append(String(decoding: word, as: UTF8.self))
            }
            guard stanzas.count < AgeFormat.maximumStanzas else {
                throw .header("more than \(AgeFormat.maximumStanzas) stanzas")
            }
            pending = (arguments[0], Array(arguments.dropFirst()), [])
            macInput += line
            macInput.append(0x0A)
            state = .body
        case .body:
            guard line.count <= AgeFormat.columnsPerLine else { throw .header("stanza body line longer than 64 columns") }
            guard let decoded = Base64.decodeCanonicalUnpadded(line) else {
                throw .header("stanza body is not canonical base64")
            }
            pending!.body += decoded
            macInput += line
            macInput.append(0x0A)
            if line.count < AgeFormat.columnsPerLine {
                let stanza = pending!
                stanzas.append(AgeStanza(type: stanza.type, arguments: stanza.arguments, body: stanza.body))
                pending = nil
                state = .stanzaOrEnd
            }
        case .done:
            throw .header("data after the header MAC")
        }
    }

    private mutating func parseMAC(_ line: ArraySlice<UInt8>) throws(AgeError) {
        guard stanzas.count > 0 else { throw .header("header has no recipient stanza") }
        guard line.count == AgeFormat.macLineLength - 1, line[line.startIndex + 3] == 0x20 else {
            throw .header("malformed MAC line")
        }
        guard let decoded = Base64.decodeCanonicalUnpadded(line.dropFirst(4)), decoded.count == 32 else {
            throw .header("MAC is not canonical base64 of 32 bytes")
        }
        mac = decoded
    }
}
