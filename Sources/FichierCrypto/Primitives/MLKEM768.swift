import CSodium

/// ML-KEM-768 (FIPS 203), the lattice half of age's `mlkem768x25519` hybrid recipients.
/// Straightforward reference arithmetic mod q = 3329; the decapsulation re-encrypts and
/// falls back to the implicit-rejection key with a constant-time select.
enum MLKEM768 {
    static let k = 3
    static let q: Int32 = 3329
    static let eta1 = 2
    static let eta2 = 2
    static let du = 10
    static let dv = 4
    static let encapsulationKeyLength = 384 * k + 32        // 1184
    static let ciphertextLength = 32 * (du * k + dv)          // 1088
    static let pkeDecryptionKeyLength = 384 * k               // 1152

    typealias Poly = [Int32]   // 256 coefficients in [0, q)

    /// ζ^BitRev7(i) mod q for i in 0..<128, ζ = 17.
    private static let zetas: [Int32] = (0..<128).map { power(17, bitReverse7($0)) }
    /// ζ^(2·BitRev7(i)+1) mod q, the moduli of the degree-2 base multiplications.
    private static let gammas: [Int32] = (0..<128).map { power(17, 2 * bitReverse7($0) + 1) }

    private static func bitReverse7(_ value: Int) -> Int {
        var out = 0
        for bit in 0..<7 where value & (1 << bit) != 0 { out |= 1 << (6 - bit) }
        return out
    }

    private static func power(_ base: Int, _ exponent: Int) -> Int32 {
        var result = 1, factor = base % Int(q), e = exponent
        while e > 0 {
            if e & 1 == 1 { result = result * factor % Int(q) }
            factor = factor * factor % Int(q)
            e >>= 1
        }
        return Int32(result)
    }

    @inline(__always) private static func reduce(_ x: Int64) -> Int32 {
        var r = Int32(x % Int64(q))
        if r < 0 { r += q }
        return r
    }

    // MARK: NTT

    static func ntt(_ f: inout Poly) {
        var index = 1
        var length = 128
        while length >= 2 {
            var start = 0
            while start < 256 {
                let zeta = Int64(zetas[index]); index += 1
                for j in start..<(start + length) {
                    let t = reduce(zeta * Int64(f[j + length]))
                    f[j + length] = reduce(Int64(f[j]) - Int64(t))
                    f[j] = reduce(Int64(f[j]) + Int64(t))
                }
                start += 2 * length
            }
            length /= 2
        }
    }

    static func inverseNTT(_ f: inout Poly) {
        var index = 127
        var length = 2
        while length <= 128 {
            var start = 0
            while start < 256 {
                let zeta = Int64(zetas[index]); index -= 1
                for j in start..<(start + length) {
                    let t = f[j]
                    f[j] = reduce(Int64(t) + Int64(f[j + length]))
                    f[j + length] = reduce(zeta * (Int64(f[j + length]) - Int64(t)))
                }
                start += 2 * length
            }
            length *= 2
        }
        for j in 0..<256 { f[j] = reduce(Int64(f[j]) * 3303) }   // 3303 = 128⁻¹ mod q
    }

    static func multiplyNTT(_ f: Poly, _ g: Poly) -> Poly {
        var h = Poly(repeating: 0, count: 256)
        for i in 0..<128 {
            let a0 = Int64(f[2 * i]), a1 = Int64(f[2 * i + 1])
            let b0 = Int64(g[2 * i]), b1 = Int64(g[2 * i + 1])
            let gamma = Int64(gammas[i])
            h[2 * i] = reduce(a0 * b0 + Int64(reduce(a1 * b1)) * gamma)
            h[2 * i + 1] = reduce(a0 * b1 + a1 * b0)
        }
        return h
    }

    static func add(_ f: Poly, _ g: Poly) -> Poly {
        (0..<256).map { reduce(Int64(f[$0]) + Int64(g[$0])) }
    }

    static func subtract(_ f: Poly, _ g: Poly) -> Poly {
        (0..<256).map { reduce(Int64(f[$0]) - Int64(g[$0])) }
    }

    // MARK: Sampling

    /// SampleNTT: rejection sampling from SHAKE128(ρ ‖ j ‖ i).
    static func sampleNTT(seed: [UInt8], j: UInt8, i: UInt8) -> Poly {
        var xof = Keccak.shake128()
        xof.absorb(seed + [j, i])
        var out = Poly()
        out.reserveCapacity(256)
        var block = [UInt8](repeating: 0, count: 168)
        while out.count < 256 {
            block.withUnsafeMutableBytes { xof.squeeze(into: $0) }
            var p = 0
            while p + 3 <= block.count && out.count < 256 {
                let d1 = Int32(block[p]) | (Int32(block[p + 1] & 0x0F) << 8)
                let d2 = Int32(block[p + 1] >> 4) | (Int32(block[p + 2]) << 4)
                if d1 < q { out.append(d1) }
                if d2 < q && out.count < 256 { out.append(d2) }
                p += 3
            }
        }
        return out
    }

    /// SamplePolyCBD_η from 64·η bytes.
    static func sampleCBD(_ bytes: [UInt8], eta: Int) -> Poly {
        func bit(_ index: Int) -> Int32 { Int32((bytes[index >> 3] >> UInt8(index & 7)) & 1) }
        var f = Poly(repeating: 0, count: 256)
        for i in 0..<256 {
            var x: Int32 = 0, y: Int32 = 0
            for j in 0..<eta {
                x += bit(2 * i * eta + j)
                y += bit(2 * i * eta + eta + j)
            }
            f[i] = reduce(Int64(x - y))
        }
        return f
    }

    static func prf(_ seed: [UInt8], _ nonce: UInt8, eta: Int) -> [UInt8] {
        Keccak.shake256(seed, [nonce], count: 64 * eta)
    }

    /// The matrix Â (or its transpose) generated from ρ.
    static func matrix(_ rho: [UInt8], transposed: Bool) -> [[Poly]] {
        (0..<k).map { i in
            (0..<k).map { j in
                transposed ? sampleNTT(seed: rho, j: UInt8(i), i: UInt8(j)) : sampleNTT(seed: rho, j: UInt8(j), i: UInt8(i))
            }
        }
    }

    // MARK: Encoding

    static func byteEncode(_ f: Poly, bits d: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32 * d)
        var bitIndex = 0
        for coefficient in f {
            let value = UInt32(coefficient)
            for b in 0..<d {
                if value >> UInt32(b) & 1 == 1 { out[bitIndex >> 3] |= 1 << UInt8(bitIndex & 7) }
                bitIndex += 1
            }
        }
        return out
    }

    static func byteDecode(_ bytes: ArraySlice<UInt8>, bits d: Int) -> Poly {
        let base = bytes.startIndex
        var f = Poly(repeating: 0, count: 256)
        var bitIndex = 0
        for i in 0..<256 {
            var value: Int32 = 0
            for b in 0..<d {
                let byte = bytes[base + (bitIndex >> 3)]
                value |= Int32((byte >> UInt8(bitIndex & 7)) & 1) << Int32(b)
                bitIndex += 1
            }
            f[i] = d == 12 ? value % q : value
        }
        return f
    }

    static func compress(_ x: Int32, bits d: Int) -> Int32 {
        // round(2^d · x / q) mod 2^d, with exact integer rounding.
        let numerator = (Int64(x) << Int64(d + 1)) + Int64(q)
        return Int32((numerator / (2 * Int64(q))) & ((1 << Int64(d)) - 1))
    }

    static func decompress(_ y: Int32, bits d: Int) -> Int32 {
        Int32((Int64(q) * Int64(y) + (1 << Int64(d - 1))) >> Int64(d))
    }

    /// The modulus check of FIPS 203 §7.2 on an encapsulation key.
    static func isValidEncapsulationKey(_ ek: [UInt8]) -> Bool {
        guard ek.count == encapsulationKeyLength else { return false }
        for i in 0..<k {
            let chunk = ek[(384 * i)..<(384 * (i + 1))]
            if byteEncode(byteDecode(chunk, bits: 12), bits: 12) != Array(chunk) { return false }
        }
        return true
    }

    // MARK: K-PKE

    static func pkeKeyGen(d: [UInt8]) -> (ek: [UInt8], dk: [UInt8]) {
        var g = Keccak.sha3_512(d, [UInt8(k)])
        defer { g.wipe() }
        let rho = Array(g[0..<32])
        var sigma = Array(g[32..<64])
        defer { sigma.wipe() }
        let a = matrix(rho, transposed: false)
        var nonce: UInt8 = 0
        var s = [Poly](), e = [Poly]()
        for _ in 0..<k { s.append(sampleCBD(prf(sigma, nonce, eta: eta1), eta: eta1)); nonce += 1 }
        for _ in 0..<k { e.append(sampleCBD(prf(sigma, nonce, eta: eta1), eta: eta1)); nonce += 1 }
        for i in 0..<k { ntt(&s[i]); ntt(&e[i]) }
        var ek = [UInt8](), dk = [UInt8]()
        for i in 0..<k {
            var t = e[i]
            for j in 0..<k { t = add(t, multiplyNTT(a[i][j], s[j])) }
            ek += byteEncode(t, bits: 12)
            dk += byteEncode(s[i], bits: 12)
        }
        ek += rho
        for i in 0..<k { s[i].wipePoly(); e[i].wipePoly() }
        return (ek, dk)
    }

    static func pkeEncrypt(ek: [UInt8], message m: [UInt8], randomness r: [UInt8]) -> [UInt8] {
        let tHat = (0..<k).map { byteDecode(ek[(384 * $0)..<(384 * ($0 + 1))], bits: 12) }
        let rho = Array(ek[(384 * k)...])
        let aT = matrix(rho, transposed: true)
        var nonce: UInt8 = 0
        var y = [Poly](), e1 = [Poly]()
        for _ in 0..<k { y.append(sampleCBD(prf(r, nonce, eta: eta1), eta: eta1)); nonce += 1 }
        for _ in 0..<k { e1.append(sampleCBD(prf(r, nonce, eta: eta2), eta: eta2)); nonce += 1 }
        let e2 = sampleCBD(prf(r, nonce, eta: eta2), eta: eta2)
        for i in 0..<k { ntt(&y[i]) }
        var c = [UInt8]()
        for i in 0..<k {
            var u = multiplyNTT(aT[i][0], y[0])
            for j in 1..<k { u = add(u, multiplyNTT(aT[i][j], y[j])) }
            inverseNTT(&u)
            u = add(u, e1[i])
            c += byteEncode(u.map { compress($0, bits: du) }, bits: du)
        }
        var v = multiplyNTT(tHat[0], y[0])
        for i in 1..<k { v = add(v, multiplyNTT(tHat[i], y[i])) }
        inverseNTT(&v)
        let mu = byteDecode(m[...], bits: 1).map { decompress($0, bits: 1) }
        v = add(add(v, e2), mu)
        c += byteEncode(v.map { compress($0, bits: dv) }, bits: dv)
        return c
    }

    static func pkeDecrypt(dk: ArraySlice<UInt8>, ciphertext c: [UInt8]) -> [UInt8] {
        let base = dk.startIndex
        let c1Length = 32 * du * k
        var w = byteDecode(c[c1Length...], bits: dv).map { decompress($0, bits: dv) }
        var acc = Poly(repeating: 0, count: 256)
        for i in 0..<k {
            var u = byteDecode(c[(32 * du * i)..<(32 * du * (i + 1))], bits: du).map { decompress($0, bits: du) }
            ntt(&u)
            var s = byteDecode(dk[(base + 384 * i)..<(base + 384 * (i + 1))], bits: 12)
            acc = add(acc, multiplyNTT(s, u))
            s.wipePoly()
        }
        inverseNTT(&acc)
        w = subtract(w, acc)
        acc.wipePoly()
        let m = byteEncode(w.map { compress($0, bits: 1) }, bits: 1)
        w.wipePoly()
        return m
    }

    // MARK: ML-KEM

    /// KeyGen_internal(d, z): the 1184-byte encapsulation key and 2400-byte decapsulation key.
    static func keyGen(d: [UInt8], z: [UInt8]) -> (ek: [UInt8], dk: [UInt8]) {
        let generated = pkeKeyGen(d: d)
        var pkeDK = generated.dk
        let dk = pkeDK + generated.ek + Keccak.sha3_256(generated.ek) + z
        pkeDK.wipe()
        return (generated.ek, dk)
    }

    /// Encaps_internal(ek, m): shared key and ciphertext.
    static func encapsulate(ek: [UInt8], message m: [UInt8]) -> (key: [UInt8], ciphertext: [UInt8]) {
        var g = Keccak.sha3_512(m, Keccak.sha3_256(ek))
        defer { g.wipe() }
        let key = Array(g[0..<32])
        var r = Array(g[32..<64])
        defer { r.wipe() }
        return (key, pkeEncrypt(ek: ek, message: m, randomness: r))
    }

    /// Decaps_internal(dk, c): the shared key, or the implicit-rejection key when the
    /// ciphertext does not re-encrypt to itself. `c` must be 1088 bytes.
    static func decapsulate(dk: [UInt8], ciphertext c: [UInt8]) -> [UInt8] {
        precondition(c.count == ciphertextLength)
        let pkeDK = dk[0..<(384 * k)]
        let ek = Array(dk[(384 * k)..<(768 * k + 32)])
        let h = Array(dk[(768 * k + 32)..<(768 * k + 64)])
        let z = Array(dk[(768 * k + 64)...])
        var m = pkeDecrypt(dk: pkeDK, ciphertext: c)
        defer { m.wipe() }
        var g = Keccak.sha3_512(m, h)
        defer { g.wipe() }
        var key = Array(g[0..<32])
        var r = Array(g[32..<64])
        defer { r.wipe() }
        let rejection = Keccak.shake256(z, c, count: 32)
        let again = pkeEncrypt(ek: ek, message: m, randomness: r)
        // Keep `key` when the ciphertexts match (compared with sodium_memcmp), else the rejection key.
        let equal = again.withUnsafeBytes { a in c.withUnsafeBytes { b in sodium_memcmp(a.baseAddress!, b.baseAddress!, c.count) == 0 } }
        let mask: UInt8 = equal ? 0x00 : 0xFF
        for index in 0..<32 { key[index] = (key[index] & ~mask) | (rejection[index] & mask) }
        return key
    }
}

extension Array where Element == Int32 {
    mutating func wipePoly() {
        for index in indices { self[index] = 0 }
    }
}
