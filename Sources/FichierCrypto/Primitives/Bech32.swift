/// Bech32 (BIP-173) without the 90-character limit, as age uses it for keys. A string is all
/// lowercase or all uppercase; the checksum is computed over the lowercase form.
enum Bech32 {
    private static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let generator: [UInt32] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]

    enum Failure: Error, Equatable {
        case mixedCase, noSeparator, badCharacter, badChecksum, badPadding, emptyHRP
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1ffffff) << 5 ^ UInt32(value)
            for index in 0..<5 where (top >> UInt32(index)) & 1 == 1 {
                checksum ^= generator[index]
            }
        }
        return checksum
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Regroups bits (8 → 5 or 5 → 8). With `pad` false the leftover must be < `from` bits and zero.
    static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator: UInt32 = 0
        var bits = 0
        var out = [UInt8]()
        out.reserveCapacity(data.count * from / to + 1)
        let maxValue: UInt32 = (1 << UInt32(to)) - 1
        for value in data {
            guard UInt32(value) >> UInt32(from) == 0 else { return nil }
            accumulator = (accumulator << UInt32(from)) | UInt32(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((accumulator >> UInt32(bits)) & maxValue))
            }
        }
        accumulator &= (1 << UInt32(bits)) - 1
        if pad {
            if bits > 0 { out.append(UInt8((accumulator << UInt32(to - bits)) & maxValue)) }
        } else if bits >= from || accumulator != 0 {
            out.wipe()
            return nil
        }
        accumulator = 0
        return out
    }

    /// Encodes `data` under the human-readable part `hrp` (given in the case wanted).
    static func encode(hrp: String, data: [UInt8], uppercase: Bool = false) -> String {
        let lowerHRP = Array(hrp.lowercased().utf8)
        var five = convertBits(data, from: 8, to: 5, pad: true)!
        defer { five.wipe() }
        let check = polymod(expand(lowerHRP) + five + [0, 0, 0, 0, 0, 0]) ^ 1
        var out = lowerHRP + [0x31]
        for value in five { out.append(charset[Int(value)]) }
        for index in 0..<6 { out.append(charset[Int((check >> UInt32(5 * (5 - index))) & 31)]) }
        if uppercase {
            out = out.map { ($0 >= 0x61 && $0 <= 0x7A) ? $0 - 32 : $0 }
        }
        let text = String(decoding: out, as: UTF8.self)
        out.wipe()
        return text
    }

    /// Decodes a Bech32 string into its lowercase HRP and 8-bit data.
    static func decode(_ text: some Collection<UInt8>) throws(Failure) -> (hrp: String, data: [UInt8]) {
        var chars = Array(text)
        defer { chars.wipe() }
        var hasLower = false, hasUpper = false
        for c in chars {
            guard c >= 33 && c <= 126 else { throw .badCharacter }
            if c >= 0x61 && c <= 0x7A { hasLower = true }
            if c >= 0x41 && c <= 0x5A { hasUpper = true }
        }
        if hasLower && hasUpper { throw .mixedCase }
        for index in chars.indices where chars[index] >= 0x41 && chars[index] <= 0x5A { chars[index] += 32 }
        guard let separator = chars.lastIndex(of: 0x31) else { throw .noSeparator }
        guard separator > 0 else { throw .emptyHRP }
        guard chars.count - separator - 1 >= 6 else { throw .badChecksum }
        let hrp = Array(chars[..<separator])
        var values = [UInt8]()
        defer { values.wipe() }
        for c in chars[(separator + 1)...] {
            guard let value = charset.firstIndex(of: c) else { throw .badCharacter }
            values.append(UInt8(value))
        }
        guard polymod(expand(hrp) + values) == 1 else { throw .badChecksum }
        guard let data = convertBits(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else { throw .badPadding }
        return (String(decoding: hrp, as: UTF8.self), data)
    }

    static func decode(_ text: some StringProtocol) throws(Failure) -> (hrp: String, data: [UInt8]) {
        try decode(Array(text.utf8))
    }
}
