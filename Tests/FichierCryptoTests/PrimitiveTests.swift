import Foundation
import Testing
@testable import FichierCrypto

@Suite("Primitive known-answer tests")
struct PrimitiveTests {
    @Test("ChaCha20-Poly1305-IETF, RFC 8439 §2.8.2")
    func chacha20Poly1305() {
        let key = [UInt8](0x80...0x9F)
        let nonce = TestSupport.hex("070000004041424344454647")
        let aad = TestSupport.hex("50515253c0c1c2c3c4c5c6c7")
        let plaintext = Array("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
        let expected = TestSupport.hex("""
            d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b
            1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
            3ff4def08e4b7a9de576d26586cec64b6116 1ae10b594f09e26a7e902ecbd0600691
            """)
        var sealed = [UInt8](repeating: 0, count: plaintext.count + 16)
        key.withUnsafeBytes { k in nonce.withUnsafeBytes { n in aad.withUnsafeBytes { a in plaintext.withUnsafeBytes { p in
            sealed.withUnsafeMutableBytes { ChaCha20Poly1305.seal(key: k, nonce: n, plaintext: p, additionalData: a, into: $0) }
        } } } }
        #expect(sealed == expected)

        var opened = [UInt8](repeating: 0, count: plaintext.count)
        let ok = key.withUnsafeBytes { k in nonce.withUnsafeBytes { n in aad.withUnsafeBytes { a in sealed.withUnsafeBytes { c in
            opened.withUnsafeMutableBytes { ChaCha20Poly1305.open(key: k, nonce: n, ciphertext: c, additionalData: a, into: $0) }
        } } } }
        #expect(ok)
        #expect(opened == plaintext)

        var tampered = sealed
        tampered[10] ^= 1
        let rejected = key.withUnsafeBytes { k in nonce.withUnsafeBytes { n in aad.withUnsafeBytes { a in tampered.withUnsafeBytes { c in
            opened.withUnsafeMutableBytes { ChaCha20Poly1305.open(key: k, nonce: n, ciphertext: c, additionalData: a, into: $0) }
        } } } }
        #expect(!rejected)
    }

    @Test("HMAC-SHA-256, RFC 4231 cases 1, 2, 3 and 6", arguments: [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ])
    func hmac(key: [UInt8], message: [UInt8], expected: String) {
        let tag = key.withUnsafeBytes { k in message.withUnsafeBytes { HMACSHA256.authenticate(key: k, message: $0) } }
        #expect(Hex.encode(tag) == expected)
    }

    @Test("HKDF-SHA-256, RFC 5869 cases 1–3", arguments: [
        ([UInt8](repeating: 0x0b, count: 22), [UInt8](0x00...0x0c), [UInt8](0xf0...0xf9), 42,
         "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        ([UInt8](0x00...0x4f), [UInt8](0x60...0xaf), [UInt8](0xb0...0xff), 82,
         "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"),
        ([UInt8](repeating: 0x0b, count: 22), [], [], 42,
         "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
    ])
    func hkdf(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int, expected: String) {
        var okm = [UInt8](repeating: 0, count: length)
        okm.withUnsafeMutableBytes { out in
            ikm.withUnsafeBytes { i in salt.withUnsafeBytes { s in info.withUnsafeBytes { HKDF.deriveKey(into: out, ikm: i, salt: s, info: $0) } } }
        }
        #expect(Hex.encode(okm) == expected)
    }

    @Test("X25519, RFC 7748 §6.1, and the all-zero rejection")
    func x25519() throws {
        let alice = TestSupport.hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        let bob = TestSupport.hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
        let alicePublic = alice.withUnsafeBytes { X25519.publicKey(secret: $0) }
        let bobPublic = bob.withUnsafeBytes { X25519.publicKey(secret: $0) }
        #expect(Hex.encode(alicePublic) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        #expect(Hex.encode(bobPublic) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared1 = try #require(alice.withUnsafeBytes { a in bobPublic.withUnsafeBytes { X25519.sharedSecret(secret: a, peer: $0) } })
        let shared2 = try #require(bob.withUnsafeBytes { b in alicePublic.withUnsafeBytes { X25519.sharedSecret(secret: b, peer: $0) } })
        #expect(shared1.withUnsafeBytes { Hex.encode($0) } == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
        #expect(shared1.constantTimeEquals(shared2))
        // u = 0 and u = 1 are low-order points: the shared secret would be all zeros.
        for lowOrder in [[UInt8](repeating: 0, count: 32), [1] + [UInt8](repeating: 0, count: 31)] {
            let result = alice.withUnsafeBytes { a in lowOrder.withUnsafeBytes { X25519.sharedSecret(secret: a, peer: $0) } }
            #expect(result == nil)
        }
    }

    @Test("Bech32, BIP-173 valid and invalid strings")
    func bech32() throws {
        for valid in ["A12UEL5L", "a12uel5l",
                      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
                      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl"] {
            #expect(throws: Never.self, "\(valid)") { _ = try Bech32.decode(valid) }
        }
        let invalid: [(String, Bech32.Failure)] = [
            ("pzry9x0s0muk", .noSeparator), ("1pzry9x0s0muk", .emptyHRP), ("x1b4n0q5v", .badCharacter),
            ("li1dgmt3", .badChecksum), ("A1G7SGD8", .badChecksum), ("10a06t8", .emptyHRP), ("1qzzfhee", .emptyHRP),
            ("a12UEL5L", .mixedCase),
        ]
        for (text, failure) in invalid {
            #expect(throws: failure, "\(text)") { _ = try Bech32.decode(text) }
        }
        // Round trip, and the age spec's example key pair (identity bytes 0x42…).
        let data = TestSupport.pseudoRandomBytes(32, seed: 7)
        let encoded = Bech32.encode(hrp: "age", data: data)
        #expect(try Bech32.decode(encoded).data == data)
        let identity = try X25519Identity(parsing: "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
        #expect(identity.recipient.encoded == "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj")
        #expect(identity.encoded().unsafeStringCopy() == "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
    }

    @Test("Argon2id (p = 1) against reference outputs (Python cryptography's Argon2id)", arguments: [
        ("password", Array("somesaltsomesalt".utf8), UInt32(2), UInt64(64 * 1024),
         "1a98fba8e6394425c9bdc333a9c750aaf811df070f5fb4a5788e1cf4db5793a1"),
        ("correct horse battery staple", [UInt8](0..<16), UInt32(3), UInt64(19 * 1024 * 1024),
         "d825a2b0e96c51c7e4bad361ea705b1cc25a84d7fa01ad832db4798c99102c69"),
    ])
    func argon2id(password: String, salt: [UInt8], ops: UInt32, mem: UInt64, expected: String) throws {
        let key = try VaultKDF.deriveKey(passphrase: SecureBytes(Array(password.utf8)), salt: salt,
                                         parameters: VaultKDFParameters(opsLimit: ops, memLimit: mem))
        #expect(key.withUnsafeBytes { Hex.encode($0) } == expected)
    }

    @Test("Canonical unpadded base64")
    func base64() {
        #expect(Base64.decodeCanonicalUnpadded("Zm9v") == Array("foo".utf8))
        #expect(Base64.decodeCanonicalUnpadded("Zm8") == Array("fo".utf8))
        #expect(Base64.decodeCanonicalUnpadded("Zm9") == nil)        // non-zero trailing bits
        #expect(Base64.decodeCanonicalUnpadded("Zm8=") == nil)       // padding
        #expect(Base64.decodeCanonicalUnpadded("Zm 8") == nil)
        #expect(Base64.decodeCanonicalUnpadded("Zm8\r") == nil)
        #expect(Base64.decodeCanonicalUnpadded("Z") == nil)
        #expect(Base64.decodeCanonicalUnpadded("") == [])
        #expect(Base64.decodeCanonicalPadded(Array("Zm8=".utf8)) == Array("fo".utf8))
        #expect(Base64.decodeCanonicalPadded(Array("Zm9=".utf8)) == nil)
        #expect(Base64.decodeCanonicalPadded(Array("Zm8".utf8)) == nil)
        #expect(Base64.encodeUnpadded(Array("fo".utf8)) == "Zm8")
    }

    @Test("Base32, RFC 4648 vectors in lowercase without padding")
    func base32() {
        let vectors = [("", ""), ("f", "my"), ("fo", "mzxq"), ("foo", "mzxw6"), ("foob", "mzxw6yq"),
                       ("fooba", "mzxw6ytb"), ("foobar", "mzxw6ytboi")]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(Array(encoded.utf8)) == Array(plain.utf8))
        }
        #expect(Base32.encode(Array("foobar".utf8), case: .upper) == "MZXW6YTBOI")
        #expect(Base32.decode(Array("MZXW6".utf8)) == nil)       // wrong case
        #expect(Base32.decode(Array("mzxw7".utf8)) == nil)       // non-zero trailing bits
        #expect(Base32.decode(Array("m".utf8)) == nil)           // impossible length
        #expect(Base32.decode(Array("mzxw6=".utf8)) == nil)
    }

    @Test("SHA-3 and SHAKE against FIPS 202 digests")
    func keccak() {
        #expect(Hex.encode(Keccak.sha3_256([])) == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
        #expect(Hex.encode(Keccak.sha3_256(Array("abc".utf8))) == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
        #expect(Hex.encode(Keccak.sha3_512(Array("abc".utf8))) ==
                "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0")
        var shake128 = Keccak.shake128()
        #expect(Hex.encode(shake128.squeeze(count: 32)) == "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26")
        #expect(Hex.encode(Keccak.shake256([], count: 32)) == "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f")
        // Multi-block absorb and squeeze (rate boundaries), checked against Python's hashlib.
        let long = [UInt8](repeating: 0x61, count: 1000)
        #expect(Hex.encode(Keccak.sha3_256(long)) == "8f3934e6f7a15698fe0f396b95d8c4440929a8fa6eae140171c068b4549fbf81")
        #expect(Hex.encode(Array(Keccak.shake256(long, count: 300).suffix(16))) == "848a4307c757929900988a41c38c34ab")
    }
}

@Suite("Secure memory and process hygiene")
struct SecureMemoryTests {
    @Test("SecureBytes copies, compares in constant time, slices and never prints its contents")
    func secureBytes() {
        let a = SecureBytes(Array("secret".utf8))
        let b = SecureBytes(Array("secret".utf8))
        let c = SecureBytes(Array("secreT".utf8))
        #expect(a.constantTimeEquals(b))
        #expect(!a.constantTimeEquals(c))
        #expect(a.slice(1..<4).unsafeStringCopy() == "ecr")
        #expect("\(a)" == "<secret 6 bytes>")
        #expect(!String(reflecting: a).contains("secret\""))
        let guarded = SecureBytes(randomCount: 32, guardWhenIdle: true)
        #expect(guarded.withUnsafeBytes { $0.count } == 32)
        #expect(guarded.constantTimeEquals(guarded))
        #expect(SecureBytes(randomCount: 32).constantTimeEquals(SecureBytes(randomCount: 32)) == false)
    }

    @Test("ProcessHygiene disables core dumps and the dumpable flag")
    func hygiene() {
        let report = ProcessHygiene.apply()
        #expect(report.coreDumpsDisabled)
        #expect(report.dumpableCleared)
        #expect(ProcessHygiene.isDumpable == false)
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
        #expect(limit.rlim_cur == 0)
    }
}
