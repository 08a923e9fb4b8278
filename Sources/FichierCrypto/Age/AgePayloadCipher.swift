/// The age payload cipher (agead STREAM): payload key = HKDF-SHA-256(file key, nonce, "payload");
/// chunk i is ChaCha20-Poly1305 under nonce = 11-byte big-endian i ‖ final flag.
struct AgePayloadCipher {
    private let key: SecureBytes
    private var nonce = [UInt8](repeating: 0, count: ChaCha20Poly1305.nonceLength)
    /// Index of the next chunk.
    private(set) var counter: UInt64 = 0

    init(fileKey: SecureBytes, payloadNonce: [UInt8]) {
        precondition(payloadNonce.count == AgeFormat.payloadNonceSize)
        key = HKDF.key(ikm: fileKey, salt: payloadNonce, info: "payload")
    }

    private mutating func prepareNonce(final: Bool) {
        for index in 0..<8 { nonce[3 + index] = UInt8(truncatingIfNeeded: counter >> UInt64(8 * (7 - index))) }
        nonce[11] = final ? 1 : 0
    }

    /// Seals the next chunk (at most 64 KiB) into `out` (plaintext.count + 16 bytes).
    mutating func seal(_ plaintext: UnsafeRawBufferPointer, final: Bool, into out: UnsafeMutableRawBufferPointer) {
        precondition(plaintext.count <= AgeFormat.chunkSize)
        prepareNonce(final: final)
        key.withUnsafeBytes { k in
            nonce.withUnsafeBytes { n in ChaCha20Poly1305.seal(key: k, nonce: n, plaintext: plaintext, into: out) }
        }
        counter += 1
    }

    /// Opens chunk `counter` as final or not; advances only on success.
    mutating func open(_ ciphertext: UnsafeRawBufferPointer, final: Bool, into out: UnsafeMutableRawBufferPointer) -> Bool {
        prepareNonce(final: final)
        let ok = key.withUnsafeBytes { k in
            nonce.withUnsafeBytes { n in ChaCha20Poly1305.open(key: k, nonce: n, ciphertext: ciphertext, into: out) }
        }
        if ok { counter += 1 }
        return ok
    }
}

/// Header MAC: HMAC-SHA-256 under HKDF-SHA-256(file key, "", "header") over the header
/// through "---".
enum AgeHeaderMAC {
    static func compute(fileKey: SecureBytes, macInput: [UInt8]) -> [UInt8] {
        let key = HKDF.key(ikm: fileKey, salt: [], info: "header")
        return key.withUnsafeBytes { k in macInput.withUnsafeBytes { HMACSHA256.authenticate(key: k, message: $0) } }
    }
}
