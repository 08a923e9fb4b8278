import CSodium

/// One key slot (128 bytes): something that unwraps the master key.
struct VaultSlot: Sendable, Equatable {
    enum Kind: UInt8, Sendable {
        case passphrase = 1     // Argon2id over a passphrase
        case keyFile = 2        // a random 32-byte key from a key file
    }
    static let size = 128
    static let argon2id13: UInt8 = 2

    var kind: Kind
    var kdf: VaultKDFParameters?          // passphrase slots only
    var salt: [UInt8]                     // 16
    var slotID: [UInt8]                   // 8
    var wrapNonce: [UInt8]                // 24
    var wrappedMaster: [UInt8]            // 48

    /// The first 56 bytes (type, KDF, salt, id, reserved): authenticated with the wrap.
    var descriptor: [UInt8] {
        var out = [UInt8](repeating: 0, count: 56)
        out[0] = kind.rawValue
        out[1] = kind == .passphrase ? Self.argon2id13 : 0
        let ops = kdf?.opsLimit ?? 0, mem = kdf?.memLimit ?? 0
        for i in 0..<4 { out[4 + i] = UInt8(truncatingIfNeeded: ops >> UInt32(8 * i)) }
        for i in 0..<8 { out[8 + i] = UInt8(truncatingIfNeeded: mem >> UInt64(8 * i)) }
        out.replaceSubrange(16..<32, with: salt)
        out.replaceSubrange(32..<40, with: slotID)
        return out
    }

    var bytes: [UInt8] { descriptor + wrapNonce + wrappedMaster }

    static func parse(_ raw: ArraySlice<UInt8>) throws(VaultError) -> VaultSlot {
        let b = Array(raw)
        guard b.count == size else { throw .corrupt("key slot truncated") }
        guard let kind = Kind(rawValue: b[0]) else { throw .corrupt("unknown key slot type \(b[0])") }
        guard b[2] == 0, b[3] == 0, b[40..<56].allSatisfy({ $0 == 0 }) else { throw .corrupt("reserved slot bytes are not zero") }
        var kdf: VaultKDFParameters?
        switch kind {
        case .passphrase:
            guard b[1] == argon2id13 else { throw .corrupt("unknown KDF \(b[1]) in a passphrase slot") }
            var ops: UInt32 = 0, mem: UInt64 = 0
            for i in 0..<4 { ops |= UInt32(b[4 + i]) << UInt32(8 * i) }
            for i in 0..<8 { mem |= UInt64(b[8 + i]) << UInt64(8 * i) }
            kdf = VaultKDFParameters(opsLimit: ops, memLimit: mem)
        case .keyFile:
            guard b[1] == 0, b[4..<16].allSatisfy({ $0 == 0 }) else { throw .corrupt("key-file slot with KDF parameters") }
        }
        return VaultSlot(kind: kind, kdf: kdf, salt: Array(b[16..<32]), slotID: Array(b[32..<40]),
                         wrapNonce: Array(b[56..<80]), wrappedMaster: Array(b[80..<128]))
    }

    /// A new slot wrapping `master` under `wrapKey`.
    static func make(kind: Kind, kdf: VaultKDFParameters?, salt: [UInt8], master: SecureBytes, wrapKey: SecureBytes,
                     vaultID: [UInt8]) -> VaultSlot {
        var slot = VaultSlot(kind: kind, kdf: kdf, salt: salt, slotID: AgeRandom.system.bytes(8),
                             wrapNonce: AgeRandom.system.bytes(24), wrappedMaster: [])
        let ad = VaultFile.slotAssociatedData(vaultID: vaultID, slot: slot)
        var wrapped = [UInt8](repeating: 0, count: 48)
        wrapKey.withUnsafeBytes { key in
            master.withUnsafeBytes { plain in
                slot.wrapNonce.withUnsafeBytes { nonce in
                    ad.withUnsafeBytes { a in
                        wrapped.withUnsafeMutableBytes { XChaCha20Poly1305.seal(key: key, nonce: nonce, plaintext: plain, additionalData: a, into: $0) }
                    }
                }
            }
        }
        slot.wrappedMaster = wrapped
        return slot
    }

    /// The master key, or nil when `wrapKey` is not this slot's.
    func unwrap(wrapKey: SecureBytes, vaultID: [UInt8]) -> SecureBytes? {
        let ad = VaultFile.slotAssociatedData(vaultID: vaultID, slot: self)
        var ok = false
        let master = SecureBytes(count: 32, guardWhenIdle: true) { out in
            wrapKey.withUnsafeBytes { key in
                wrapNonce.withUnsafeBytes { nonce in
                    ad.withUnsafeBytes { a in
                        wrappedMaster.withUnsafeBytes { ok = XChaCha20Poly1305.open(key: key, nonce: nonce, ciphertext: $0, additionalData: a, into: out) }
                    }
                }
            }
        }
        return ok ? master : nil
    }

    /// Wrap key of a key-file slot: BLAKE2b-256(key = file key, "FCV1-slot" ‖ vault_id ‖ salt).
    static func keyFileWrapKey(_ fileKey: SecureBytes, vaultID: [UInt8], salt: [UInt8]) -> SecureBytes {
        let message = Array("FCV1-slot".utf8) + vaultID + salt
        return SecureBytes(count: 32) { out in
            fileKey.withUnsafeBytes { key in
                _ = crypto_generichash(out.bytes, 32, message, UInt64(message.count), key.bytes, key.count)
            }
        }
    }
}

/// The vault file layout (all integers little-endian):
///
///     header   magic 89 46 43 56 0D 0A 1A 0A · u16 version = 1 · u16 header_len · u8 aead = 1
///              · u8 slot_count · u16 flags = 0 · vault_id[16] · u64 generation · slots[128 × n]
///     payload  nonce[24] · u32 ct_len · XChaCha20-Poly1305(payload key, nonce, plaintext, AD = header)
///     trailer  BLAKE2b-256 (unkeyed) of every preceding byte
struct VaultFile: Sendable {
    static let magic: [UInt8] = [0x89, 0x46, 0x43, 0x56, 0x0D, 0x0A, 0x1A, 0x0A]
    static let version: UInt16 = 1
    static let aeadXChaCha20Poly1305: UInt8 = 1
    static let fixedHeaderSize = 40
    static let checksumSize = 32
    static let maximumSlots = 16
    static let maximumFileSize = 16 << 20

    var vaultID: [UInt8]
    var generation: UInt64
    var slots: [VaultSlot]
    var payloadNonce: [UInt8] = []
    var ciphertext: [UInt8] = []

    var header: [UInt8] {
        var out = Self.magic
        out += le(Self.version)
        out += le(UInt16(Self.fixedHeaderSize + VaultSlot.size * slots.count))
        out.append(Self.aeadXChaCha20Poly1305)
        out.append(UInt8(slots.count))
        out += [0, 0]
        out += vaultID
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: generation >> UInt64(8 * i))) }
        for slot in slots { out += slot.bytes }
        return out
    }

    static func slotAssociatedData(vaultID: [UInt8], slot: VaultSlot) -> [UInt8] {
        magic + le(version) + vaultID + slot.descriptor
    }

    static func payloadKey(master: SecureBytes) -> SecureBytes {
        let context = Array("FCVAULT1".utf8)
        return SecureBytes(count: 32) { out in
            master.withUnsafeBytes { key in
                context.withUnsafeBufferPointer { ctx in
                    ctx.withMemoryRebound(to: CChar.self) { _ = crypto_kdf_derive_from_key(out.bytes, 32, 1, $0.baseAddress!, key.bytes) }
                }
            }
        }
    }

    /// Encrypts `plaintext` as this file's payload with a fresh nonce.
    mutating func seal(_ plaintext: SecureBytes, master: SecureBytes) {
        payloadNonce = AgeRandom.system.bytes(24)
        let ad = header
        let key = Self.payloadKey(master: master)
        var out = [UInt8](repeating: 0, count: plaintext.count + XChaCha20Poly1305.tagLength)
        key.withUnsafeBytes { k in
            payloadNonce.withUnsafeBytes { n in
                plaintext.withUnsafeBytes { p in
                    ad.withUnsafeBytes { a in out.withUnsafeMutableBytes { XChaCha20Poly1305.seal(key: k, nonce: n, plaintext: p, additionalData: a, into: $0) } }
                }
            }
        }
        ciphertext = out
    }

    /// Decrypts the payload; nil when it does not authenticate under this master key.
    func open(master: SecureBytes) -> SecureBytes? {
        guard ciphertext.count >= XChaCha20Poly1305.tagLength else { return nil }
        let ad = header
        let key = Self.payloadKey(master: master)
        var ok = false
        let plain = SecureBytes(count: ciphertext.count - XChaCha20Poly1305.tagLength) { out in
            key.withUnsafeBytes { k in
                payloadNonce.withUnsafeBytes { n in
                    ciphertext.withUnsafeBytes { c in
                        ad.withUnsafeBytes { ok = XChaCha20Poly1305.open(key: k, nonce: n, ciphertext: c, additionalData: $0, into: out) }
                    }
                }
            }
        }
        return ok ? plain : nil
    }

    func serialized() -> [UInt8] {
        var out = header + payloadNonce + le(UInt32(ciphertext.count)) + ciphertext
        out += Self.checksum(out)
        return out
    }

    static func checksum(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = crypto_generichash(&digest, 32, bytes, UInt64(bytes.count), nil, 0)
        return digest
    }

    /// Parses and checks a vault file: checksum first (so any damage reads as corruption),
    /// then magic, version and structure.
    static func parse(_ data: [UInt8]) throws(VaultError) -> VaultFile {
        guard data.count >= fixedHeaderSize + VaultSlot.size + 24 + 4 + XChaCha20Poly1305.tagLength + checksumSize else {
            throw .corrupt("file too short (\(data.count) bytes)")
        }
        let body = Array(data[0..<(data.count - checksumSize)])
        let stored = Array(data[(data.count - checksumSize)...])
        let valid = checksum(body).withUnsafeBytes { a in stored.withUnsafeBytes { sodium_memcmp(a.baseAddress!, $0.baseAddress!, 32) == 0 } }
        guard valid else { throw .corrupt("checksum mismatch") }
        guard Array(data[0..<8]) == magic else { throw .corrupt("not a fichier vault file") }
        let version = UInt16(data[8]) | UInt16(data[9]) << 8
        guard version == Self.version else { throw .unsupportedVersion(Int(version)) }
        let headerLength = Int(UInt16(data[10]) | UInt16(data[11]) << 8)
        guard data[12] == aeadXChaCha20Poly1305 else { throw .corrupt("unknown payload cipher \(data[12])") }
        let slotCount = Int(data[13])
        guard (1...maximumSlots).contains(slotCount) else { throw .corrupt("slot count \(slotCount) out of range") }
        guard data[14] == 0 && data[15] == 0 else { throw .corrupt("unknown flags") }
        guard headerLength == fixedHeaderSize + VaultSlot.size * slotCount else { throw .corrupt("header length mismatch") }
        var generation: UInt64 = 0
        for i in 0..<8 { generation |= UInt64(data[32 + i]) << UInt64(8 * i) }
        var slots: [VaultSlot] = []
        for i in 0..<slotCount {
            let start = fixedHeaderSize + VaultSlot.size * i
            slots.append(try VaultSlot.parse(data[start..<(start + VaultSlot.size)]))
        }
        var offset = headerLength
        guard body.count >= offset + 28 else { throw .corrupt("payload truncated") }
        let nonce = Array(data[offset..<(offset + 24)])
        offset += 24
        let length = Int(UInt32(data[offset]) | UInt32(data[offset + 1]) << 8 | UInt32(data[offset + 2]) << 16 | UInt32(data[offset + 3]) << 24)
        offset += 4
        guard length == body.count - offset, length >= XChaCha20Poly1305.tagLength else { throw .corrupt("payload length mismatch") }
        var file = VaultFile(vaultID: Array(data[16..<32]), generation: generation, slots: slots)
        file.payloadNonce = nonce
        file.ciphertext = Array(data[offset..<body.count])
        return file
    }
}

func le(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
func le(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> UInt32(8 * $0)) } }
