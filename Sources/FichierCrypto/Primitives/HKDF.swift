import CSodium

/// HKDF-SHA-256 (RFC 5869) built on HMAC-SHA-256: libsodium 1.0.18 has no HKDF.
enum HKDF {
    static let maximumLength = 255 * HMACSHA256.outputLength

    /// HKDF-Extract then HKDF-Expand, writing `out.count` bytes of output keying material.
    static func deriveKey(into out: UnsafeMutableRawBufferPointer, ikm: UnsafeRawBufferPointer,
                          salt: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer) {
        var prk = [UInt8](repeating: 0, count: HMACSHA256.outputLength)
        defer { prk.wipe() }
        prk.withUnsafeMutableBytes { extract(into: $0, salt: salt, ikm: ikm) }
        prk.withUnsafeBytes { expand(into: out, prk: $0, info: info) }
    }

    /// HKDF-Extract: PRK = HMAC(salt, IKM). An empty salt equals HashLen zero bytes, as HMAC
    /// pads keys with zeros.
    static func extract(into prk: UnsafeMutableRawBufferPointer, salt: UnsafeRawBufferPointer, ikm: UnsafeRawBufferPointer) {
        var mac = HMACSHA256(key: salt)
        mac.update(ikm)
        mac.finalize(into: prk)
    }

    /// HKDF-Expand: T(i) = HMAC(PRK, T(i-1) || info || i), concatenated and truncated.
    static func expand(into out: UnsafeMutableRawBufferPointer, prk: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer) {
        precondition(out.count <= maximumLength, "HKDF output too long")
        var block = [UInt8](repeating: 0, count: HMACSHA256.outputLength)
        defer { block.wipe() }
        var produced = 0
        var counter: UInt8 = 1
        while produced < out.count {
            var mac = HMACSHA256(key: prk)
            if counter > 1 { block.withUnsafeBytes { mac.update($0) } }
            mac.update(info)
            withUnsafeBytes(of: counter) { mac.update($0) }
            block.withUnsafeMutableBytes { mac.finalize(into: $0) }
            let take = min(block.count, out.count - produced)
            for index in 0..<take { out[produced + index] = block[index] }
            produced += take
            counter &+= 1
        }
    }

    /// A 32-byte key in secure memory from a secret IKM, a public salt and a label.
    static func key(ikm: SecureBytes, salt: [UInt8], info: String, length: Int = 32) -> SecureBytes {
        SecureBytes(count: length) { out in
            ikm.withUnsafeBytes { ikmBytes in
                salt.withUnsafeBytes { saltBytes in
                    Array(info.utf8).withUnsafeBytes { infoBytes in
                        deriveKey(into: out, ikm: ikmBytes, salt: saltBytes, info: infoBytes)
                    }
                }
            }
        }
    }
}
