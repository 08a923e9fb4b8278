import FichierAPI
import FichierCrypto

/// Decrypts an age download on its way to the destination (an `AgeDecryptingWriter`): only
/// plaintext whose chunk authenticated reaches the destination, and `finish()` fails when
/// the file is truncated, altered or extended. Each attempt (`begin`) starts over.
///
/// In `.detect` mode the first bytes decide: an age file (binary or armored) is decrypted,
/// anything else passes through unchanged (`report.decrypted` says which).
struct DecryptionStage: DownloadStage {
    enum Mode: Sendable {
        /// The data must be an age file.
        case always
        /// Decrypt only if the data starts like an age file.
        case detect
    }

    let mode: Mode
    /// The identities to try; nil when they are not available (vault locked), which is an
    /// error only if the data turns out to be encrypted.
    let identities: [any AgeIdentity]?
    /// What happened, readable after the transfer.
    let report = DecryptionReport()
    /// The error to give when identities are needed and missing.
    let unavailable: RPCError
    /// Set when this download continues a decryption from a later chunk.
    var resume: DecryptedResume?

    init(mode: Mode, identities: [any AgeIdentity]?,
         unavailable: RPCError = .vaultLocked("cannot decrypt the download")) {
        self.mode = mode
        self.identities = identities
        self.unavailable = unavailable
    }

    func wrap(_ sink: any DownloadSink) throws -> any DownloadSink {
        DecryptingSink(inner: sink, stage: self)
    }
}

/// The outcome of a decryption stage.
final class DecryptionReport: Sendable {
    struct State {
        /// True once the data was recognised as age (and decryption started); false when it
        /// passed through as plaintext; nil before the first bytes.
        var decrypted: Bool?
        var plaintextBytes: Int64 = 0
        /// Why decryption failed, as the protocol error to answer.
        var failure: RPCError?
    }

    private let state = Locked(State())

    var decrypted: Bool? { state.withLock { $0.decrypted } }
    var plaintextBytes: Int64 { state.withLock { $0.plaintextBytes } }
    var failure: RPCError? { state.withLock { $0.failure } }

    func update(_ change: (inout State) -> Void) {
        state.withLock(change)
    }
}

/// The sink behind `DecryptionStage`.
final class DecryptingSink: DownloadSink {
    /// Bytes looked at before deciding in `.detect` mode (enough for the armor line after
    /// up to a few hundred bytes of leading whitespace).
    static let detectBytes = 512

    private let inner: any DownloadSink
    private let stage: DecryptionStage
    private var writer: AgeDecryptingWriter?
    private var undecided: [UInt8] = []
    private var deciding = false
    private var passThrough = false

    init(inner: any DownloadSink, stage: DecryptionStage) {
        self.inner = inner
        self.stage = stage
    }

    func begin(status: Int, headers: HTTPHeaders) throws {
        writer = nil
        undecided = []
        passThrough = false
        deciding = stage.mode == .detect && stage.resume == nil      // a resumed decryption knows it is age
        stage.report.update { $0 = DecryptionReport.State() }
        try inner.begin(status: status, headers: headers)
        if !deciding { try startDecrypting() }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if deciding {
            undecided += bytes
            guard let isAge = Self.classify(undecided) else { return }
            try decide(isAge: isAge)
            return
        }
        try forward(bytes)
    }

    func finish() throws {
        if deciding {
            try decide(isAge: AgeFormat.recognizes(prefix: undecided))
        }
        if let writer {
            do {
                try writer.finish()
            } catch {
                throw fail(error)
            }
            stage.report.update { $0.plaintextBytes = writer.plaintextBytesReleased }
        }
        try inner.finish()
    }

    // MARK: Steps

    private func forward(_ bytes: UnsafeRawBufferPointer) throws {
        if passThrough {
            try inner.write(bytes)
            stage.report.update { $0.plaintextBytes += Int64(bytes.count) }
            return
        }
        guard let writer else { return }
        do {
            try writer.write(bytes)
        } catch {
            throw fail(error)
        }
    }

    private func decide(isAge: Bool) throws {
        deciding = false
        let buffered = undecided
        undecided = []
        if isAge {
            try startDecrypting()
        } else {
            passThrough = true
            stage.report.update { $0.decrypted = false }
        }
        try buffered.withUnsafeBytes { try forward($0) }
    }

    private func startDecrypting() throws {
        guard let identities = stage.identities, !identities.isEmpty else {
            stage.report.update { $0.failure = stage.unavailable }
            throw FichierError(.integrity, stage.unavailable.message)
        }
        let inner = self.inner
        let output: (UnsafeRawBufferPointer) throws -> Void = { plaintext in try inner.write(plaintext) }
        if let resume = stage.resume {
            writer = resume.resumption.writer(fromChunk: resume.checkChunk, expecting: resume.checkPlaintext, output: output)
        } else {
            writer = AgeDecryptingWriter(identities: identities, input: .detect, output: output)
        }
        stage.report.update { $0.decrypted = true }
    }

    /// Records why decryption failed and returns the error to abort the transfer with. An
    /// error of the destination (a full disk) passes through unchanged.
    private func fail(_ error: any Error) -> any Error {
        guard let age = error as? AgeError else { return error }
        var mapped = age.rpcError
        if case .resumeMismatch = age {
            mapped.message = "the plaintext kept in the .partial file is not this file's (\(age.message)); "
                + "it was removed, so the next download starts afresh"
        } else if mapped.data.kind == "integrity" {
            let released = writer?.plaintextBytesReleased ?? 0
            mapped.message = "the encrypted file does not authenticate (\(age.description)); no output was kept"
            if released > 0 { mapped.message += " (\(released) bytes had authenticated before the failure)" }
        } else if mapped.data.kind == "key_missing" {
            mapped.message = "none of the vault's identities can decrypt this file: it was encrypted to another key, or its header was altered (\(age.message))"
        }
        stage.report.update { $0.failure = mapped }
        return FichierError(.integrity, mapped.message)
    }

    /// Whether `prefix` is (true) or cannot be (false) the start of an age file, or nil
    /// when more bytes are needed to tell.
    static func classify(_ prefix: [UInt8]) -> Bool? {
        if AgeFormat.recognizes(prefix: prefix) { return true }
        let binary = Array("age-encryption.org/".utf8)
        if prefix.count < binary.count && binary.starts(with: prefix) { return nil }
        let trimmed = prefix.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let armor = Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8)
        if trimmed.count < armor.count && armor.starts(with: trimmed) && prefix.count < detectBytes { return nil }
        return false
    }
}
