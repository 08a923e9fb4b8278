/// An age X25519 identity (`AGE-SECRET-KEY-1…`): a Curve25519 secret scalar in secure memory.
public final class X25519Identity: AgeIdentity {
    /// The 32-byte secret key.
    let secretKey: SecureBytes
    /// The matching recipient.
    public let recipient: X25519Recipient

    /// A fresh identity from libsodium's CSPRNG.
    public static func generate() -> X25519Identity {
        X25519Identity(secretKey: SecureBytes(randomCount: 32))
    }

    /// An identity from its raw 32-byte secret key (as the vault stores it).
    public init(secretKey: SecureBytes) {
        precondition(secretKey.count == 32, "an X25519 secret key is 32 bytes")
        self.secretKey = secretKey
        self.recipient = X25519Recipient(publicKey: secretKey.withUnsafeBytes { X25519.publicKey(secret: $0) })
    }

    /// Parses `AGE-SECRET-KEY-1…` text held in secure memory.
    public convenience init(parsing text: SecureBytes) throws {
        let raw = try text.withUnsafeBytes { bytes -> SecureBytes in
            var trimmed = bytes[...]
            while let first = trimmed.first, first == 0x20 || first == 0x0A || first == 0x0D || first == 0x09 { trimmed = trimmed.dropFirst() }
            while let last = trimmed.last, last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 { trimmed = trimmed.dropLast() }
            var decoded: (hrp: String, data: [UInt8])
            do {
                decoded = try Bech32.decode(trimmed)
            } catch {
                throw AgeError.invalidKey("not a valid AGE-SECRET-KEY-1… identity (\(error))")
            }
            defer { decoded.data.wipe() }
            guard decoded.hrp == "age-secret-key-" else {
                throw AgeError.invalidKey("not an AGE-SECRET-KEY-1… X25519 identity")
            }
            guard decoded.data.count == 32 else { throw AgeError.invalidKey("an X25519 identity must hold 32 bytes") }
            return decoded.data.withUnsafeBytes { SecureBytes(copying: $0) }
        }
        self.init(secretKey: raw)
    }

    /// Parses `AGE-SECRET-KEY-1…` text (prefer the `SecureBytes` form for secrets).
    public convenience init(parsing text: String) throws {
        var bytes = Array(text.utf8)
        defer { bytes.wipe() }
        try self.init(parsing: bytes.withUnsafeBytes { SecureBytes(copying: $0) })
    }

    /// The `AGE-SECRET-KEY-1…` text, in secure memory.
    public func encoded() -> SecureBytes {
        secretKey.withUnsafeBytes { raw in
            var data = [UInt8](raw)
            defer { data.wipe() }
            var text = Array(Bech32.encode(hrp: "AGE-SECRET-KEY-", data: data, uppercase: true).utf8)
            defer { text.wipe() }
            return text.withUnsafeBytes { SecureBytes(copying: $0) }
        }
    }

    public func unwrap(stanzas: [AgeStanza]) throws -> SecureBytes? {
        for stanza in stanzas where stanza.type == X25519Recipient.stanzaType {
            guard stanza.arguments.count == 1 else { throw AgeError.header("X25519 stanza must have exactly one argument") }
            guard let share = Base64.decodeCanonicalUnpadded(stanza.arguments[0]), share.count == 32 else {
                throw AgeError.header("X25519 share is not canonical base64 of 32 bytes")
            }
            guard stanza.body.count == StanzaBody.length else { throw AgeError.header("X25519 stanza body is not 32 bytes") }
            guard let shared = secretKey.withUnsafeBytes({ s in share.withUnsafeBytes { X25519.sharedSecret(secret: s, peer: $0) } }) else {
                throw AgeError.header("X25519 share is a low-order point")
            }
            let wrapKey = HKDF.key(ikm: shared, salt: share + recipient.publicKey, info: X25519Recipient.hkdfLabel)
            if let fileKey = StanzaBody.open(body: stanza.body, wrapKey: wrapKey) {
                return fileKey
            }
        }
        return nil
    }
}
