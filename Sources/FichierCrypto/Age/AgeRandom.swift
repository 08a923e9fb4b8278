import CSodium

/// Where the age encryptor draws its randomness (file keys, nonces, ephemeral keys, salts).
/// Production code always uses `.system` (libsodium's CSPRNG). A deterministic stream exists
/// only for golden-file tests and is not reachable from outside this module.
public final class AgeRandom {
    private let seed: [UInt8]?
    private var counter: UInt64 = 0

    private init(seed: [UInt8]?) {
        self.seed = seed
    }

    /// libsodium's `randombytes_buf`.
    public static var system: AgeRandom { AgeRandom(seed: nil) }

    /// A reproducible ChaCha20 keystream from a 32-byte seed: test use only.
    static func deterministic(seed: [UInt8]) -> AgeRandom {
        precondition(seed.count == 32)
        return AgeRandom(seed: seed)
    }

    var isDeterministic: Bool { seed != nil }

    /// Fills `buffer` with random bytes.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count > 0 else { return }
        guard let seed else {
            Sodium.randomBytes(buffer)
            return
        }
        // Each request takes a fresh keystream under nonce = request counter.
        var nonce = [UInt8](repeating: 0, count: 8)
        for index in 0..<8 { nonce[index] = UInt8(truncatingIfNeeded: counter >> UInt64(8 * index)) }
        counter += 1
        _ = crypto_stream_chacha20(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(buffer.count), nonce, seed)
    }

    /// `count` random bytes in a plain array (for public values such as nonces and salts).
    public func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }

    /// `count` random bytes in secure memory.
    public func secret(_ count: Int) -> SecureBytes {
        SecureBytes(count: count) { fill($0) }
    }
}
