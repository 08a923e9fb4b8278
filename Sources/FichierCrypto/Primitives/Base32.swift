/// Base32 (RFC 4648 §6) without padding, in one case only; decoding is strict (one case,
/// no padding, zero trailing bits).
enum Base32 {
    enum Case { case lower, upper }

    static func encode(_ bytes: UnsafeRawBufferPointer, case letterCase: Case = .lower) -> String {
        let alphabet = Array((letterCase == .lower ? "abcdefghijklmnopqrstuvwxyz234567" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").utf8)
        var out = [UInt8]()
        out.reserveCapacity(encodedLength(of: bytes.count))
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 {
            out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func encode(_ bytes: [UInt8], case letterCase: Case = .lower) -> String {
        bytes.withUnsafeBytes { encode($0, case: letterCase) }
    }

    static func encodedLength(of count: Int) -> Int {
        (count * 8 + 4) / 5
    }

    /// Decodes; nil on a character outside the alphabet of `letterCase`, an impossible length,
    /// or non-zero trailing bits.
    static func decode(_ text: some Collection<UInt8>, case letterCase: Case = .lower) -> [UInt8]? {
        let chars = Array(text)
        // Lengths 1, 3 and 6 (mod 8) cannot come from whole bytes.
        switch chars.count % 8 {
        case 1, 3, 6: return nil
        default: break
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for c in chars {
            let value: UInt32
            switch (c, letterCase) {
            case (0x61...0x7A, .lower): value = UInt32(c - 0x61)
            case (0x41...0x5A, .upper): value = UInt32(c - 0x41)
            case (0x32...0x37, _): value = UInt32(c - 0x32 + 26)
            default: return nil
            }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        // Leftover bits must be zero for the encoding to be canonical.
        if bits > 0 && (buffer & ((1 << UInt32(bits)) - 1)) != 0 { return nil }
        return out
    }
}
