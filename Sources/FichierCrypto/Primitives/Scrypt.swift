import CSodium

/// scrypt (RFC 7914) through `crypto_pwhash_scryptsalsa208sha256_ll`, as age uses it:
/// N = 2^logN, r = 8, p = 1, 32-byte output.
enum Scrypt {
    struct AllocationFailure: Error {}

    /// Derives a 32-byte key; throws `AllocationFailure` when libsodium cannot run it
    /// (in practice: not enough memory for 128·r·N bytes).
    static func deriveKey(passphrase: SecureBytes, salt: [UInt8], logN: Int) throws -> SecureBytes {
        precondition(logN > 0 && logN < 64)
        Sodium.ensureInitialized()
        var failed = false
        let key = SecureBytes(count: 32) { out in
            passphrase.withUnsafeBytes { pass in
                salt.withUnsafeBufferPointer { saltBytes in
                    let status = crypto_pwhash_scryptsalsa208sha256_ll(
                        pass.bytes, pass.count,
                        UnsafeRawBufferPointer(saltBytes).bytes, saltBytes.count,
                        UInt64(1) << UInt64(logN), 8, 1,
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count)
                    if status != 0 { failed = true }
                }
            }
        }
        Sodium.wipeStack()
        if failed { throw AllocationFailure() }
        return key
    }
}
