import FichierCrypto

/// The vault's failures on the protocol. Wrong secret, corruption, out-of-memory and the KDF
/// cap stay four different codes, so neither a script nor a person is told "wrong passphrase"
/// for a damaged file or a machine that could not run Argon2id.
extension VaultError: RPCErrorConvertible {
    public var rpcError: RPCError {
        RPCError.mapping(kind: rpcKind, message: description)
    }

    /// The kind of the protocol's code table this error maps to.
    public var rpcKind: String {
        switch self {
        case .notFound: "vault_missing"
        case .alreadyExists: "conflict"
        case .badSecret, .badKeyFile: "vault_bad_secret"
        case .corrupt, .unsupportedVersion: "vault_corrupt"
        case .outOfMemory: "out_of_memory"
        case .kdfLimitExceeded: "kdf_limit"
        case .locked, .changedConcurrently: "vault_locked"
        case .io: "local_io"
        case .invalidArgument: "invalid_argument"
        }
    }
}

/// age failures: anything wrong with the stored bytes is `integrity` (1401); no identity for
/// the file is `key_missing` (1603).
extension AgeError: RPCErrorConvertible {
    public var rpcError: RPCError {
        RPCError.mapping(kind: rpcKind, message: description)
    }

    public var rpcKind: String {
        switch self {
        case .header, .headerMAC, .payload, .armor, .resumeMismatch: "integrity"
        case .noMatch: "key_missing"
        case .invalidKey: "invalid_argument"
        case .resources: "out_of_memory"
        }
    }
}

/// Name-cipher failures: names that cannot be encrypted are bad arguments; a name that does
/// not decrypt is an integrity failure (altered, or another profile's).
extension NameCipherError: RPCErrorConvertible {
    public var rpcError: RPCError {
        RPCError.mapping(kind: rpcKind, message: description)
    }

    public var rpcKind: String {
        switch self {
        case .invalidKey: "key_missing"
        case .emptyName, .invalidCharacter, .nameTooLong: "invalid_argument"
        case .notEncryptedName: "integrity"
        }
    }
}

/// A secret that could not be read (no terminal, unreadable descriptor or file, empty): the
/// vault stays locked.
extension SecretInput.Failure: RPCErrorConvertible {
    public var rpcError: RPCError {
        RPCError.mapping(kind: "vault_locked", message: "cannot unlock the vault: \(description)")
    }
}

extension RPCError {
    /// `vault_locked` (1600) with a hint on how to unlock.
    static func vaultLocked(_ why: String) -> RPCError {
        RPCError.mapping(kind: "vault_locked",
                         message: "\(why): the vault is locked; unlock it with vault/unlock (or start fichier with --passphrase-fd, --passphrase-file, --key-file or FICHIER_PASSPHRASE_FILE)")
    }

    /// `vault_missing` (1604).
    static func vaultMissing(_ why: String, path: String?) -> RPCError {
        let place = path.map { " at \($0)" } ?? ""
        return RPCError.mapping(kind: "vault_missing",
                                message: "\(why): there is no vault\(place); create one with `fichier vault init`")
    }
}
