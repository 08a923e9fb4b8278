/// HPKE base mode (RFC 9180) single-shot seal/open with the MLKEM768-X25519 KEM,
/// HKDF-SHA256 and ChaCha20Poly1305, as age's `mlkem768x25519` stanza uses it.
enum HPKE {
    private static let kdfID: UInt16 = 0x0001
    private static let aeadID: UInt16 = 0x0003

    private static var suiteID: [UInt8] {
        Array("HPKE".utf8) + be16(HybridKEM.kemID) + be16(kdfID) + be16(aeadID)
    }

    private static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    private static func labeledExtract(salt: UnsafeRawBufferPointer, label: String, ikm: UnsafeRawBufferPointer) -> [UInt8] {
        var input = Array("HPKE-v1".utf8) + suiteID + Array(label.utf8)
        input += [UInt8](ikm)
        defer { input.wipe() }
        var prk = [UInt8](repeating: 0, count: 32)
        prk.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { HKDF.extract(into: out, salt: salt, ikm: $0) }
        }
        return prk
    }

    private static func labeledExpand(prk: [UInt8], label: String, info: [UInt8], length: Int) -> [UInt8] {
        let labeledInfo = be16(UInt16(length)) + Array("HPKE-v1".utf8) + suiteID + Array(label.utf8) + info
        var out = [UInt8](repeating: 0, count: length)
        out.withUnsafeMutableBytes { o in
            prk.withUnsafeBytes { p in labeledInfo.withUnsafeBytes { HKDF.expand(into: o, prk: p, info: $0) } }
        }
        return out
    }

    /// KeySchedule(mode_base, shared_secret, info, psk = "", psk_id = ""): AEAD key and base nonce.
    private static func keySchedule(sharedSecret: SecureBytes, info: [UInt8]) -> (key: [UInt8], nonce: [UInt8]) {
        let empty: [UInt8] = []
        let pskIDHash = empty.withUnsafeBytes { e in labeledExtract(salt: e, label: "psk_id_hash", ikm: e) }
        let infoHash = empty.withUnsafeBytes { e in info.withUnsafeBytes { labeledExtract(salt: e, label: "info_hash", ikm: $0) } }
        let context = [UInt8(0)] + pskIDHash + infoHash
        var secret = empty.withUnsafeBytes { psk in
            sharedSecret.withUnsafeBytes { labeledExtract(salt: $0, label: "secret", ikm: psk) }
        }
        defer { secret.wipe() }
        return (labeledExpand(prk: secret, label: "key", info: context, length: 32),
                labeledExpand(prk: secret, label: "base_nonce", info: context, length: 12))
    }

    /// SealBase: returns (enc, ciphertext).
    static func seal(publicKey: [UInt8], info: [UInt8], plaintext: SecureBytes, random: AgeRandom) throws -> (enc: [UInt8], ciphertext: [UInt8]) {
        let (shared, enc) = try HybridKEM.encapsulate(publicKey: publicKey, random: random)
        var (key, nonce) = keySchedule(sharedSecret: shared, info: info)
        defer { key.wipe() }
        var out = [UInt8](repeating: 0, count: plaintext.count + ChaCha20Poly1305.tagLength)
        key.withUnsafeBytes { k in
            nonce.withUnsafeBytes { n in
                plaintext.withUnsafeBytes { p in
                    out.withUnsafeMutableBytes { ChaCha20Poly1305.seal(key: k, nonce: n, plaintext: p, into: $0) }
                }
            }
        }
        nonce.wipe()
        return (enc, out)
    }

    /// OpenBase: the plaintext in secure memory, or nil when the AEAD tag does not verify.
    static func open(enc: [UInt8], privateKey: HybridKEM.PrivateKey, info: [UInt8], ciphertext: [UInt8]) throws -> SecureBytes? {
        let shared = try HybridKEM.decapsulate(enc: enc, privateKey: privateKey)
        var (key, nonce) = keySchedule(sharedSecret: shared, info: info)
        defer { key.wipe(); nonce.wipe() }
        guard ciphertext.count >= ChaCha20Poly1305.tagLength else { return nil }
        var ok = false
        let plain = SecureBytes(count: ciphertext.count - ChaCha20Poly1305.tagLength) { out in
            key.withUnsafeBytes { k in
                nonce.withUnsafeBytes { n in
                    ciphertext.withUnsafeBytes { ok = ChaCha20Poly1305.open(key: k, nonce: n, ciphertext: $0, into: out) }
                }
            }
        }
        return ok ? plain : nil
    }
}
