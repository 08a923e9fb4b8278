import CSodium

/// X25519 (RFC 7748) on libsodium's `crypto_scalarmult`.
enum X25519 {
    static let length = 32
    static let basepoint: [UInt8] = [9] + [UInt8](repeating: 0, count: 31)

    /// The public key (u-coordinate) of a 32-byte secret scalar.
    static func publicKey(secret: UnsafeRawBufferPointer) -> [UInt8] {
        precondition(secret.count == length)
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: length)
        _ = crypto_scalarmult_base(&out, secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
        return out
    }

    /// The shared secret X25519(secret, peer) in secure memory, or nil when it is all zeros
    /// (a low-order or identity peer point), which callers must treat as an error.
    static func sharedSecret(secret: UnsafeRawBufferPointer, peer: UnsafeRawBufferPointer) -> SecureBytes? {
        precondition(secret.count == length && peer.count == length)
        Sodium.ensureInitialized()
        var ok = true
        let shared = SecureBytes(count: length) { out in
            // libsodium returns -1 when the result is all zeros; check it ourselves as well.
            let status = crypto_scalarmult(out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                           secret.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                           peer.baseAddress!.assumingMemoryBound(to: UInt8.self))
            if status != 0 || sodium_is_zero(out.baseAddress!.assumingMemoryBound(to: UInt8.self), length) == 1 {
                ok = false
            }
        }
        return ok ? shared : nil
    }
}
