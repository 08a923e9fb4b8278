/// Keccak-f[1600] sponge (FIPS 202): SHA3-256, SHA3-512, SHAKE128 and SHAKE256, needed by
/// ML-KEM for age's post-quantum hybrid recipients (libsodium 1.0.18 has no SHA-3).
struct Keccak {
    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]
    /// Rotation amounts of the rho step, in the order the pi step visits the lanes.
    private static let rotations: [UInt64] = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44]
    /// Lane visiting order of the pi step.
    private static let piLanes: [Int] = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1]

    private var lanes = [UInt64](repeating: 0, count: 25)
    private let rate: Int
    private let domain: UInt8
    private var offset = 0          // byte position inside the current block
    private var squeezing = false

    private init(rate: Int, domain: UInt8) {
        self.rate = rate
        self.domain = domain
    }

    static func sha3_256() -> Keccak { Keccak(rate: 136, domain: 0x06) }
    static func sha3_512() -> Keccak { Keccak(rate: 72, domain: 0x06) }
    static func shake128() -> Keccak { Keccak(rate: 168, domain: 0x1F) }
    static func shake256() -> Keccak { Keccak(rate: 136, domain: 0x1F) }

    private static func permute(_ state: inout [UInt64]) {
        state.withUnsafeMutableBufferPointer { st in
            var c = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            for round in 0..<24 {
                // theta
                c.0 = st[0] ^ st[5] ^ st[10] ^ st[15] ^ st[20]
                c.1 = st[1] ^ st[6] ^ st[11] ^ st[16] ^ st[21]
                c.2 = st[2] ^ st[7] ^ st[12] ^ st[17] ^ st[22]
                c.3 = st[3] ^ st[8] ^ st[13] ^ st[18] ^ st[23]
                c.4 = st[4] ^ st[9] ^ st[14] ^ st[19] ^ st[24]
                let d0 = c.4 ^ rotl(c.1, 1), d1 = c.0 ^ rotl(c.2, 1), d2 = c.1 ^ rotl(c.3, 1)
                let d3 = c.2 ^ rotl(c.4, 1), d4 = c.3 ^ rotl(c.0, 1)
                var row = 0
                while row < 25 {
                    st[row] ^= d0; st[row + 1] ^= d1; st[row + 2] ^= d2; st[row + 3] ^= d3; st[row + 4] ^= d4
                    row += 5
                }
                // rho and pi
                var carry = st[1]
                for index in 0..<24 {
                    let lane = piLanes[index]
                    let next = st[lane]
                    st[lane] = rotl(carry, rotations[index])
                    carry = next
                }
                // chi
                row = 0
                while row < 25 {
                    let a0 = st[row], a1 = st[row + 1], a2 = st[row + 2], a3 = st[row + 3], a4 = st[row + 4]
                    st[row] = a0 ^ (~a1 & a2)
                    st[row + 1] = a1 ^ (~a2 & a3)
                    st[row + 2] = a2 ^ (~a3 & a4)
                    st[row + 3] = a3 ^ (~a4 & a0)
                    st[row + 4] = a4 ^ (~a0 & a1)
                    row += 5
                }
                // iota
                st[0] ^= roundConstants[round]
            }
        }
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x << n) | (x >> (64 - n))
    }

    @inline(__always)
    private mutating func xorByte(_ byte: UInt8, at position: Int) {
        lanes[position >> 3] ^= UInt64(byte) << UInt64((position & 7) * 8)
    }

    @inline(__always)
    private func byte(at position: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: lanes[position >> 3] >> UInt64((position & 7) * 8))
    }

    mutating func absorb(_ data: UnsafeRawBufferPointer) {
        precondition(!squeezing, "Keccak: absorb after squeeze")
        for byte in data {
            xorByte(byte, at: offset)
            offset += 1
            if offset == rate {
                Self.permute(&lanes)
                offset = 0
            }
        }
    }

    mutating func absorb(_ data: [UInt8]) {
        data.withUnsafeBytes { absorb($0) }
    }

    mutating func squeeze(into out: UnsafeMutableRawBufferPointer) {
        if !squeezing {
            xorByte(domain, at: offset)
            xorByte(0x80, at: rate - 1)
            Self.permute(&lanes)
            offset = 0
            squeezing = true
        }
        for index in 0..<out.count {
            if offset == rate {
                Self.permute(&lanes)
                offset = 0
            }
            out[index] = byte(at: offset)
            offset += 1
        }
    }

    mutating func squeeze(count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { squeeze(into: $0) }
        return out
    }

    /// Wipes the sponge state.
    mutating func wipe() {
        for index in 0..<25 { lanes[index] = 0 }
    }

    static func sha3_256(_ parts: [UInt8]...) -> [UInt8] {
        var sponge = Keccak.sha3_256()
        for part in parts { sponge.absorb(part) }
        return sponge.squeeze(count: 32)
    }

    static func sha3_512(_ parts: [UInt8]...) -> [UInt8] {
        var sponge = Keccak.sha3_512()
        for part in parts { sponge.absorb(part) }
        return sponge.squeeze(count: 64)
    }

    static func shake256(_ parts: [UInt8]..., count: Int) -> [UInt8] {
        var sponge = Keccak.shake256()
        for part in parts { sponge.absorb(part) }
        return sponge.squeeze(count: count)
    }
}
