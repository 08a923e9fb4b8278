import CSodium

/// Base64 (RFC 4648 §4) with the strictness age demands: canonical encodings only, checked by
/// decoding with libsodium and re-encoding for comparison.
enum Base64 {
    /// Standard alphabet, no `=` padding.
    static func encodeUnpadded(_ bytes: UnsafeRawBufferPointer) -> String {
        encode(bytes, variant: sodium_base64_VARIANT_ORIGINAL_NO_PADDING)
    }

    static func encodeUnpadded(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { encodeUnpadded($0) }
    }

    /// Standard alphabet with `=` padding (for ASCII armor).
    static func encodePadded(_ bytes: UnsafeRawBufferPointer) -> String {
        encode(bytes, variant: sodium_base64_VARIANT_ORIGINAL)
    }

    /// Length of the unpadded encoding of `count` bytes.
    static func unpaddedLength(of count: Int) -> Int {
        (count * 4 + 2) / 3
    }

    /// Decodes unpadded base64, refusing padding, foreign characters and non-canonical
    /// trailing bits. nil on any violation.
    static func decodeCanonicalUnpadded(_ text: some Collection<UInt8>) -> [UInt8]? {
        decode(Array(text), variant: sodium_base64_VARIANT_ORIGINAL_NO_PADDING)
    }

    static func decodeCanonicalUnpadded(_ text: some StringProtocol) -> [UInt8]? {
        decodeCanonicalUnpadded(Array(text.utf8))
    }

    /// Decodes padded base64 (length a multiple of 4), canonical only.
    static func decodeCanonicalPadded(_ text: some Collection<UInt8>) -> [UInt8]? {
        let chars = Array(text)
        guard chars.count % 4 == 0 else { return nil }
        return decode(chars, variant: sodium_base64_VARIANT_ORIGINAL)
    }

    private static func encode(_ bytes: UnsafeRawBufferPointer, variant: Int32) -> String {
        Sodium.ensureInitialized()
        let length = sodium_base64_encoded_len(bytes.count, variant)
        var out = [CChar](repeating: 0, count: length)
        _ = sodium_bin2base64(&out, length, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, variant)
        return out.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private static func decode(_ chars: [UInt8], variant: Int32) -> [UInt8]? {
        Sodium.ensureInitialized()
        // Only the standard alphabet (and '=' for the padded variant) may appear at all.
        for c in chars {
            switch c {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2B, 0x2F: continue
            case 0x3D where variant == sodium_base64_VARIANT_ORIGINAL: continue
            default: return nil
            }
        }
        if chars.isEmpty { return [] }
        var out = [UInt8](repeating: 0, count: chars.count * 3 / 4 + 3)
        var written = 0
        var end: UnsafePointer<CChar>? = nil
        let status = chars.withUnsafeBufferPointer { input -> Int32 in
            input.withMemoryRebound(to: CChar.self) { text in
                sodium_base642bin(&out, out.count, text.baseAddress, text.count, nil, &written, &end, variant)
                    .advancedAndCheck(end: end, expected: text.baseAddress! + text.count)
            }
        }
        guard status == 0 else { return nil }
        out.removeSubrange(written...)
        // Canonical check: the re-encoding must give back exactly the input.
        let again = out.withUnsafeBytes { encode($0, variant: variant) }
        guard Array(again.utf8) == chars else { return nil }
        return out
    }
}

private extension Int32 {
    /// Folds "libsodium stopped before the end of the input" into a failure status.
    func advancedAndCheck(end: UnsafePointer<CChar>?, expected: UnsafePointer<CChar>) -> Int32 {
        if self != 0 { return self }
        return end == expected ? 0 : -1
    }
}

extension Base64 {
    /// Appends the padded encoding of `bytes` (at most 48 bytes: one armor line) to `out`.
    static func appendPaddedLine(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        precondition(bytes.count <= 48)
        var text = [CChar](repeating: 0, count: 66)
        _ = sodium_bin2base64(&text, text.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count,
                              sodium_base64_VARIANT_ORIGINAL)
        let length = (bytes.count + 2) / 3 * 4
        text.withUnsafeBytes { out.append(contentsOf: $0.prefix(length)) }
    }
}
