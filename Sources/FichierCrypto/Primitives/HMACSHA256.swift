import CSodium

/// HMAC-SHA-256 (RFC 2104) on libsodium's `crypto_auth_hmacsha256` streaming API, which takes
/// keys of any length.
struct HMACSHA256 {
    static let outputLength = 32
    private var state = crypto_auth_hmacsha256_state()

    init(key: UnsafeRawBufferPointer) {
        Sodium.ensureInitialized()
        _ = crypto_auth_hmacsha256_init(&state, key.bytes, key.count)
    }

    mutating func update(_ data: UnsafeRawBufferPointer) {
        guard data.count > 0 else { return }
        _ = crypto_auth_hmacsha256_update(&state, data.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(data.count))
    }

    mutating func update(_ data: [UInt8]) {
        data.withUnsafeBytes { update($0) }
    }

    /// Writes the 32-byte tag and wipes the state.
    mutating func finalize(into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= Self.outputLength)
        _ = crypto_auth_hmacsha256_final(&state, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        withUnsafeMutableBytes(of: &state) { sodium_memzero($0.baseAddress!, $0.count) }
    }

    /// The tag as a plain array (for MACs, which are public).
    mutating func finalize() -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: Self.outputLength)
        tag.withUnsafeMutableBytes { finalize(into: $0) }
        return tag
    }

    static func authenticate(key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        var mac = HMACSHA256(key: key)
        mac.update(message)
        return mac.finalize()
    }
}
