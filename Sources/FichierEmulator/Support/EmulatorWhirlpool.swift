import CRHash

/// Whirlpool (512-bit) over a byte stream, through librhash: the checksum 1fichier reports.
///
/// Internal stand-in for FichierAPI's `Whirlpool` until that lands; same shape so the switch is a rename.
/// Not Sendable: one instance per stream.
final class EmulatorWhirlpool {
    private let context: UnsafeMutablePointer<rhash_context>?

    init() {
        Self.initializeLibrary
        context = rhash_init(fichier_rhash_whirlpool)
    }

    deinit {
        if let context { rhash_free(context) }
    }

    /// Feeds bytes into the digest.
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let context, let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = rhash_update(context, base, bytes.count)
    }

    /// Feeds bytes into the digest.
    func update(_ bytes: some Collection<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The digest as 128 lowercase hex characters. Call once.
    func finalize() -> String {
        guard let context else { return "" }
        var digest = [UInt8](repeating: 0, count: 64)
        _ = digest.withUnsafeMutableBytes { rhash_final(context, $0.baseAddress?.assumingMemoryBound(to: UInt8.self)) }
        return HexText.lowercase(digest)
    }

    /// Whirlpool of a whole byte collection.
    static func hex(of bytes: some Collection<UInt8>) -> String {
        let hasher = EmulatorWhirlpool()
        hasher.update(bytes)
        return hasher.finalize()
    }

    private static let initializeLibrary: Void = rhash_library_init()
}

enum HexText {
    private static let digits = Array("0123456789abcdef".utf8)

    static func lowercase(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
