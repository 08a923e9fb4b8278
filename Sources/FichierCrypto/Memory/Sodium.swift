import CSodium

/// libsodium's one-time initialisation.
public enum Sodium {
    private static let initialization: Int32 = sodium_init()

    /// Calls `sodium_init()` once per process; later calls return at once.
    /// `sodium_init` only fails when the system has no usable randomness source, in which case
    /// nothing in this module can run safely, so that failure stops the process.
    public static func ensureInitialized() {
        precondition(initialization >= 0, "libsodium could not be initialised (no randomness source)")
    }

    /// Fills `buffer` with bytes from libsodium's CSPRNG.
    static func randomBytes(_ buffer: UnsafeMutableRawBufferPointer) {
        ensureInitialized()
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        randombytes_buf(base, buffer.count)
    }

    /// Wipes `count` bytes of the stack below the caller, for use after key derivation.
    static func wipeStack(_ count: Int = 16384) {
        sodium_stackzero(count)
    }
}

extension Array where Element == UInt8 {
    /// Overwrites the array's storage with zeros (a best effort: Swift may hold other copies).
    mutating func wipe() {
        withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress, raw.count > 0 { sodium_memzero(base, raw.count) }
        }
    }
}
