/// An age X25519 recipient (`age1…`): a Curve25519 public key.
public struct X25519Recipient: AgeRecipient, Hashable {
    static let stanzaType = "X25519"
    static let hkdfLabel = "age-encryption.org/v1/X25519"

    /// The 32-byte public key.
    public let publicKey: [UInt8]

    /// Parses a Bech32 `age1…` string.
    public init(parsing text: String) throws {
        let decoded: (hrp: String, data: [UInt8])
        do {
            decoded = try Bech32.decode(text.trimmingWhitespace())
        } catch {
            throw AgeError.invalidKey("not a valid age1… recipient (\(error))")
        }
        guard decoded.hrp == "age" else { throw AgeError.invalidKey("not an age1… X25519 recipient") }
        guard decoded.data.count == 32 else { throw AgeError.invalidKey("an X25519 recipient must hold 32 bytes") }
        self.publicKey = decoded.data
    }

    init(publicKey: [UInt8]) {
        precondition(publicKey.count == 32)
        self.publicKey = publicKey
    }

    /// The `age1…` string.
    public var encoded: String { Bech32.encode(hrp: "age", data: publicKey) }

    public var stanzaLength: Int {
        AgeStanza.encodedLength(argumentLengths: [Self.stanzaType.utf8.count, Base64.unpaddedLength(of: 32)],
                                bodyLength: StanzaBody.length)
    }

    public func wrap(fileKey: SecureBytes, random: AgeRandom) throws -> AgeStanza {
        let ephemeral = random.secret(32)
        let share = ephemeral.withUnsafeBytes { X25519.publicKey(secret: $0) }
        guard let shared = ephemeral.withUnsafeBytes({ e in publicKey.withUnsafeBytes { X25519.sharedSecret(secret: e, peer: $0) } }) else {
            throw AgeError.invalidKey("the recipient is a low-order point")
        }
        let wrapKey = HKDF.key(ikm: shared, salt: share + publicKey, info: Self.hkdfLabel)
        return AgeStanza(type: Self.stanzaType, arguments: [Base64.encodeUnpadded(share)],
                         body: StanzaBody.seal(fileKey: fileKey, wrapKey: wrapKey))
    }
}

extension X25519Recipient: CustomStringConvertible {
    public var description: String { encoded }
}

extension String {
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        var text = Substring(self)
        while let first = text.first, isSpace(first) { text = text.dropFirst() }
        while let last = text.last, isSpace(last) { text = text.dropLast() }
        return text
    }
}
