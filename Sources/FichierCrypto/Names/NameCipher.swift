import CSodium
import Foundation

/// Why a name could not be encrypted or decrypted.
public enum NameCipherError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidKey
    case emptyName
    /// The name contains '/' or NUL (names are single path segments).
    case invalidCharacter
    /// The NFC UTF-8 name is longer than `NameCipher.maximumNameBytes`.
    case nameTooLong(bytes: Int, maximum: Int)
    /// The text is not a name this key produced (bad encoding, length or authentication).
    case notEncryptedName

    public var description: String {
        switch self {
        case .invalidKey: "the name key must be 32 bytes"
        case .emptyName: "an empty name cannot be encrypted"
        case .invalidCharacter: "a name must not contain '/' or NUL"
        case .nameTooLong(let bytes, let maximum):
            "the name is \(bytes) bytes in UTF-8; encrypted names allow at most \(maximum) bytes"
        case .notEncryptedName: "not an encrypted name of this profile (wrong key, altered, or plain)"
        }
    }
}

/// Deterministic authenticated name encryption (SIV construction on libsodium):
/// K_mac, K_enc = crypto_kdf subkeys 1 and 2 of the 32-byte name key (context "FCNAMEv1");
/// P = PKCS#7(NFC(name)) to a multiple of 16; SIV = BLAKE2b-128(K_mac, 0x01 ‖ P);
/// C = XChaCha20(K_enc, nonce = SIV ‖ 0⁸) ⊕ P; output = lowercase base32 (no padding) of SIV ‖ C.
/// Equal names give equal outputs (that is the point: lookups without downloads); lengths
/// leak in 16-byte steps.
public struct NameCipher: Sendable {
    /// Longest plaintext name (NFC, UTF-8 bytes): 127 B → 128 padded → 231 base32 characters.
    public static let maximumNameBytes = 127
    /// Longest encrypted name produced.
    public static let maximumEncodedLength = Base32.encodedLength(of: 16 + 128)
    static let context = Array("FCNAMEv1".utf8)

    private let macKey: SecureBytes
    private let encryptionKey: SecureBytes

    public init(key: SecureBytes) throws {
        guard key.count == 32 else { throw NameCipherError.invalidKey }
        Sodium.ensureInitialized()
        macKey = Self.subkey(1, of: key)
        encryptionKey = Self.subkey(2, of: key)
    }

    private static func subkey(_ id: UInt64, of key: SecureBytes) -> SecureBytes {
        SecureBytes(count: 32) { out in
            key.withUnsafeBytes { master in
                context.withUnsafeBufferPointer { ctx in
                    ctx.withMemoryRebound(to: CChar.self) {
                        _ = crypto_kdf_derive_from_key(out.bytes, 32, id, $0.baseAddress!, master.bytes)
                    }
                }
            }
        }
    }

    /// Encrypts one name (a single path segment).
    public func encrypt(_ name: String) throws -> String {
        let normalized = Array(name.precomposedStringWithCanonicalMapping.utf8)
        guard !normalized.isEmpty else { throw NameCipherError.emptyName }
        guard !normalized.contains(0x2F) && !normalized.contains(0) else { throw NameCipherError.invalidCharacter }
        guard normalized.count <= Self.maximumNameBytes else {
            throw NameCipherError.nameTooLong(bytes: normalized.count, maximum: Self.maximumNameBytes)
        }
        let padding = 16 - normalized.count % 16
        let padded = normalized + [UInt8](repeating: UInt8(padding), count: padding)
        let siv = syntheticIV(padded)
        var output = siv + [UInt8](repeating: 0, count: padded.count)
        output.withUnsafeMutableBytes { out in
            xor(padded, siv: siv, into: UnsafeMutableRawBufferPointer(rebasing: out[16...]))
        }
        return Base32.encode(output)
    }

    /// Decrypts a name produced by `encrypt` under the same key; throws `.notEncryptedName`
    /// for anything else.
    public func decrypt(_ encoded: String) throws -> String {
        guard encoded.utf8.count <= Self.maximumEncodedLength,
              let raw = Base32.decode(Array(encoded.utf8)),
              raw.count >= 32, raw.count % 16 == 0 else {
            throw NameCipherError.notEncryptedName
        }
        let siv = Array(raw[0..<16])
        var padded = [UInt8](repeating: 0, count: raw.count - 16)
        padded.withUnsafeMutableBytes { xor(Array(raw[16...]), siv: siv, into: $0) }
        let expected = syntheticIV(padded)
        let authentic = expected.withUnsafeBytes { a in siv.withUnsafeBytes { b in sodium_memcmp(a.baseAddress!, b.baseAddress!, 16) == 0 } }
        guard authentic, let padding = padded.last, padding >= 1, padding <= 16,
              padded.suffix(Int(padding)).allSatisfy({ $0 == padding }) else {
            throw NameCipherError.notEncryptedName
        }
        let plain = padded.dropLast(Int(padding))
        guard !plain.isEmpty, let name = String(validating: plain, as: UTF8.self) else {
            throw NameCipherError.notEncryptedName
        }
        return name
    }

    private func syntheticIV(_ padded: [UInt8]) -> [UInt8] {
        var siv = [UInt8](repeating: 0, count: 16)
        let message = [0x01] + padded
        macKey.withUnsafeBytes { key in
            _ = crypto_generichash(&siv, 16, message, UInt64(message.count), key.bytes, key.count)
        }
        return siv
    }

    private func xor(_ input: [UInt8], siv: [UInt8], into out: UnsafeMutableRawBufferPointer) {
        let nonce = siv + [UInt8](repeating: 0, count: 8)
        encryptionKey.withUnsafeBytes { key in
            _ = crypto_stream_xchacha20_xor(out.bytes, input, UInt64(input.count), nonce, key.bytes)
        }
    }
}
