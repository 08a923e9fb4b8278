/// Something a file key can be wrapped to: one stanza per recipient in the header.
public protocol AgeRecipient: Sendable {
    /// Wraps the 16-byte file key into this recipient's stanza, drawing any randomness
    /// (ephemeral keys, salts) from `random`.
    func wrap(fileKey: SecureBytes, random: AgeRandom) throws -> AgeStanza
    /// The exact encoded length of the stanza `wrap` produces, so sizes are known in advance.
    var stanzaLength: Int { get }
    /// True when the stanza must be the only one in the header (scrypt).
    var requiresSoleStanza: Bool { get }
}

extension AgeRecipient {
    public var requiresSoleStanza: Bool { false }
}

/// Something that can unwrap a file key from a header's stanzas.
public protocol AgeIdentity: Sendable {
    /// The file key when one of `stanzas` is addressed to this identity and opens; nil when
    /// none is. Throws `AgeError.header` for a malformed stanza of this identity's own type.
    func unwrap(stanzas: [AgeStanza]) throws -> SecureBytes?
}

/// The stanza body cipher shared by the native types: ChaCha20-Poly1305 with a zero nonce
/// over the 16-byte file key.
enum StanzaBody {
    static let length = AgeFormat.fileKeySize + ChaCha20Poly1305.tagLength
    private static let zeroNonce = [UInt8](repeating: 0, count: ChaCha20Poly1305.nonceLength)

    static func seal(fileKey: SecureBytes, wrapKey: SecureBytes) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: length)
        wrapKey.withUnsafeBytes { key in
            fileKey.withUnsafeBytes { plain in
                zeroNonce.withUnsafeBytes { nonce in
                    body.withUnsafeMutableBytes { ChaCha20Poly1305.seal(key: key, nonce: nonce, plaintext: plain, into: $0) }
                }
            }
        }
        return body
    }

    /// The file key, or nil when the tag does not verify. `body` must be 32 bytes.
    static func open(body: [UInt8], wrapKey: SecureBytes) -> SecureBytes? {
        precondition(body.count == length)
        var ok = false
        let fileKey = SecureBytes(count: AgeFormat.fileKeySize) { out in
            wrapKey.withUnsafeBytes { key in
                zeroNonce.withUnsafeBytes { nonce in
                    body.withUnsafeBytes { ok = ChaCha20Poly1305.open(key: key, nonce: nonce, ciphertext: $0, into: out) }
                }
            }
        }
        return ok ? fileKey : nil
    }
}
