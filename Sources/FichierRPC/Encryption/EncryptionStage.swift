import FichierAPI
import FichierCrypto

/// Encrypts an upload in the age v1 format on its way to the wire. The body's length is the
/// exact encrypted size (`AgeFormat.encryptedSize`), so the upload keeps its Content-Length;
/// every reader (every attempt) draws a fresh file key and payload nonce, so a retry never
/// encrypts under an old (key, nonce).
struct EncryptionStage: UploadStage {
    let recipients: [any AgeRecipient]
    /// Plaintext bytes of the last attempt, and the plaintext size (for results).
    let report = EncryptionReport()

    init(recipients: [any AgeRecipient]) throws(RPCError) {
        guard !recipients.isEmpty else {
            throw RPCError.mapping(kind: "key_missing", message: "no recipient to encrypt to")
        }
        self.recipients = recipients
    }

    func wrap(_ body: any UploadBody) throws -> any UploadBody {
        report.setPlaintextSize(body.length)
        return EncryptedBody(plaintext: body, recipients: recipients)
    }
}

/// What an encryption stage saw.
final class EncryptionReport: Sendable {
    private let value = Locked<Int64?>(nil)

    /// Size of the plaintext being encrypted.
    var plaintextSize: Int64? { value.withLock { $0 } }

    func setPlaintextSize(_ size: Int64) {
        value.withLock { $0 = size }
    }
}

/// A plaintext body seen through age encryption.
struct EncryptedBody: UploadBody {
    let plaintext: any UploadBody
    let recipients: [any AgeRecipient]

    var length: Int64 {
        AgeFormat.encryptedSize(plaintextSize: plaintext.length, recipients: recipients)
    }

    func makeReader() throws -> any ByteReader {
        try EncryptingReader(source: try plaintext.makeReader(), plaintextLength: plaintext.length,
                             recipients: recipients)
    }
}

/// One attempt's ciphertext: a fresh `AgeEncryptingReader` pulling from the plaintext reader.
final class EncryptingReader: ByteReader {
    private let source: ExactLengthSource
    private let age: AgeEncryptingReader

    init(source: any ByteReader, plaintextLength: Int64, recipients: [any AgeRecipient]) throws {
        let exact = ExactLengthSource(inner: source, length: plaintextLength)
        self.source = exact
        do {
            age = try AgeEncryptingReader(recipients: recipients, plaintextSize: plaintextLength) { buffer in
                try exact.read(into: buffer)
            }
        } catch let error as AgeError {
            throw FichierError(.invalidArgument, "cannot encrypt: \(error.description)")
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try age.read(into: buffer)
    }
}

/// Hands out exactly `length` bytes of `inner`, and fails if the source turns out shorter or
/// longer than announced (a file changed during the upload): the encrypted size, hence the
/// Content-Length, was computed from `length`.
final class ExactLengthSource {
    private let inner: any ByteReader
    private let length: Int64
    private var delivered: Int64 = 0

    init(inner: any ByteReader, length: Int64) {
        self.inner = inner
        self.length = length
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let remaining = length - delivered
        if remaining == 0 {
            var probe: UInt8 = 0
            let extra = try withUnsafeMutableBytes(of: &probe) { try inner.read(into: $0) }
            if extra > 0 {
                throw FichierError(.localIO, "the file grew while it was being uploaded (more than \(length) bytes)")
            }
            return 0
        }
        let window = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), remaining))])
        let count = try inner.read(into: window)
        if count == 0 {
            throw FichierError(.localIO, "the file shrank while it was being uploaded (\(delivered) of \(length) bytes)")
        }
        delivered += Int64(count)
        return count
    }
}
