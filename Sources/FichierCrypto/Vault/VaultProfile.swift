/// One account's secrets and preferences inside the vault.
public struct VaultProfile: Sendable {
    /// Profile name (unique within the vault; 1–64 bytes of UTF-8, no control characters).
    public var name: String
    /// The 1fichier API key, if set.
    public var apiKey: SecureBytes?
    /// An API URL other than the default (e.g. a local emulator).
    public var apiURL: String?
    /// The profile's age identity; uploads are encrypted to its recipient.
    public var identity: X25519Identity
    /// Further `age1…` recipients every upload is also encrypted to (recovery, sharing).
    public var extraRecipients: [String]
    /// The 32-byte key of the filename cipher.
    public var nameKey: SecureBytes
    /// Encrypt uploads unless told otherwise.
    public var encryptUploads: Bool
    /// Encrypt remote file names unless told otherwise.
    public var encryptNames: Bool

    /// A new profile with a fresh identity and name key.
    public init(name: String) throws(VaultError) {
        try Self.validate(name: name)
        self.name = name
        self.apiKey = nil
        self.apiURL = nil
        self.identity = X25519Identity.generate()
        self.extraRecipients = []
        self.nameKey = SecureBytes(randomCount: 32)
        self.encryptUploads = false
        self.encryptNames = false
    }

    init(name: String, apiKey: SecureBytes?, apiURL: String?, identity: X25519Identity, extraRecipients: [String],
         nameKey: SecureBytes, encryptUploads: Bool, encryptNames: Bool) {
        self.name = name
        self.apiKey = apiKey
        self.apiURL = apiURL
        self.identity = identity
        self.extraRecipients = extraRecipients
        self.nameKey = nameKey
        self.encryptUploads = encryptUploads
        self.encryptNames = encryptNames
    }

    /// The recipient uploads are encrypted to.
    public var recipient: X25519Recipient { identity.recipient }

    /// Every recipient of an upload: the profile's own plus the extra ones.
    public func uploadRecipients() throws -> [any AgeRecipient] {
        var result: [any AgeRecipient] = [identity.recipient]
        for text in extraRecipients { result.append(try AgeKeys.recipient(text)) }
        return result
    }

    /// The name cipher of this profile.
    public func nameCipher() throws -> NameCipher {
        try NameCipher(key: nameKey)
    }

    static func validate(name: String) throws(VaultError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else { throw .invalidArgument("a profile name must be 1–64 bytes") }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidArgument("a profile name must not contain control characters")
        }
    }
}

/// Everything the vault payload holds.
public struct VaultContents: Sendable {
    public var profiles: [VaultProfile]
    /// Name of the profile used when none is named.
    public var defaultProfile: String

    /// The named profile (or the default one when `name` is nil).
    public func profile(named name: String? = nil) throws(VaultError) -> VaultProfile {
        let wanted = name ?? defaultProfile
        guard let profile = profiles.first(where: { $0.name == wanted }) else {
            throw .invalidArgument("no profile named \"\(wanted)\" in the vault")
        }
        return profile
    }

    /// Replaces the named profile through `change`.
    public mutating func updateProfile(named name: String? = nil, _ change: (inout VaultProfile) throws -> Void) throws {
        let wanted = name ?? defaultProfile
        guard let index = profiles.firstIndex(where: { $0.name == wanted }) else {
            throw VaultError.invalidArgument("no profile named \"\(wanted)\" in the vault")
        }
        try change(&profiles[index])
    }

    /// Adds a new profile with fresh keys.
    public mutating func addProfile(named name: String) throws(VaultError) {
        guard !profiles.contains(where: { $0.name == name }) else {
            throw .invalidArgument("a profile named \"\(name)\" already exists")
        }
        profiles.append(try VaultProfile(name: name))
    }
}
