/// The vault payload plaintext: `u16 schema = 1`, then TLV records (u8 tag, u32 LE length,
/// value), then zero padding to a multiple of 1024 bytes. Secret values are parsed straight
/// from secure memory into `SecureBytes`.
enum VaultPayload {
    static let schema: UInt16 = 1
    static let paddingBlock = 1024

    enum Tag: UInt8 {
        case profile = 0x01            // begins a profile; value = name
        case apiKey = 0x02
        case apiURL = 0x03
        case identity = 0x04           // 32-byte X25519 secret key
        case extraRecipient = 0x05     // "age1…", repeatable
        case nameKey = 0x06            // 32 bytes
        case defaults = 0x07           // u8: bit 0 encrypt uploads, bit 1 encrypt names
        case defaultProfile = 0x10     // vault level; value = profile name
        case end = 0x7F
    }

    /// Serialises into secure memory (padded).
    static func encode(_ contents: VaultContents) -> SecureBytes {
        var records: [(Tag, Int, (UnsafeMutableRawBufferPointer) -> Void)] = []
        func text(_ tag: Tag, _ value: String) {
            let bytes = Array(value.utf8)
            records.append((tag, bytes.count, { out in for (i, b) in bytes.enumerated() { out[i] = b } }))
        }
        func secret(_ tag: Tag, _ value: SecureBytes) {
            records.append((tag, value.count, { out in
                value.withUnsafeBytes { if $0.count > 0 { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            }))
        }
        text(.defaultProfile, contents.defaultProfile)
        for profile in contents.profiles {
            text(.profile, profile.name)
            if let key = profile.apiKey { secret(.apiKey, key) }
            if let url = profile.apiURL { text(.apiURL, url) }
            secret(.identity, profile.identity.secretKey)
            for recipient in profile.extraRecipients { text(.extraRecipient, recipient) }
            secret(.nameKey, profile.nameKey)
            let flags: UInt8 = (profile.encryptUploads ? 1 : 0) | (profile.encryptNames ? 2 : 0)
            records.append((.defaults, 1, { $0[0] = flags }))
        }
        records.append((.end, 0, { _ in }))
        let used = 2 + records.reduce(0) { $0 + 5 + $1.1 }
        let total = (used + paddingBlock - 1) / paddingBlock * paddingBlock
        return SecureBytes(count: total) { out in
            var offset = 0
            func put(_ bytes: [UInt8]) { for b in bytes { out[offset] = b; offset += 1 } }
            put([UInt8(schema & 0xFF), UInt8(schema >> 8)])
            for (tag, length, write) in records {
                let l = UInt32(length)
                put([tag.rawValue, UInt8(l & 0xFF), UInt8((l >> 8) & 0xFF), UInt8((l >> 16) & 0xFF), UInt8(l >> 24)])
                write(UnsafeMutableRawBufferPointer(rebasing: out[offset..<(offset + length)]))
                offset += length
            }
        }
    }

    /// Parses a decrypted payload. Structure errors are `.corrupt` (the payload authenticated,
    /// so they mean a writer bug or a newer schema).
    static func decode(_ plaintext: SecureBytes) throws(VaultError) -> VaultContents {
        let result: Result<VaultContents, VaultError> = plaintext.withUnsafeBytes { raw in
            guard raw.count >= 2 else { return .failure(.corrupt("payload too short")) }
            let schemaValue = UInt16(raw[0]) | UInt16(raw[1]) << 8
            guard schemaValue == schema else { return .failure(.unsupportedVersion(Int(schemaValue))) }
            var offset = 2
            var defaultProfile: String?
            var profiles: [VaultProfile] = []
            var current: (name: String, apiKey: SecureBytes?, apiURL: String?, identity: X25519Identity?,
                          recipients: [String], nameKey: SecureBytes?, flags: UInt8)?
            func closeProfile() -> VaultError? {
                guard let p = current else { return nil }
                guard let identity = p.identity, let nameKey = p.nameKey else {
                    return .corrupt("profile \"\(p.name)\" lacks its identity or name key")
                }
                profiles.append(VaultProfile(name: p.name, apiKey: p.apiKey, apiURL: p.apiURL, identity: identity,
                                             extraRecipients: p.recipients, nameKey: nameKey,
                                             encryptUploads: p.flags & 1 != 0, encryptNames: p.flags & 2 != 0))
                current = nil
                return nil
            }
            while true {
                guard offset + 5 <= raw.count else { return .failure(.corrupt("payload record header truncated")) }
                let tagValue = raw[offset]
                let length = Int(UInt32(raw[offset + 1]) | UInt32(raw[offset + 2]) << 8 | UInt32(raw[offset + 3]) << 16 | UInt32(raw[offset + 4]) << 24)
                offset += 5
                guard length <= raw.count - offset else { return .failure(.corrupt("payload record overruns the payload")) }
                let value = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
                offset += length
                guard let tag = Tag(rawValue: tagValue) else { return .failure(.corrupt("unknown payload record \(tagValue)")) }
                let textValue = String(validating: value.bindMemory(to: UInt8.self), as: UTF8.self)
                switch tag {
                case .end:
                    if let error = closeProfile() { return .failure(error) }
                    guard value.isEmpty, raw[offset...].allSatisfy({ $0 == 0 }) else {
                        return .failure(.corrupt("data after the end record"))
                    }
                    guard let defaultProfile, profiles.contains(where: { $0.name == defaultProfile }) else {
                        return .failure(.corrupt("the default profile is missing"))
                    }
                    return .success(VaultContents(profiles: profiles, defaultProfile: defaultProfile))
                case .defaultProfile:
                    guard let textValue else { return .failure(.corrupt("default profile name is not UTF-8")) }
                    defaultProfile = textValue
                case .profile:
                    if let error = closeProfile() { return .failure(error) }
                    guard let textValue else { return .failure(.corrupt("profile name is not UTF-8")) }
                    current = (textValue, nil, nil, nil, [], nil, 0)
                case .apiKey, .apiURL, .identity, .extraRecipient, .nameKey, .defaults:
                    guard current != nil else { return .failure(.corrupt("profile field outside a profile")) }
                    switch tag {
                    case .apiKey: current!.apiKey = SecureBytes(copying: value)
                    case .apiURL:
                        guard let textValue else { return .failure(.corrupt("API URL is not UTF-8")) }
                        current!.apiURL = textValue
                    case .identity:
                        guard value.count == 32 else { return .failure(.corrupt("identity is not 32 bytes")) }
                        current!.identity = X25519Identity(secretKey: SecureBytes(copying: value))
                    case .extraRecipient:
                        guard let textValue else { return .failure(.corrupt("recipient is not UTF-8")) }
                        current!.recipients.append(textValue)
                    case .nameKey:
                        guard value.count == 32 else { return .failure(.corrupt("name key is not 32 bytes")) }
                        current!.nameKey = SecureBytes(copying: value)
                    default:
                        guard value.count == 1 else { return .failure(.corrupt("defaults record is not 1 byte")) }
                        current!.flags = value[0]
                    }
                }
            }
        }
        return try result.get()
    }
}
