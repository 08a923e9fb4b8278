import CSodium

/// Push-style age decryption, shaped for a download's write callback: feed ciphertext in
/// pieces of any size; `output` receives plaintext only after its chunk authenticated (and
/// never before the header MAC verified). `finish()` reports truncation: until it returns
/// without error, the plaintext released so far is an authenticated *prefix*, not the file.
///
/// After any error the writer is failed and repeats that error.
public final class AgeDecryptingWriter {
    /// How the input is encoded.
    public enum InputFormat: Sendable {
        /// Armored if the first non-whitespace byte is '-', binary otherwise.
        case detect
        case binary
        case armored
    }

    /// Plaintext bytes handed to `output` so far.
    public var plaintextBytesReleased: Int64 { decoder.released }
    /// True once the header was parsed and its MAC verified.
    public var headerVerified: Bool { decoder.headerVerified }

    private var format: InputFormat
    private var detectBuffer: [UInt8] = []
    private var armor = AgeArmorDecoder()
    private let decoder: AgeStreamDecoder
    private var failure: (any Error)?
    private var finished = false

    public convenience init(identities: [any AgeIdentity], input: InputFormat = .detect,
                            output: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.init(identities: identities, input: input, workers: AgePayloadCipher.onlineCores, output: output)
    }

    /// `workers` > 1 opens batches of chunks on several threads (the output is the same).
    init(identities: [any AgeIdentity], input: InputFormat, workers: Int,
         output: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        Sodium.ensureInitialized()
        self.format = input
        self.decoder = AgeStreamDecoder(identities: identities, batchChunks: AgeStreamDecoder.batchChunks(workers: workers),
                                        output: output)
    }

    /// A writer for binary payload bytes that a prepared decoder takes from there.
    init(payloadDecoder: AgeStreamDecoder) {
        Sodium.ensureInitialized()
        self.format = .binary
        self.decoder = payloadDecoder
    }

    /// Feeds the next ciphertext bytes.
    public func write(_ ciphertext: UnsafeRawBufferPointer) throws {
        if let failure { throw failure }
        guard !finished else { throw AgeError.payload("data after finish()") }
        do {
            try route(ciphertext)
        } catch {
            failure = error
            throw error
        }
    }

    /// Convenience for arrays.
    public func write(_ ciphertext: [UInt8]) throws {
        try ciphertext.withUnsafeBytes { try write($0) }
    }

    /// Declares the end of the input. Throws if the file is incomplete (no final chunk),
    /// has trailing data, or its armor is unterminated.
    public func finish() throws {
        if let failure { throw failure }
        guard !finished else { return }
        do {
            if format == .detect {
                // Only whitespace (or nothing) arrived: let the binary parser reject it.
                format = .binary
                let buffered = detectBuffer
                detectBuffer = []
                try buffered.withUnsafeBytes { try decoder.feed($0) }
            }
            if format == .armored {
                try armor.finish { try decoder.feed($0) }
            }
            try decoder.finish()
            finished = true
        } catch {
            failure = error
            throw error
        }
    }

    private func route(_ bytes: UnsafeRawBufferPointer) throws {
        switch format {
        case .binary:
            try decoder.feed(bytes)
        case .armored:
            try armor.feedLines(bytes) { try decoder.feed($0) }
        case .detect:
            detectBuffer += bytes
            guard let first = detectBuffer.firstIndex(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else {
                if detectBuffer.count > 1024 {
                    format = .binary
                    try flushDetect()
                }
                return
            }
            format = detectBuffer[first] == 0x2D ? .armored : .binary
            try flushDetect()
        }
    }

    private func flushDetect() throws {
        let buffered = detectBuffer
        detectBuffer = []
        try buffered.withUnsafeBytes { try route($0) }
    }
}

/// The binary age decoder behind `AgeDecryptingWriter`: header lines → identities → MAC →
/// nonce → chunks. Chunk handling mirrors the reference implementation: a full chunk is
/// first tried as non-final, then as final (which is an error if more data follows); a short
/// chunk at the end must be final and may only be empty when it is the only chunk.
///
/// A chunk is only opened once more data is known to follow. Whole chunks are opened straight
/// from the input when it holds them; the rest is staged, up to a batch for small writes or to
/// the end of the chunk in progress when the input goes on, so that the next chunks come
/// straight from the input again. A batch (one chunk when `batchChunks` is 1) is opened on all
/// cores and released in order, up to the first chunk that does not open as non-final, which
/// then takes the one-chunk path (and its error).
final class AgeStreamDecoder {
    /// Chunks opened together when decrypting in parallel (16 × 64 KiB, as the encryptor).
    static let batchChunks = 16

    /// The batch for `workers` threads: one chunk at a time on a single one.
    static func batchChunks(workers: Int) -> Int {
        workers > 1 ? batchChunks : 1
    }

    private enum Stage { case header, nonce, payload }

    private let identities: [any AgeIdentity]
    private let output: (UnsafeRawBufferPointer) throws -> Void
    /// When resuming: the plaintext the first chunk must open to (checked, not released).
    private var expectedFirstChunk: [UInt8]?
    private var firstChunkIndex: UInt64 = 0
    private var stage = Stage.header
    private var parser = AgeHeaderParser()
    private var line: [UInt8] = []
    private var nonce: [UInt8] = []
    private var fileKey: SecureBytes?
    private var cipher: AgePayloadCipher?
    private let batchChunks: Int
    private let chunk: UnsafeMutableRawBufferPointer       // staging: up to a batch of sealed chunks
    private var chunkCount = 0
    private let plain: UnsafeMutableRawBufferPointer       // a batch of plaintext chunks
    private(set) var released: Int64 = 0
    private(set) var headerVerified = false

    init(identities: [any AgeIdentity], batchChunks: Int = 1, output: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.identities = identities
        self.output = output
        self.batchChunks = max(1, batchChunks)
        chunk = .allocate(byteCount: self.batchChunks * AgeFormat.encryptedChunkSize, alignment: 16)
        plain = .allocate(byteCount: self.batchChunks * AgeFormat.chunkSize, alignment: 16)
    }

    /// A decoder that starts at payload chunk `chunk` of a file whose header was read already
    /// (`cipher`). With `expecting`, that first chunk is not released but compared with it:
    /// a difference fails with `AgeError.resumeMismatch`.
    convenience init(resuming cipher: AgePayloadCipher, atChunk chunk: UInt64, expecting: [UInt8]?,
                     batchChunks: Int, output: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.init(identities: [], batchChunks: batchChunks, output: output)
        var cipher = cipher
        cipher.seek(toChunk: chunk)
        self.cipher = cipher
        expectedFirstChunk = expecting
        firstChunkIndex = chunk
        headerVerified = true
        stage = .payload
    }

    /// The payload cipher, once the header and nonce were read.
    var payloadCipher: AgePayloadCipher? { cipher }

    deinit {
        sodium_memzero(plain.baseAddress!, plain.count)
        chunk.deallocate()
        plain.deallocate()
    }

    /// Reads the header and payload nonce from the start of `input`; returns the number of
    /// bytes they took, or nil when `input` ends before the payload.
    func feedHeader(_ input: UnsafeRawBufferPointer) throws -> Int? {
        let consumed = try consumeHeader(input)
        return stage == .payload ? consumed : nil
    }

    func feed(_ input: UnsafeRawBufferPointer) throws {
        var index = try consumeHeader(input)
        while index < input.count {
            // Here at least one more byte follows whatever is staged.
            let sealed = AgeFormat.encryptedChunkSize
            let rest = input.count - index
            if chunkCount == 0 {
                // Whole chunks straight from the input, keeping at least one byte back.
                let whole = min(batchChunks, (rest - 1) / sealed)
                if whole > 0 {
                    try processBatch(UnsafeRawBufferPointer(rebasing: input[index..<(index + whole * sealed)]))
                    index += whole * sealed
                    continue
                }
            } else if chunkCount == chunk.count || (chunkCount % sealed == 0 && rest > sealed) {
                // A full staging, or whole chunks staged while the input can go on straight.
                try processBatch(UnsafeRawBufferPointer(start: chunk.baseAddress, count: chunkCount))
                chunkCount = 0
                continue
            }
            let boundary = (chunkCount / sealed + 1) * sealed
            let limit = rest > boundary - chunkCount + sealed ? boundary : chunk.count
            let take = min(limit - chunkCount, rest)
            (chunk.baseAddress! + chunkCount).copyMemory(from: input.baseAddress! + index, byteCount: take)
            chunkCount += take
            index += take
        }
    }

    /// The header and nonce stages: returns where the payload starts in `input` (or its end).
    private func consumeHeader(_ input: UnsafeRawBufferPointer) throws -> Int {
        var index = 0
        while index < input.count {
            switch stage {
            case .header:
                let rest = UnsafeRawBufferPointer(rebasing: input[index...])
                if let newline = rest.firstIndex(of: 0x0A) {
                    line += rest[rest.startIndex..<newline]
                    index += newline - rest.startIndex + 1
                    try parser.feed(line: line[...])
                    line.removeAll(keepingCapacity: true)
                    if parser.isDone { try openHeader() }
                } else {
                    line += rest
                    index = input.count
                    if line.count > AgeFormat.maximumHeaderSize { throw AgeError.header("header line too long") }
                }
            case .nonce:
                let take = min(AgeFormat.payloadNonceSize - nonce.count, input.count - index)
                nonce += input[index..<(index + take)]
                index += take
                if nonce.count == AgeFormat.payloadNonceSize {
                    cipher = AgePayloadCipher(fileKey: fileKey!, payloadNonce: nonce)
                    fileKey = nil
                    stage = .payload
                }
            case .payload:
                return index
            }
        }
        return index
    }

    func finish() throws {
        switch stage {
        case .header:
            throw AgeError.header("the file ends inside the header")
        case .nonce:
            throw AgeError.header("the file ends before the payload nonce is complete")
        case .payload:
            guard chunkCount > 0 else {
                if cipher!.counter == 0 { throw AgeError.payload("the payload has no chunks") }
                throw AgeError.payload("the file is truncated: the final chunk is missing")
            }
            // Every staged chunk but the last is followed by more data.
            let remainder = chunkCount % AgeFormat.encryptedChunkSize
            let lastLength = remainder == 0 ? AgeFormat.encryptedChunkSize : remainder
            let leading = chunkCount - lastLength
            if leading > 0 {
                try processBatch(UnsafeRawBufferPointer(start: chunk.baseAddress, count: leading))
            }
            let last = UnsafeRawBufferPointer(start: chunk.baseAddress! + leading, count: lastLength)
            chunkCount = 0
            if last.count == AgeFormat.encryptedChunkSize {
                try process(last, moreFollows: false)
            } else {
                if last.count == AgeFormat.tagSize && cipher!.counter > 0 {
                    throw AgeError.payload("the final chunk is empty")
                }
                guard cipher!.open(last, final: true, into: plain) else {
                    throw AgeError.payload("chunk \(cipher!.counter) failed to authenticate as the final chunk")
                }
                try release(last.count - AgeFormat.tagSize)
            }
        }
    }

    /// Full-size chunks, all followed by more data: opened together (in parallel when there
    /// are several), released in order up to the first one that does not open as non-final,
    /// which then goes through `process` for its verdict.
    private func processBatch(_ sealed: UnsafeRawBufferPointer) throws {
        let chunks = sealed.count / AgeFormat.encryptedChunkSize
        guard chunks > 1 else {
            try process(sealed, moreFollows: true)
            return
        }
        let opened = cipher!.openChunks(sealed, into: plain)
        try release(opened * AgeFormat.chunkSize)
        if opened < chunks {
            let start = opened * AgeFormat.encryptedChunkSize
            try process(UnsafeRawBufferPointer(rebasing: sealed[start..<(start + AgeFormat.encryptedChunkSize)]),
                        moreFollows: true)
        }
    }

    /// A full-size chunk: non-final if it opens as such, else final (an error when more
    /// data follows, after releasing its plaintext as the reference implementation does).
    private func process(_ sealedChunk: UnsafeRawBufferPointer, moreFollows: Bool) throws {
        let index = cipher!.counter
        if cipher!.open(sealedChunk, final: false, into: plain) {
            try release(AgeFormat.chunkSize)
            if !moreFollows { throw AgeError.payload("the file is truncated: the final chunk is missing") }
            return
        }
        guard cipher!.open(sealedChunk, final: true, into: plain) else {
            throw AgeError.payload("chunk \(index) failed to authenticate")
        }
        try release(AgeFormat.chunkSize)
        if moreFollows { throw AgeError.payload("trailing data after the final chunk") }
    }

    private func release(_ count: Int) throws {
        defer { sodium_memzero(plain.baseAddress!, count) }
        var start = 0
        if let expected = expectedFirstChunk {
            // Resuming: the first chunk is the last one kept from before, and must be the same.
            expectedFirstChunk = nil
            let same = count >= expected.count
                && expected.withUnsafeBytes { sodium_memcmp($0.baseAddress!, plain.baseAddress!, expected.count) == 0 }
            guard same else {
                throw AgeError.resumeMismatch("chunk \(firstChunkIndex) opens to other plaintext than the one kept for it")
            }
            start = expected.count
        }
        if count > start {
            try output(UnsafeRawBufferPointer(start: plain.baseAddress! + start, count: count - start))
            released += Int64(count - start)
        }
    }

    private func openHeader() throws {
        let stanzas = parser.stanzas
        if stanzas.count > 1 && stanzas.contains(where: { $0.type == ScryptRecipient.stanzaType }) {
            throw AgeError.header("an scrypt stanza must be the only one in the header")
        }
        var key: SecureBytes?
        for identity in identities {
            if let found = try identity.unwrap(stanzas: stanzas) {
                key = found
                break
            }
        }
        guard let key else {
            throw AgeError.noMatch("none of the \(identities.count) identities can open any of the \(stanzas.count) stanzas")
        }
        guard key.count == AgeFormat.fileKeySize else { throw AgeError.header("unwrapped file key is not 16 bytes") }
        let expected = AgeHeaderMAC.compute(fileKey: key, macInput: parser.macInput)
        let valid = expected.withUnsafeBytes { a in parser.mac.withUnsafeBytes { b in sodium_memcmp(a.baseAddress!, b.baseAddress!, 32) == 0 } }
        guard valid else { throw AgeError.headerMAC("the header MAC does not match") }
        headerVerified = true
        fileKey = key
        stage = .nonce
    }
}
