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
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(char)] = UInt8(index)
        }
        return table
    }()

    /// Strictly decodes one padded armor line (length a multiple of 4, at most 64 characters)
    /// into `out`, returning the byte count; nil for a foreign character, misplaced padding or
    /// non-zero bits under the padding (non-canonical). Equivalent to `decodeCanonicalPadded`,
    /// without allocations, for the armor hot path.
    static func decodeArmorLine(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        let count = text.count
        guard count % 4 == 0, out.count >= count / 4 * 3 else { return nil }
        if count == 0 { return 0 }
        var padding = 0
        if text[count - 1] == 0x3D { padding = text[count - 2] == 0x3D ? 2 : 1 }
        var written = 0
        var index = 0
        while index < count {
            let isLast = index + 4 == count
            let a = decodeTable[Int(text[index])], b = decodeTable[Int(text[index + 1])]
            let cChar = text[index + 2], dChar = text[index + 3]
            guard a != 0xFF, b != 0xFF else { return nil }
            if isLast && padding == 2 {
                guard cChar == 0x3D, dChar == 0x3D, b & 0x0F == 0 else { return nil }
                out[written] = a << 2 | b >> 4
                written += 1
            } else if isLast && padding == 1 {
                let c = decodeTable[Int(cChar)]
                guard c != 0xFF, dChar == 0x3D, c & 0x03 == 0 else { return nil }
                out[written] = a << 2 | b >> 4
                out[written + 1] = b << 4 | c >> 2
                written += 2
            } else {
                let c = decodeTable[Int(cChar)], d = decodeTable[Int(dChar)]
                guard c != 0xFF, d != 0xFF else { return nil }
                out[written] = a << 2 | b >> 4
                out[written + 1] = b << 4 | c >> 2
                out[written + 2] = c << 6 | d
                written += 3
            }
            index += 4
        }
        return written
    }

    /// Appends the padded encoding of `bytes` as 64-column lines, each followed by LF, to `out`
    /// (`bytes` must be a multiple of 48 long, or shorter than 48 for the last line).
    static func appendArmorLines(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        guard bytes.count > 0 else { return }
        let encodedLength = (bytes.count + 2) / 3 * 4
        var text = [CChar](repeating: 0, count: encodedLength + 1)
        _ = sodium_bin2base64(&text, text.count, bytes.bytes, bytes.count, sodium_base64_VARIANT_ORIGINAL)
        out.reserveCapacity(out.count + encodedLength + encodedLength / 64 + 1)
        text.withUnsafeBytes { raw in
            var offset = 0
            while offset < encodedLength {
                let end = min(offset + 64, encodedLength)
                out.append(contentsOf: raw[offset..<end])
                out.append(0x0A)
                offset = end
            }
        }
    }

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
