/// Why an age operation failed. The cases are the failure classes of the age test vectors
/// (CCTV), plus key-parsing and I/O problems. Messages never contain key material.
public enum AgeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The header is malformed or violates the spec (including a malformed stanza of a known
    /// type, a missing payload nonce, or a KDF work factor above the cap).
    case header(String)
    /// No identity could unwrap the file key.
    case noMatch(String)
    /// The file key unwrapped but the header MAC does not verify.
    case headerMAC(String)
    /// A payload chunk failed to authenticate, the stream is truncated or has trailing data.
    case payload(String)
    /// The ASCII armor is malformed.
    case armor(String)
    /// Resuming a decryption: the chunk fetched again opened, but not to the plaintext kept
    /// from before (the kept plaintext is another file's, or the file was replaced).
    case resumeMismatch(String)
    /// A recipient or identity string could not be parsed.
    case invalidKey(String)
    /// The KDF could not run (e.g. scrypt could not allocate its memory).
    case resources(String)

    /// A stable machine name for the class.
    public var kind: String {
        switch self {
        case .header: "header"
        case .noMatch: "no_match"
        case .headerMAC: "header_mac"
        case .payload: "payload"
        case .armor: "armor"
        case .resumeMismatch: "resume_mismatch"
        case .invalidKey: "invalid_key"
        case .resources: "resources"
        }
    }

    public var message: String {
        switch self {
        case .header(let m), .noMatch(let m), .headerMAC(let m), .payload(let m),
             .armor(let m), .resumeMismatch(let m), .invalidKey(let m), .resources(let m):
            m
        }
    }

    public var description: String {
        switch self {
        case .header(let m): "invalid age header: \(m)"
        case .noMatch(let m): "no identity matched: \(m)"
        case .headerMAC(let m): "age header authentication failed: \(m)"
        case .payload(let m): "age payload integrity error: \(m)"
        case .armor(let m): "invalid ASCII armor: \(m)"
        case .resumeMismatch(let m): "the kept plaintext is not this file's: \(m)"
        case .invalidKey(let m): "invalid key: \(m)"
        case .resources(let m): "cannot run the key derivation: \(m)"
        }
    }
}
