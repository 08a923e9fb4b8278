/// An age passphrase recipient: scrypt(N = 2^workFactor, r = 8, p = 1) wraps the file key.
/// Its stanza must be the only one in the header.
public struct ScryptRecipient: AgeRecipient {
    static let stanzaType = "scrypt"
    static let saltLabel = Array("age-encryption.org/v1/scrypt".utf8)
    /// age's default: about a second and 256 MiB.
    public static let defaultWorkFactor = 18

    let passphrase: SecureBytes
    /// log2 of the scrypt N parameter.
    public let workFactor: Int

    public init(passphrase: SecureBytes, workFactor: Int = ScryptRecipient.defaultWorkFactor) throws {
        guard passphrase.count > 0 else { throw AgeError.invalidKey("empty passphrase") }
        guard (1...30).contains(workFactor) else { throw AgeError.invalidKey("scrypt work factor must be 1…30") }
        self.passphrase = passphrase
        self.workFactor = workFactor
    }

    public var requiresSoleStanza: Bool { true }

    public var stanzaLength: Int {
        AgeStanza.encodedLength(argumentLengths: [Self.stanzaType.utf8.count, Base64.unpaddedLength(of: 16), String(workFactor).utf8.count],
                                bodyLength: StanzaBody.length)
    }

    public func wrap(fileKey: SecureBytes, random: AgeRandom) throws -> AgeStanza {
        let salt = random.bytes(16)
        let wrapKey: SecureBytes
        do {
            wrapKey = try Scrypt.deriveKey(passphrase: passphrase, salt: Self.saltLabel + salt, logN: workFactor)
        } catch {
            throw AgeError.resources("scrypt could not allocate \(128 * 8 << workFactor) bytes")
        }
        return AgeStanza(type: Self.stanzaType, arguments: [Base64.encodeUnpadded(salt), String(workFactor)],
                         body: StanzaBody.seal(fileKey: fileKey, wrapKey: wrapKey))
    }
}

/// An age passphrase identity. Refuses stanzas whose work factor exceeds `maxWorkFactor`
/// before running scrypt (age's default cap is 22: about 15 s and 4 GiB).
public struct ScryptIdentity: AgeIdentity {
    public static let defaultMaxWorkFactor = 22

    let passphrase: SecureBytes
    public let maxWorkFactor: Int

    public init(passphrase: SecureBytes, maxWorkFactor: Int = ScryptIdentity.defaultMaxWorkFactor) {
        self.passphrase = passphrase
        self.maxWorkFactor = maxWorkFactor
    }

    public func unwrap(stanzas: [AgeStanza]) throws -> SecureBytes? {
        for stanza in stanzas where stanza.type == ScryptRecipient.stanzaType {
            guard stanzas.count == 1 else { throw AgeError.header("an scrypt stanza must be the only one") }
            guard stanza.arguments.count == 2 else { throw AgeError.header("scrypt stanza must have exactly two arguments") }
            guard let salt = Base64.decodeCanonicalUnpadded(stanza.arguments[0]), salt.count == 16 else {
                throw AgeError.header("scrypt salt is not canonical base64 of 16 bytes")
            }
            let factorText = Array(stanza.arguments[1].utf8)
            guard let first = factorText.first, first >= 0x31, first <= 0x39,
                  factorText.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), factorText.count <= 9,
                  let workFactor = Int(stanza.arguments[1]) else {
                throw AgeError.header("scrypt work factor is not a decimal number without leading zeros")
            }
            guard workFactor <= maxWorkFactor else {
                throw AgeError.header("scrypt work factor \(workFactor) is above the limit of \(maxWorkFactor)")
            }
            guard stanza.body.count == StanzaBody.length else { throw AgeError.header("scrypt stanza body is not 32 bytes") }
            let wrapKey: SecureBytes
            do {
                wrapKey = try Scrypt.deriveKey(passphrase: passphrase, salt: ScryptRecipient.saltLabel + salt, logN: workFactor)
            } catch {
                throw AgeError.resources("scrypt could not allocate \(128 * 8 << workFactor) bytes")
            }
            if let fileKey = StanzaBody.open(body: stanza.body, wrapKey: wrapKey) {
                return fileKey
            }
        }
        return nil
    }
}
