import FichierCrypto

/// The session's client-side encryption: what an upload's `encrypt`/`encryptNames` and a
/// download's `decrypt` params mean given the vault, in one place. Handlers ask it for the
/// stages and names; they never branch on the vault themselves.
public final class SessionEncryption: Sendable {
    public let vault: SessionVault

    public init(vault: SessionVault) {
        self.vault = vault
    }

    /// Encryption applies in this session: a vault exists (it holds the identities).
    var isAvailable: Bool { vault.exists }

    /// How names are shown and looked up right now.
    var names: EncryptedNames {
        guard isAvailable else { return .inactive }
        return EncryptedNames(active: true, cipher: try? vault.unlockedProfile?.nameCipher())
    }

    // MARK: Uploads

    /// What an upload does about encryption.
    struct UploadPlan: Sendable {
        /// The stage that encrypts the body; nil for a plain upload.
        var stage: EncryptionStage?
        var encryptNames: Bool
        private let cipher: NameCipher?

        init(stage: EncryptionStage?, encryptNames: Bool, cipher: NameCipher?) {
            self.stage = stage
            self.encryptNames = encryptNames
            self.cipher = cipher
        }

        static let plain = UploadPlan(stage: nil, encryptNames: false, cipher: nil)

        var encrypts: Bool { stage != nil }

        /// The name to store a file called `name` under.
        func remoteName(for name: String) throws(RPCError) -> String {
            guard encrypts else { return name }
            return try EncryptedNames.remoteName(for: name, encryptNames: encryptNames, cipher: cipher)
        }
    }

    /// The plan for `transfer/upload {encrypt?, encryptNames?}`. Absent params take the
    /// vault profile's defaults; a locked vault then answers `vault_locked` rather than
    /// guess (an upload must never go out in the clear against the profile's wish).
    func uploadPlan(encrypt: Bool?, encryptNames: Bool?) throws(RPCError) -> UploadPlan {
        if encrypt == false {
            if encryptNames == true {
                throw RPCError.invalidParams(path: "encryptNames", problem: "needs encrypt (names are only encrypted with the contents)")
            }
            return .plain
        }
        if encrypt == nil && encryptNames == nil && !isAvailable { return .plain }
        let purpose = encrypt == nil && encryptNames == nil
            ? "the vault profile decides whether uploads are encrypted (pass encrypt: false to upload in the clear)"
            : "cannot encrypt the upload"
        let profile = try vault.profile(for: purpose)
        let wantsContent = encrypt ?? (encryptNames == true ? true : profile.encryptUploads)
        guard wantsContent else { return .plain }
        let wantsNames = encryptNames ?? profile.encryptNames
        let recipients: [any AgeRecipient]
        do {
            recipients = try profile.uploadRecipients()
        } catch {
            throw RPCError.mapping(kind: "key_missing", message: "a recipient of the vault profile is unusable: \(error)")
        }
        let cipher: NameCipher?
        do {
            cipher = wantsNames ? try profile.nameCipher() : nil
        } catch {
            throw RPCError.mapping(kind: "key_missing", message: "the vault profile's name key is unusable: \(error)")
        }
        return UploadPlan(stage: try EncryptionStage(recipients: recipients), encryptNames: wantsNames, cipher: cipher)
    }

    // MARK: Downloads

    /// `transfer/download {decrypt}`.
    enum DecryptMode: String, Sendable, CaseIterable, Decodable {
        /// Decrypt age files (recognised by their first bytes) with the vault's identities.
        case auto
        /// The file must be an age file.
        case always
        /// Write the bytes as stored.
        case never

        init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let mode = DecryptMode(rawValue: text) else {
                throw RPCError.invalidParams(path: ParamsDecoding.path(decoder.codingPath),
                                             problem: "expected one of auto, always, never")
            }
            self = mode
        }
    }

    /// The stage for a download of the file stored as `remoteName`, or nil to write the
    /// bytes as they are. `auto` without a vault is `never`; with a locked vault it fails
    /// at once when the name says the file is encrypted, and when the first bytes say so.
    func decryptionStage(mode: DecryptMode?, remoteName: String) throws(RPCError) -> DecryptionStage? {
        switch mode ?? .auto {
        case .never:
            return nil
        case .always:
            return DecryptionStage(mode: .always, identities: try vault.identities(for: "cannot decrypt the download"))
        case .auto:
            guard isAvailable else { return nil }
            let identities = try? vault.identities(for: "")
            if identities == nil && names.view(of: remoteName).encrypted {
                _ = try vault.identities(for: "cannot decrypt \(remoteName)")
            }
            return DecryptionStage(mode: .detect, identities: identities,
                                   unavailable: .vaultLocked("cannot decrypt \(remoteName), which is encrypted"))
        }
    }
}
