import FichierAPI

extension FichierService {
    /// How file names are shown and looked up in this session right now.
    var names: EncryptedNames {
        encryption?.names ?? .inactive
    }

    /// What an upload does about encryption (`encrypt`, `encryptNames` params). Without a
    /// vault in the session, asking for encryption is `vault_missing`.
    func uploadPlan(encrypt: Bool?, encryptNames: Bool?) throws(RPCError) -> SessionEncryption.UploadPlan {
        guard let encryption else {
            if encrypt == true || encryptNames == true {
                throw RPCError.vaultMissing("cannot encrypt the upload", path: nil)
            }
            return .plain
        }
        return try encryption.uploadPlan(encrypt: encrypt, encryptNames: encryptNames)
    }

    /// The decryption stage of a download (`decrypt` param), or nil to keep the bytes as
    /// stored.
    func decryptionStage(mode: SessionEncryption.DecryptMode?, remoteName: String) throws(RPCError) -> DecryptionStage? {
        guard let encryption else {
            if mode == .always { throw RPCError.vaultMissing("cannot decrypt the download", path: nil) }
            return nil
        }
        return try encryption.decryptionStage(mode: mode, remoteName: remoteName)
    }
}
