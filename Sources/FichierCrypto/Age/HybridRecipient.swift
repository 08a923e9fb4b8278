/// An age post-quantum hybrid recipient (`age1pq1…`): an MLKEM768-X25519 public key; the file
/// key is sealed with HPKE (base mode, HKDF-SHA256, ChaCha20Poly1305).
public struct HybridRecipient: AgeRecipient, Hashable {
    static let stanzaType = "mlkem768x25519"
    static let hpkeInfo = Array("age-encryption.org/mlkem768x25519".utf8)

    /// The 1216-byte public key (ML-KEM-768 encapsulation key ‖ X25519 public key).
    public let publicKey: [UInt8]

    public init(parsing text: String) throws {
        let decoded: (hrp: String, data: [UInt8])
        do {
            decoded = try Bech32.decode(text.trimmingWhitespace())
        } catch {
            throw AgeError.invalidKey("not a valid age1pq1… recipient (\(error))")
        }
        guard decoded.hrp == "age1pq" else { throw AgeError.invalidKey("not an age1pq1… hybrid recipient") }
        guard decoded.data.count == HybridKEM.publicKeyLength,
              MLKEM768.isValidEncapsulationKey(Array(decoded.data[0..<MLKEM768.encapsulationKeyLength])) else {
            throw AgeError.invalidKey("not a valid MLKEM768-X25519 public key")
        }
        self.publicKey = decoded.data
    }

    init(publicKey: [UInt8]) {
        self.publicKey = publicKey
    }

    /// The `age1pq1…` string.
    public var encoded: String { Bech32.encode(hrp: "age1pq", data: publicKey) }

    public var stanzaLength: Int {
        AgeStanza.encodedLength(argumentLengths: [Self.stanzaType.utf8.count, Base64.unpaddedLength(of: HybridKEM.encapsulationLength)],
                                bodyLength: StanzaBody.length)
    }

    public func wrap(fileKey: SecureBytes, random: AgeRandom) throws -> AgeStanza {
        let sealed: (enc: [UInt8], ciphertext: [UInt8])
        do {
            sealed = try HPKE.seal(publicKey: publicKey, info: Self.hpkeInfo, plaintext: fileKey, random: random)
        } catch {
            throw AgeError.invalidKey("the recipient's X25519 key is a low-order point")
        }
        return AgeStanza(type: Self.stanzaType, arguments: [Base64.encodeUnpadded(sealed.enc)], body: sealed.ciphertext)
    }
}

/// An age post-quantum hybrid identity (`AGE-SECRET-KEY-PQ-1…`): a 32-byte seed.
public final class HybridIdentity: AgeIdentity {
    let seed: SecureBytes
    public let recipient: HybridRecipient

    public static func generate() -> HybridIdentity {
        HybridIdentity(seed: SecureBytes(randomCount: HybridKEM.seedLength))
    }

    init(seed: SecureBytes) {
        precondition(seed.count == HybridKEM.seedLength)
        self.seed = seed
        var expanded = seed.withUnsafeBytes { HybridKEM.expand(seed: $0) }
        self.recipient = HybridRecipient(publicKey: expanded.publicKey)
        expanded.wipe()
    }

    /// Parses `AGE-SECRET-KEY-PQ-1…` text.
    public convenience init(parsing text: String) throws {
        var decoded: (hrp: String, data: [UInt8])
        do {
            decoded = try Bech32.decode(text.trimmingWhitespace())
        } catch {
            throw AgeError.invalidKey("not a valid AGE-SECRET-KEY-PQ-1… identity (\(error))")
        }
        defer { decoded.data.wipe() }
        guard decoded.hrp == "age-secret-key-pq-" else { throw AgeError.invalidKey("not an AGE-SECRET-KEY-PQ-1… identity") }
        guard decoded.data.count == HybridKEM.seedLength else { throw AgeError.invalidKey("a hybrid identity must hold 32 bytes") }
        self.init(seed: decoded.data.withUnsafeBytes { SecureBytes(copying: $0) })
    }

    /// The `AGE-SECRET-KEY-PQ-1…` text, in secure memory.
    public func encoded() -> SecureBytes {
        seed.withUnsafeBytes { raw in
            var data = [UInt8](raw)
            defer { data.wipe() }
            var text = Array(Bech32.encode(hrp: "AGE-SECRET-KEY-PQ-", data: data, uppercase: true).utf8)
            defer { text.wipe() }
            return text.withUnsafeBytes { SecureBytes(copying: $0) }
        }
    }

    public func unwrap(stanzas: [AgeStanza]) throws -> SecureBytes? {
        let ours = stanzas.filter { $0.type == HybridRecipient.stanzaType }
        if ours.isEmpty { return nil }
        var key = seed.withUnsafeBytes { HybridKEM.expand(seed: $0) }
        defer { key.wipe() }
        for stanza in ours {
            guard stanza.arguments.count == 1 else { throw AgeError.header("mlkem768x25519 stanza must have exactly one argument") }
            guard let enc = Base64.decodeCanonicalUnpadded(stanza.arguments[0]), enc.count == HybridKEM.encapsulationLength else {
                throw AgeError.header("mlkem768x25519 enc is not canonical base64 of 1120 bytes")
            }
            guard stanza.body.count == StanzaBody.length else { throw AgeError.header("mlkem768x25519 stanza body is not 32 bytes") }
            let opened: SecureBytes?
            do {
                opened = try HPKE.open(enc: enc, privateKey: key, info: HybridRecipient.hpkeInfo, ciphertext: stanza.body)
            } catch {
                throw AgeError.header("mlkem768x25519 X25519 share gives an all-zero shared secret")
            }
            if let fileKey = opened { return fileKey }
        }
        return nil
    }
}
