/// MLKEM768-X25519 (X-Wing), the KEM of age's `mlkem768x25519` recipients
/// (draft-ietf-hpke-pq / filippo.io/hpke-pq): a 32-byte seed expands with SHAKE256 into the
/// ML-KEM-768 seeds and the X25519 scalar; the shared secret is
/// SHA3-256(ss_M ‖ ss_X ‖ ct_X ‖ pk_X ‖ label).
enum HybridKEM {
    static let seedLength = 32
    static let publicKeyLength = MLKEM768.encapsulationKeyLength + 32      // 1216
    static let encapsulationLength = MLKEM768.ciphertextLength + 32          // 1120
    static let kemID: UInt16 = 0x647A
    private static let label: [UInt8] = [0x5C, 0x2E, 0x2F, 0x2F, 0x5E, 0x5C]   // "\.//^\"

    enum Failure: Error { case zeroSharedSecret }

    /// The expanded private key: ML-KEM decapsulation key, X25519 scalar and both public halves.
    struct PrivateKey {
        var mlkemDecapsulationKey: [UInt8]
        var x25519Secret: [UInt8]
        let publicKey: [UInt8]

        mutating func wipe() {
            mlkemDecapsulationKey.wipe()
            x25519Secret.wipe()
        }
    }

    static func expand(seed: UnsafeRawBufferPointer) -> PrivateKey {
        precondition(seed.count == seedLength)
        var expanded = Keccak.shake256([UInt8](seed), count: 96)
        defer { expanded.wipe() }
        var d = Array(expanded[0..<32]), z = Array(expanded[32..<64])
        defer { d.wipe(); z.wipe() }
        let secretX = Array(expanded[64..<96])
        let (ek, dk) = MLKEM768.keyGen(d: d, z: z)
        let publicX = secretX.withUnsafeBytes { X25519.publicKey(secret: $0) }
        return PrivateKey(mlkemDecapsulationKey: dk, x25519Secret: secretX, publicKey: ek + publicX)
    }

    /// Encapsulates to a 1216-byte public key with fresh randomness; returns the shared secret
    /// and the 1120-byte encapsulation.
    static func encapsulate(publicKey: [UInt8], random: AgeRandom) throws -> (secret: SecureBytes, enc: [UInt8]) {
        precondition(publicKey.count == publicKeyLength)
        let ekM = Array(publicKey[0..<MLKEM768.encapsulationKeyLength])
        let pkX = Array(publicKey[MLKEM768.encapsulationKeyLength...])
        var m = random.bytes(32)
        var ephemeral = random.bytes(32)
        defer { m.wipe(); ephemeral.wipe() }
        var (ssM, ctM) = MLKEM768.encapsulate(ek: ekM, message: m)
        defer { ssM.wipe() }
        let ctX = ephemeral.withUnsafeBytes { X25519.publicKey(secret: $0) }
        guard let ssX = ephemeral.withUnsafeBytes({ e in pkX.withUnsafeBytes { X25519.sharedSecret(secret: e, peer: $0) } }) else {
            throw Failure.zeroSharedSecret
        }
        return (combine(ssM: ssM, ssX: ssX, ctX: ctX, pkX: pkX), ctM + ctX)
    }

    /// Decapsulates a 1120-byte encapsulation; throws when the X25519 half is all zeros.
    static func decapsulate(enc: [UInt8], privateKey: PrivateKey) throws -> SecureBytes {
        precondition(enc.count == encapsulationLength)
        let ctM = Array(enc[0..<MLKEM768.ciphertextLength])
        let ctX = Array(enc[MLKEM768.ciphertextLength...])
        var ssM = MLKEM768.decapsulate(dk: privateKey.mlkemDecapsulationKey, ciphertext: ctM)
        defer { ssM.wipe() }
        guard let ssX = privateKey.x25519Secret.withUnsafeBytes({ s in ctX.withUnsafeBytes { X25519.sharedSecret(secret: s, peer: $0) } }) else {
            throw Failure.zeroSharedSecret
        }
        let pkX = Array(privateKey.publicKey[MLKEM768.encapsulationKeyLength...])
        return combine(ssM: ssM, ssX: ssX, ctX: ctX, pkX: pkX)
    }

    private static func combine(ssM: [UInt8], ssX: SecureBytes, ctX: [UInt8], pkX: [UInt8]) -> SecureBytes {
        var sponge = Keccak.sha3_256()
        sponge.absorb(ssM)
        ssX.withUnsafeBytes { sponge.absorb($0) }
        sponge.absorb(ctX)
        sponge.absorb(pkX)
        sponge.absorb(label)
        let secret = SecureBytes(count: 32) { sponge.squeeze(into: $0) }
        sponge.wipe()
        return secret
    }
}
