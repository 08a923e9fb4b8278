/// Why a vault operation failed. Wrong secret, corruption and out-of-memory are distinct,
/// so a script (or a person) is never told "wrong passphrase" for a damaged file or a machine
/// that could not run the KDF.
public enum VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No vault (and no backup) at this path.
    case notFound(path: String)
    /// A vault already exists where one was to be created.
    case alreadyExists(path: String)
    /// The file is intact but no key slot opens with this passphrase or key file.
    case badSecret
    /// The file fails its checksum, is truncated, or its structure is invalid.
    case corrupt(String)
    /// The KDF could not allocate its memory (crypto_pwhash failed).
    case outOfMemory(bytes: UInt64)
    /// A slot asks for more KDF work than the read-side cap allows; refused before any work.
    case kdfLimitExceeded(String)
    /// An operation needs the unlocked vault.
    case locked
    /// The file is a newer format version than this build understands.
    case unsupportedVersion(Int)
    /// The key file is not a valid FCVK1 key (typo, truncated, wrong checksum).
    case badKeyFile(String)
    /// Another process re-keyed or replaced the vault since it was opened.
    case changedConcurrently
    /// Reading or writing files failed.
    case io(String)
    /// A request that makes no sense (unknown profile, last slot removal, bad value…).
    case invalidArgument(String)

    /// A stable machine name for the class.
    public var kind: String {
        switch self {
        case .notFound: "not_found"
        case .alreadyExists: "already_exists"
        case .badSecret: "bad_secret"
        case .corrupt: "corrupt"
        case .outOfMemory: "out_of_memory"
        case .kdfLimitExceeded: "kdf_limit"
        case .locked: "locked"
        case .unsupportedVersion: "unsupported_version"
        case .badKeyFile: "bad_key_file"
        case .changedConcurrently: "changed_concurrently"
        case .io: "io"
        case .invalidArgument: "invalid_argument"
        }
    }

    public var description: String {
        switch self {
        case .notFound(let path): "no vault at \(path)"
        case .alreadyExists(let path): "a vault already exists at \(path)"
        case .badSecret: "wrong passphrase or key file: no key slot opens with it"
        case .corrupt(let why): "the vault file is corrupted (\(why)); restore the backup with `fichier vault restore`"
        case .outOfMemory(let bytes): "could not allocate \(bytes / (1024 * 1024)) MiB for the key derivation (this is not a wrong passphrase)"
        case .kdfLimitExceeded(let why): "refusing the vault's key derivation parameters: \(why)"
        case .locked: "the vault is locked"
        case .unsupportedVersion(let version): "vault format version \(version) is newer than this program supports"
        case .badKeyFile(let why): "invalid key file: \(why)"
        case .changedConcurrently: "the vault was re-keyed or replaced by another process; unlock it again"
        case .io(let why): "vault I/O error: \(why)"
        case .invalidArgument(let why): why
        }
    }
}
