import CSodium

/// ChaCha20-Poly1305-IETF (RFC 8439): 32-byte key, 12-byte nonce, 16-byte tag.
enum ChaCha20Poly1305 {
    static let keyLength = 32
    static let nonceLength = 12
    static let tagLength = 16

    /// Encrypts `plaintext` into `out` (plaintext.count + 16 bytes); `out` may alias `plaintext`.
    @inline(__always)
    static func seal(key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer,
                     plaintext: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer? = nil,
                     into out: UnsafeMutableRawBufferPointer) {
        precondition(key.count == keyLength && nonce.count == nonceLength)
        precondition(out.count >= plaintext.count + tagLength)
        var written: UInt64 = 0
        _ = crypto_aead_chacha20poly1305_ietf_encrypt(
            out.baseAddress!.assumingMemoryBound(to: UInt8.self), &written,
            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
            additionalData?.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(additionalData?.count ?? 0),
            nil, nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
            key.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    /// Verifies and decrypts `ciphertext` (with its tag) into `out`; false when the tag fails or
    /// the input is shorter than a tag. `out` may alias `ciphertext`.
    @inline(__always)
    static func open(key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer,
                     ciphertext: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer? = nil,
                     into out: UnsafeMutableRawBufferPointer) -> Bool {
        precondition(key.count == keyLength && nonce.count == nonceLength)
        guard ciphertext.count >= tagLength else { return false }
        precondition(out.count >= ciphertext.count - tagLength)
        var written: UInt64 = 0
        return crypto_aead_chacha20poly1305_ietf_decrypt(
            out.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, nil,
            ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count),
            additionalData?.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(additionalData?.count ?? 0),
            nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
            key.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
    }
}

/// XChaCha20-Poly1305-IETF: 32-byte key, 24-byte nonce (safe to draw at random), 16-byte tag.
enum XChaCha20Poly1305 {
    static let keyLength = 32
    static let nonceLength = 24
    static let tagLength = 16

    static func seal(key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer,
                     plaintext: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer,
                     into out: UnsafeMutableRawBufferPointer) {
        precondition(key.count == keyLength && nonce.count == nonceLength)
        precondition(out.count >= plaintext.count + tagLength)
        var written: UInt64 = 0
        _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
            out.baseAddress!.assumingMemoryBound(to: UInt8.self), &written,
            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
            additionalData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(additionalData.count),
            nil, nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
            key.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    static func open(key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer,
                     ciphertext: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer,
                     into out: UnsafeMutableRawBufferPointer) -> Bool {
        precondition(key.count == keyLength && nonce.count == nonceLength)
        guard ciphertext.count >= tagLength else { return false }
        precondition(out.count >= ciphertext.count - tagLength)
        var written: UInt64 = 0
        return crypto_aead_xchacha20poly1305_ietf_decrypt(
            out.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, nil,
            ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count),
            additionalData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(additionalData.count),
            nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
            key.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
    }
}
